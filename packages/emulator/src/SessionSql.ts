/**
 * The local account's Sql and StageStore for a session's current database and schema. The Sql
 * resolves unqualified names against the database and schema it was opened with, so a session opens
 * one per pair it works in (after `USE`), kept until the session ends.
 */
import { LocalAccount, type LocalAccountShape } from "@runbatch/account"
import { Sql, type SqlShape } from "@runbatch/session"
import { StageStore, type StageStoreShape } from "@runbatch/stage-io"
import { Context, Effect, Layer, Scope } from "effect"
import type { SessionState } from "./Sessions.ts"

export interface Workspace {
  readonly sql: SqlShape
  readonly stages: StageStoreShape
  readonly account: LocalAccountShape
}

const workspaces = new WeakMap<SessionState, Map<string, Workspace>>()

/** The Sql, StageStore and account of `database` and `schema` over `home`, kept as long as `session`. */
export const workspaceOf = (
  home: string,
  session: SessionState,
  database: string,
  schema: string,
  options: { readonly threads?: number } = {}
): Effect.Effect<Workspace> =>
  Effect.gen(function* () {
    const byContext = workspaces.get(session) ?? new Map<string, Workspace>()
    workspaces.set(session, byContext)
    const key = `${database}\u0000${schema}`
    const known = byContext.get(key)
    if (known !== undefined) return known
    const layer = Layer.merge(
      Sql.layerLocal(options.threads === undefined ? {} : { threads: options.threads }),
      StageStore.layerLocal()
    ).pipe(Layer.provideMerge(LocalAccount.layer({ home, database, schema })))
    const context = yield* Layer.build(layer).pipe(Scope.provide(session.scope))
    const workspace: Workspace = {
      sql: Context.get(context, Sql),
      stages: Context.get(context, StageStore),
      account: Context.get(context, LocalAccount)
    }
    byContext.set(key, workspace)
    return workspace
  })
