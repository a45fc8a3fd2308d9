/**
 * How long to wait before trying a request again: what the server asked (Retry-After) up to a cap, or
 * a jittered exponential backoff — never longer than a Node timer can wait.
 */

/** The longest a Node timer waits (2^31-1 ms, ~24.8 days); a longer one fires at once, with a warning. */
export const MAX_TIMER_MILLIS = 2 ** 31 - 1

export interface BackoffPolicy {
  /** The first wait, doubled each retry. */
  readonly initialMillis: number
  /** The longest wait, a server's Retry-After included. */
  readonly maxMillis: number
}

/**
 * Delay before retry `n` (1-based). When the server said when to come back (Retry-After), that, at
 * most `maxMillis`, plus up to 20% so that requests told the same do not return together; otherwise
 * exponential from `initialMillis`, capped at `maxMillis`, ±20%. A negative ask counts as 0, a NaN one
 * as none; nothing longer than MAX_TIMER_MILLIS is returned.
 */
export const backoffMillis = (backoff: BackoffPolicy, retry: number, retryAfter?: number): number => {
  const delay =
    retryAfter !== undefined && !Number.isNaN(retryAfter)
      ? Math.min(Math.max(0, retryAfter), backoff.maxMillis) * (1 + Math.random() * 0.2)
      : Math.min(backoff.maxMillis, backoff.initialMillis * 2 ** (retry - 1)) * (0.8 + Math.random() * 0.4)
  return Math.round(Math.min(delay, MAX_TIMER_MILLIS))
}

/** What a retryable failure asks of the runtime's own backoff: the server's ask, within the cap. */
export const cappedRetryAfter = (
  backoff: BackoffPolicy,
  retryAfter: number | undefined
): number | undefined =>
  retryAfter === undefined || Number.isNaN(retryAfter)
    ? undefined
    : Math.min(Math.max(0, retryAfter), backoff.maxMillis, MAX_TIMER_MILLIS)
