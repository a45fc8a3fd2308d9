/**
 * A session's TEMPORARY tables and stages. The local account has no objects of a session (each DuckDB
 * operation is an instance of its own), so the emulator creates them as ordinary ones, visible to every
 * session, and drops them when their session ends, as Snowflake does. Dropping one, or replacing it
 * with a permanent object of the same name, forgets it.
 */
import { Effect, Scope } from "effect"
import type { SessionState } from "./Sessions.ts"

/** What each session's temporary objects are dropped with, by `TABLE "DB"."S"."T"` or `STAGE …`. */
const bySession = new WeakMap<SessionState, Map<string, Effect.Effect<void>>>()

/**
 * Drop `key` with `drop` when `session` ends. A finalizer per object, added after the workspace the
 * drop needs was opened in the same scope, so it runs before that workspace closes.
 */
export const rememberTemporary = (
  session: SessionState,
  key: string,
  drop: Effect.Effect<void>
): Effect.Effect<void> =>
  Effect.suspend(() => {
    const objects = bySession.get(session) ?? new Map<string, Effect.Effect<void>>()
    bySession.set(session, objects)
    objects.set(key, drop)
    return Scope.addFinalizer(
      session.scope,
      Effect.suspend(() => {
        const current = objects.get(key)
        if (current !== drop) return Effect.void
        objects.delete(key)
        return Effect.ignore(drop)
      })
    )
  })

/** `key` is no longer the session's temporary object (dropped, or replaced by a permanent one). */
export const forgetTemporary = (session: SessionState, key: string): void => {
  bySession.get(session)?.delete(key)
}
