/**
 * When a request is tried again, as a Schedule over its failures: only a transient one (`transient`),
 * after the server's Retry-After when it gave one (`retryAfterOf` reads it; at most the backoff's cap,
 * plus up to 20%), else after a jittered exponential backoff; at most `retries` times (the request's
 * retry budget), then the schedule ends and the last failure stands. Its output is the retry's number
 * (1-based), so a `Schedule.tap` on it counts retries only.
 */
import { Cause, Duration, Effect, Schedule } from "effect"
import { type BackoffPolicy, backoffMillis } from "./Backoff.ts"

export interface RetryRules<Failure> {
  /** Worth trying again: the schedule ends on any other failure. */
  readonly transient: (failure: Failure) => boolean
  /** The wait the server asked for (Retry-After), if it did. */
  readonly retryAfterOf: (failure: Failure) => number | undefined
}

export const retrySchedule = <Failure>(
  backoff: BackoffPolicy,
  retries: number,
  rules: RetryRules<Failure>
): Schedule.Schedule<number, Failure> =>
  Schedule.fromStepWithMetadata(
    Effect.succeed((step: Schedule.InputMetadata<Failure>) =>
      step.attempt > retries || !rules.transient(step.input)
        ? Cause.done(step.attempt - 1)
        : Effect.succeed([
            step.attempt,
            Duration.millis(backoffMillis(backoff, step.attempt, rules.retryAfterOf(step.input)))
          ] as [number, Duration.Duration])
    )
  )
