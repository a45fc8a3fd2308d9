/**
 * Session parameters: what every row response carries in `data.parameters`. The driver formats
 * dates, times, timestamps and binary values with them, and a BINARY column in a response without
 * BINARY_OUTPUT_FORMAT throws inside the driver and takes the client down, so they are always sent.
 * `ALTER SESSION SET` changes them per session; the emulator's time zone is UTC unless set.
 */

export type ParameterValue = string | number | boolean

export const DEFAULT_PARAMETERS: ReadonlyArray<readonly [string, ParameterValue]> = [
  ["TIMEZONE", "UTC"],
  ["DATE_OUTPUT_FORMAT", "YYYY-MM-DD"],
  ["TIME_OUTPUT_FORMAT", "HH24:MI:SS"],
  ["TIMESTAMP_OUTPUT_FORMAT", "YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM"],
  ["TIMESTAMP_NTZ_OUTPUT_FORMAT", "YYYY-MM-DD HH24:MI:SS.FF3"],
  ["TIMESTAMP_LTZ_OUTPUT_FORMAT", ""],
  ["TIMESTAMP_TZ_OUTPUT_FORMAT", ""],
  ["BINARY_OUTPUT_FORMAT", "HEX"],
  ["CLIENT_RESULT_CHUNK_SIZE", 160],
  ["CLIENT_PREFETCH_THREADS", 4],
  ["CLIENT_SESSION_KEEP_ALIVE", false],
  ["CLIENT_SESSION_KEEP_ALIVE_HEARTBEAT_FREQUENCY", 3600],
  ["QUERY_CONTEXT_CACHE_SIZE", 5]
]

/** A session's parameters, defaults first; names are upper case. */
export const defaults = (): Map<string, ParameterValue> => new Map(DEFAULT_PARAMETERS)

/** The `parameters` array of a response. */
export const toWire = (
  parameters: ReadonlyMap<string, ParameterValue>
): ReadonlyArray<{ readonly name: string; readonly value: ParameterValue }> =>
  [...parameters].map(([name, value]) => ({ name, value }))

/**
 * A value as `ALTER SESSION SET NAME = value` gives it: a string literal's text, TRUE/FALSE, a number,
 * or a bare word upper-cased.
 */
export const parseValue = (text: string): ParameterValue => {
  const trimmed = text.trim()
  if (/^'.*'$/s.test(trimmed)) return trimmed.slice(1, -1).replace(/''/g, "'")
  if (/^true$/i.test(trimmed)) return true
  if (/^false$/i.test(trimmed)) return false
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed)
  return trimmed.toUpperCase()
}
