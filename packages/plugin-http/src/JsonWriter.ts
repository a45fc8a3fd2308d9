/**
 * Arrow values as JSON text, typed by the model signature — what engines that send a server JSON need:
 * `jsonWriter(feature)` writes one value of an input column: 64-bit integers as exact digits, NaN and
 * infinities as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`, bytes as hex (or base64), timestamps
 * as `YYYY-MM-DD HH:MM:SS.fff`, OBJECT values (JSON text) as the JSON they hold, lists as arrays and
 * feature groups as objects. A group that arrives as JSON text (an encoder's output) is written as that
 * text.
 */
import { plainValue } from "@runbatch/plugin-api"
import type { DataType, Signature } from "@runbatch/spec"

export interface JsonWriterOptions {
  /** How BYTES values are written (default hex, as Snowflake sends BINARY to external functions). */
  readonly binary?: "hex" | "base64"
  /** Leave out fields of feature groups whose value is null (default false). */
  readonly omitNullFields?: boolean
}

/** Writes one value (as `vector.get(row)` returns it) as JSON text; null and undefined as `null`. */
export type JsonWriter = (value: unknown) => string

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** `2014-01-01 16:00:00.000` (UTC) from epoch milliseconds. */
export const timestampText = (millis: number): string => {
  const d = new Date(millis)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
}

const numberText = (value: number): string =>
  Number.isFinite(value)
    ? String(value)
    : Number.isNaN(value)
      ? '"NaN"'
      : value > 0
        ? '"Infinity"'
        : '"-Infinity"'

const toBytes = (value: unknown): Uint8Array | undefined => (value instanceof Uint8Array ? value : undefined)

const scalarWriter = (dtype: DataType.DataType, options: JsonWriterOptions): JsonWriter => {
  switch (dtype) {
    case "STRING":
      return (v) => (v === null || v === undefined ? "null" : JSON.stringify(String(v)))
    case "BOOL":
      return (v) => (v === null || v === undefined ? "null" : v ? "true" : "false")
    case "BYTES":
      return (v) => {
        const bytes = toBytes(v)
        if (bytes === undefined) return v === null || v === undefined ? "null" : JSON.stringify(String(v))
        const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        return JSON.stringify(buffer.toString(options.binary === "base64" ? "base64" : "hex"))
      }
    case "TIMESTAMP_NTZ":
      return (v) =>
        v === null || v === undefined
          ? "null"
          : v instanceof Date
            ? JSON.stringify(timestampText(v.getTime()))
            : JSON.stringify(timestampText(Number(v)))
    case "OBJECT":
      return (v) => {
        if (v === null || v === undefined) return "null"
        if (typeof v === "string") {
          try {
            JSON.parse(v)
            return v
          } catch {
            return JSON.stringify(v)
          }
        }
        return JSON.stringify(plainValue(v))
      }
    default:
      // Numbers: bigints (64-bit columns) as exact digits.
      return (v) =>
        v === null || v === undefined
          ? "null"
          : typeof v === "bigint"
            ? v.toString()
            : typeof v === "number"
              ? numberText(v)
              : numberText(Number(v))
  }
}

const listWriter =
  (element: JsonWriter): JsonWriter =>
  (v) => {
    if (v === null || v === undefined) return "null"
    if (typeof v === "string") return v
    const items = v as { readonly length: number; get?: (i: number) => unknown } & ArrayLike<unknown>
    const parts: Array<string> = []
    for (let i = 0; i < items.length; i++) parts.push(element(items.get ? items.get(i) : items[i]))
    return `[${parts.join(",")}]`
  }

/** A writer for values of `feature` (a column after the runtime brought it to the feature's type). */
export const jsonWriter = (feature: Signature.Feature, options: JsonWriterOptions = {}): JsonWriter => {
  let element: JsonWriter
  if ("specs" in feature) {
    const fields = feature.specs.map((spec) => ({
      name: spec.name,
      key: JSON.stringify(spec.name),
      write: jsonWriter(spec, options)
    }))
    element = (v) => {
      if (v === null || v === undefined) return "null"
      if (typeof v === "string") return v
      const row = v as Record<string, unknown> & { toJSON?: () => Record<string, unknown> }
      const record = typeof row.toJSON === "function" ? row.toJSON() : row
      const parts: Array<string> = []
      for (const field of fields) {
        const value = record[field.name]
        if (options.omitNullFields === true && (value === null || value === undefined)) continue
        parts.push(`${field.key}:${field.write(value)}`)
      }
      return `{${parts.join(",")}}`
    }
  } else {
    element = scalarWriter(feature.dtype, options)
  }
  for (let i = 0; i < (feature.shape?.length ?? 0); i++) element = listWriter(element)
  return element
}
