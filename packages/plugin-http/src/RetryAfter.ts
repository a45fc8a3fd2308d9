/**
 * A server's Retry-After header, read: seconds, or an HTTP date to come. Whatever it says, the wait is
 * capped by the backoff (Backoff.ts).
 */

/** `delay-seconds` (digits; a fraction is read too). */
const DELAY_SECONDS = /^\s*\d+(\.\d+)?\s*$/
/** An HTTP-date starts with the day's name, in each of its three forms. */
const HTTP_DATE = /^\s*(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/i

/**
 * Retry-After as milliseconds from now: seconds, or an HTTP date to come. Undefined when absent, when
 * the date is past, or when it is neither (a negative or hexadecimal number, `1e3`, a number too large
 * to read, text): the server said nothing usable, so the backoff applies. The value may be huge — the
 * wait is capped by `backoffMillis`.
 */
export const retryAfterMillis = (header: string | ReadonlyArray<string> | undefined): number | undefined => {
  const value = Array.isArray(header) ? header[0] : (header as string | undefined)
  if (value === undefined) return undefined
  if (DELAY_SECONDS.test(value)) {
    const millis = Math.round(Number(value) * 1000)
    return Number.isFinite(millis) ? millis : undefined
  }
  if (!HTTP_DATE.test(value)) return undefined
  const ahead = Date.parse(value) - Date.now()
  return Number.isNaN(ahead) || ahead <= 0 ? undefined : ahead
}
