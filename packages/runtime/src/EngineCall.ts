/**
 * Calling the engine with retries: a batch that fails with a retryable PluginBatchError (a busy server,
 * a timeout) is tried again after a jittered exponential backoff — never sooner than the server's
 * Retry-After (`retryAfterMillis`) up to the policy's cap, never later than the cap (+20%) whatever
 * it asks — up to a budget of attempts; anything else fails at once.
 */
import type { EngineSession, FileReader, InferResult, PluginLogger } from "@runbatch/plugin-api"
import { backoffMillis, MAX_TIMER_MILLIS } from "@runbatch/plugin-http"
import type { Json, PluginBatchError } from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect } from "effect"

export interface RetryPolicy {
  /** Attempts in all, the first included (default 6). */
  readonly attempts: number
  /** First backoff in milliseconds (default 200), doubled each time, capped at `maxDelayMillis`. */
  readonly baseDelayMillis: number
  readonly maxDelayMillis: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMillis: 200, maxDelayMillis: 30_000 }

/**
 * Delay before retry `n` (1-based): exponential with ±20% jitter, at least the server's ask up to
 * `maxDelayMillis` (an ask of hours, years, or NaN stalls nothing; a negative one counts as none).
 */
export const backoff = (policy: RetryPolicy, retry: number, retryAfterMillis?: number): number => {
  const asked =
    retryAfterMillis === undefined || Number.isNaN(retryAfterMillis)
      ? 0
      : Math.min(Math.max(0, retryAfterMillis), policy.maxDelayMillis)
  const exponential = backoffMillis(
    { initialMillis: policy.baseDelayMillis, maxMillis: policy.maxDelayMillis },
    retry
  )
  return Math.round(Math.min(Math.max(exponential, asked), MAX_TIMER_MILLIS))
}

export const inferWithRetry = (
  session: EngineSession,
  batch: Arrow.RecordBatch,
  params: Readonly<Record<string, Json>>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry: (error: PluginBatchError, delayMillis: number) => Effect.Effect<void> = () => Effect.void
) => {
  const attempt = (n: number): Effect.Effect<InferResult, PluginBatchError, FileReader | PluginLogger> =>
    session.infer(batch, params).pipe(
      Effect.catchTag(
        "PluginBatchError",
        (error): Effect.Effect<InferResult, PluginBatchError, FileReader | PluginLogger> => {
          if (!error.retryable || n >= policy.attempts) return Effect.fail(error)
          const delay = backoff(policy, n, error.retryAfterMillis)
          return onRetry(error, delay).pipe(
            Effect.andThen(Effect.sleep(delay)),
            Effect.andThen(attempt(n + 1))
          )
        }
      )
    )
  return attempt(1)
}
