/**
 * Statements in flight and the answers of finished ones, by query id (and by the driver's request id,
 * which is all `cancel()` knows before the first answer). Each statement runs in a fiber of its own,
 * so an `asyncExec` statement outlives its request, and an abort-request interrupts it — DuckDB stops
 * the statement. The last answers are kept for `GET /queries/<id>/result` and
 * `GET /monitoring/queries/<id>`; older ones, and those of a session that ended, are dropped with
 * their chunk files.
 */
import { randomUUID } from "node:crypto"
import { Deferred, Effect, Exit, Fiber } from "effect"
import type { QueryOutcome } from "./QueryExecution.ts"
import type { ResultChunks } from "./ResultChunks.ts"
import { CANCELLED } from "./SnowflakeErrors.ts"

export type QueryStatus = "RUNNING" | "SUCCESS" | "FAILED_WITH_ERROR" | "ABORTED"

interface Tracked {
  readonly queryId: string
  readonly sessionId: number
  status: QueryStatus
  readonly done: Deferred.Deferred<QueryOutcome>
  fiber: Fiber.Fiber<QueryOutcome> | undefined
}

/** Finished answers kept (with their chunk files) for late result requests. */
export const KEPT_ANSWERS = 200

export interface RunningQueries {
  /** Start `run(queryId)` in its own fiber; the outcome is awaited with `outcome`. */
  readonly start: (
    sessionId: number,
    requestId: string | undefined,
    run: (queryId: string) => Effect.Effect<QueryOutcome>
  ) => Effect.Effect<string>
  /** The outcome of a query, waiting at most `waitMillis` (undefined: still running, or unknown). */
  readonly outcome: (queryId: string, waitMillis: number) => Effect.Effect<QueryOutcome | undefined>
  readonly status: (
    queryId: string
  ) => { readonly status: QueryStatus; readonly sessionId: number } | undefined
  /** Cancel a query by its id or by the request id it was sent with; false when none is running. */
  readonly abort: (id: { readonly queryId?: string; readonly requestId?: string }) => Effect.Effect<boolean>
  /** A session ended: cancel its running queries, and forget its answers and their chunk files. */
  readonly endSession: (sessionId: number) => Effect.Effect<void>
  readonly abortAll: Effect.Effect<void>
}

export const makeRunningQueries = (chunks: ResultChunks): RunningQueries => {
  const byId = new Map<string, Tracked>()
  const byRequest = new Map<string, string>()
  const finished: Array<string> = []

  const retire = (queryId: string) =>
    Effect.gen(function* () {
      finished.push(queryId)
      while (finished.length > KEPT_ANSWERS) {
        const old = finished.shift()!
        byId.delete(old)
        yield* chunks.remove(old)
      }
    })

  const interrupt = (tracked: Tracked) =>
    tracked.fiber === undefined || tracked.status !== "RUNNING"
      ? Effect.succeed(false)
      : Effect.as(Fiber.interrupt(tracked.fiber), true)

  return {
    start: (sessionId, requestId, run) =>
      Effect.gen(function* () {
        const queryId = randomUUID()
        const done = yield* Deferred.make<QueryOutcome>()
        const tracked: Tracked = { queryId, sessionId, status: "RUNNING", done, fiber: undefined }
        byId.set(queryId, tracked)
        if (requestId !== undefined) byRequest.set(requestId, queryId)
        const fiber = Effect.runFork(
          run(queryId).pipe(
            Effect.onExit((exit) =>
              Effect.gen(function* () {
                const outcome: QueryOutcome = Exit.isSuccess(exit)
                  ? exit.value
                  : { _tag: "Failure", error: CANCELLED }
                tracked.status = !Exit.isSuccess(exit)
                  ? "ABORTED"
                  : outcome._tag === "Success"
                    ? "SUCCESS"
                    : "FAILED_WITH_ERROR"
                if (requestId !== undefined) byRequest.delete(requestId)
                yield* Deferred.succeed(done, outcome)
                yield* retire(queryId)
              })
            )
          )
        )
        tracked.fiber = fiber
        return queryId
      }),
    outcome: (queryId, waitMillis) => {
      const tracked = byId.get(queryId)
      if (tracked === undefined) return Effect.succeed(undefined)
      return Deferred.await(tracked.done).pipe(
        Effect.timeoutOption(waitMillis),
        Effect.map((option) => (option._tag === "Some" ? option.value : undefined))
      )
    },
    status: (queryId) => {
      const tracked = byId.get(queryId)
      return tracked === undefined ? undefined : { status: tracked.status, sessionId: tracked.sessionId }
    },
    abort: ({ queryId, requestId }) => {
      const id = queryId ?? (requestId === undefined ? undefined : byRequest.get(requestId))
      const tracked = id === undefined ? undefined : byId.get(id)
      return tracked === undefined ? Effect.succeed(false) : interrupt(tracked)
    },
    endSession: (sessionId) =>
      Effect.gen(function* () {
        const ofSession = [...byId.values()].filter((t) => t.sessionId === sessionId)
        yield* Effect.forEach(ofSession, interrupt, { discard: true })
        for (const tracked of ofSession) {
          byId.delete(tracked.queryId)
          yield* chunks.remove(tracked.queryId)
        }
      }),
    abortAll: Effect.forEach([...byId.values()], interrupt, { discard: true })
  }
}
