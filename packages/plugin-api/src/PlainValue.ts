/**
 * Arrow values as plain JavaScript: what a plugin needs to hand a batch's values to code that knows
 * nothing of Arrow (a JSON body, a log line, a test's expectations).
 */
import * as Arrow from "./Arrow.ts"

/**
 * An Arrow value (StructRow, Vector, bigint, typed array…) as plain JSON-ready JavaScript: 64-bit
 * integers as numbers when they fit exactly (else their digits), bytes as base64, dates as ISO text,
 * vectors and typed arrays as arrays, struct rows as objects.
 */
export const plainValue = (value: unknown): unknown => {
  if (value === null || value === undefined) return null
  if (typeof value === "bigint")
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString()
  if (typeof value !== "object") return value
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64")
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Arrow.Vector) return Array.from(value, plainValue)
  if (Array.isArray(value) || ArrayBuffer.isView(value))
    return Array.from(value as ArrayLike<unknown>, plainValue)
  const record = (value as { toJSON?: () => unknown }).toJSON?.() ?? value
  return Object.fromEntries(
    Object.entries(record as Record<string, unknown>).map(([k, v]) => [k, plainValue(v)])
  )
}
