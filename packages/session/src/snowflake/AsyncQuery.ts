/**
 * A statement run asynchronously (`asyncExec`): submitted, its status polled with backoff until it
 * stops running, then its result fetched by query id (rows, or a row stream). No HTTP request stays
 * open for a long statement, and an interrupted Effect cancels the query by its id with
 * `SYSTEM$CANCEL_QUERY`, which Snowflake honours from any request of the session.
 */
import { Duration, Effect, Schedule } from "effect"
import type SnowflakeSdk from "snowflake-sdk"

type DriverConnection = SnowflakeSdk.Connection
type DriverStatement = SnowflakeSdk.RowStatement

/** The driver failed: its error, to be typed by the caller. */
export class DriverFailure {
  readonly _tag = "DriverFailure"
  readonly error: unknown
  constructor(error: unknown) {
    this.error = error
  }
}

/** First status check at once, then 25 ms doubling up to 1 s: short statements cost ~3 round trips. */
export const POLL_SCHEDULE = Schedule.min([
  Schedule.exponential(Duration.millis(25), 2),
  Schedule.spaced(Duration.seconds(1))
])

/** Submit `options.sqlText` with asyncExec: its query id (interrupted: the submission is cancelled). */
const submit = (
  connection: DriverConnection,
  options: Partial<SnowflakeSdk.StatementOption>
): Effect.Effect<string, DriverFailure> =>
  Effect.callback<string, DriverFailure>((resume) => {
    let statement: DriverStatement | undefined
    let finished = false
    try {
      statement = connection.execute({
        ...options,
        asyncExec: true,
        complete: (error, submitted) => {
          finished = true
          const queryId = (submitted as DriverStatement | undefined)?.getQueryId()
          if (error) resume(Effect.fail(new DriverFailure(error)))
          else if (typeof queryId !== "string" || queryId === "")
            resume(Effect.fail(new DriverFailure(new Error("Snowflake gave the statement no query id"))))
          else resume(Effect.succeed(queryId))
        }
      } as SnowflakeSdk.StatementOption) as DriverStatement
    } catch (error) {
      finished = true
      resume(Effect.fail(new DriverFailure(error)))
    }
    return Effect.sync(() => {
      if (!finished) statement?.cancel(() => undefined)
    })
  })

/** Poll the query's status until it no longer runs; fails with Snowflake's error when it failed. */
const awaitDone = (connection: DriverConnection, queryId: string): Effect.Effect<string, DriverFailure> =>
  Effect.tryPromise({
    try: () => connection.getQueryStatusThrowIfError(queryId),
    catch: (error) => new DriverFailure(error)
  }).pipe(
    Effect.repeat({
      schedule: POLL_SCHEDULE,
      while: (status) => connection.isStillRunning(status as SnowflakeSdk.QueryStatus)
    }),
    Effect.flatMap((status) =>
      status === "SUCCESS"
        ? Effect.succeed(status)
        : Effect.fail(new DriverFailure(new Error(`The query ${queryId} ended with status ${status}.`)))
    )
  )

/** The finished query's result: its statement and (unless streamed) its rows. */
const fetch = (
  connection: DriverConnection,
  queryId: string,
  options: Partial<SnowflakeSdk.StatementOption>
): Effect.Effect<{ statement: DriverStatement; rows: Array<unknown> | undefined }, DriverFailure> =>
  Effect.callback((resume) => {
    try {
      connection.fetchResult({
        ...options,
        queryId,
        complete: (error, statement, rows) => {
          if (error) resume(Effect.fail(new DriverFailure(error)))
          else resume(Effect.succeed({ statement: statement as DriverStatement, rows }))
        }
      } as { queryId: string } & Partial<SnowflakeSdk.StatementOption>)
    } catch (error) {
      resume(Effect.fail(new DriverFailure(error)))
    }
  })

/** Cancel a query by its id, ignoring the answer (it may have finished meanwhile). */
export const cancelQuery = (connection: DriverConnection, queryId: string): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    try {
      connection.execute({
        sqlText: `SELECT SYSTEM$CANCEL_QUERY('${queryId.replace(/'/g, "")}')`,
        complete: () => resume(Effect.void)
      })
    } catch {
      resume(Effect.void)
    }
  }).pipe(Effect.timeoutOption("10 seconds"), Effect.asVoid)

/**
 * Run a statement asynchronously: submit, poll, fetch. Interrupted once submitted, it cancels the
 * query by id (and waits for the cancel to be sent, so the session can go on at once).
 */
export const runAsync = (
  connection: DriverConnection,
  options: Partial<SnowflakeSdk.StatementOption>
): Effect.Effect<{ statement: DriverStatement; rows: Array<unknown> | undefined }, DriverFailure> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(restore(submit(connection, options)), (queryId) =>
      restore(Effect.andThen(awaitDone(connection, queryId), fetch(connection, queryId, options))).pipe(
        Effect.onInterrupt(() => cancelQuery(connection, queryId))
      )
    )
  )
