/**
 * Waiting for a database file another process holds locked. DuckDB locks a file for the whole process
 * that opens it, so all another process can do is try again: attempts back off exponentially (20 ms,
 * ×1.5 each time, at most 1 s, jittered so waiting processes do not retry in step) until
 * `lockWaitMillis` has passed, then the operation fails with DatabaseBusy. The last wait is cut short
 * so one more attempt falls just past the deadline. Waits follow the Clock (TestClock in tests).
 */
import { DatabaseBusy } from "@runbatch/spec"
import { Clock, Data, Duration, Effect, Schedule } from "effect"

/** An attempt found a database locked by another process: retried, then DatabaseBusy. */
export class LockConflict extends Data.TaggedError("LockConflict")<{ readonly database: string }> {}

const FIRST_WAIT_MILLIS = 20
const GROWTH = 1.5
const LONGEST_WAIT_MILLIS = 1000

/** The waits between attempts at a locked database: recurs while less than `lockWaitMillis` has passed. */
export const lockBackoff = (lockWaitMillis: number): Schedule.Schedule<Duration.Duration, unknown> =>
  Schedule.exponential(Duration.millis(FIRST_WAIT_MILLIS), GROWTH).pipe(
    Schedule.modifyDelay(({ duration }) =>
      Effect.succeed(Duration.min(duration, Duration.millis(LONGEST_WAIT_MILLIS)))
    ),
    Schedule.jittered,
    Schedule.modifyDelay(({ duration, elapsed }) =>
      Effect.succeed(Duration.min(duration, Duration.millis(Math.max(0, lockWaitMillis - elapsed + 1))))
    ),
    Schedule.while(({ elapsed }) => elapsed < lockWaitMillis)
  )

/**
 * Run `attempt`, again while it fails with LockConflict, by `lockBackoff`; past `lockWaitMillis` the
 * last conflict becomes DatabaseBusy naming the database and how long this waited.
 */
export const retryWhileLocked = <A, E, R>(
  attempt: Effect.Effect<A, E | LockConflict, R>,
  lockWaitMillis: number
): Effect.Effect<A, Exclude<E, LockConflict> | DatabaseBusy, R> =>
  Effect.gen(function* () {
    const started = yield* Clock.currentTimeMillis
    return yield* attempt.pipe(
      Effect.retry({
        schedule: lockBackoff(lockWaitMillis),
        while: (error) => error instanceof LockConflict
      }),
      Effect.catchIf(
        (error): error is LockConflict => error instanceof LockConflict,
        (conflict) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.fail(new DatabaseBusy({ database: conflict.database, waitedMillis: now - started }))
          )
      )
    ) as Effect.Effect<A, Exclude<E, LockConflict> | DatabaseBusy, R>
  }).pipe(Effect.withSpan("Warehouse.retryWhileLocked"))
