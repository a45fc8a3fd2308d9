/**
 * Between Arrow columns and JSON, typed by the model signature — what engines that talk to a server in
 * JSON need both ways:
 *
 * - `jsonWriter(feature)` writes one value of an input column as JSON text: 64-bit integers as exact
 *   digits, NaN and infinities as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`, bytes as hex (or
 *   base64), timestamps as `YYYY-MM-DD HH:MM:SS.fff`, OBJECT values (JSON text) as the JSON they hold,
 *   lists as arrays and feature groups as objects. A group that arrives as JSON text (an encoder's
 *   output) is written as that text.
 * - `jsonColumns(features, values)` builds output columns from parsed JSON: each value is checked and
 *   converted to its feature's type (numbers for numbers, exact integers, strings for strings — other
 *   JSON written as text —, objects for groups, arrays for shapes); a value that does not fit fails only
 *   its row, whose outputs are then null, and its row error quotes the value redacted (Redaction.ts).
 */
import { ArrowTypes, DataType, type Signature } from "@runbatch/spec"
import * as Arrow from "./Arrow.ts"
import { redactor as makeRedactor, type Redactor } from "./Redaction.ts"
import type { RowError } from "./RowError.ts"

// ---------------------------------------------------------------------------------------------------
// Arrow → JSON text

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

/** An Arrow value (StructRow, Vector, bigint, typed array…) as plain JSON-ready JavaScript. */
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

// ---------------------------------------------------------------------------------------------------
// JSON → Arrow

class Misfit {
  readonly path: string
  readonly want: string
  readonly value: unknown
  constructor(path: string, want: string, value: unknown) {
    this.path = path
    this.want = want
    this.value = value
  }
  /** The row's error, quoting (redacted, then cut to 60 characters) the value the server gave. */
  message(redactor: Redactor): string {
    const text = JSON.stringify(this.value) ?? String(this.value)
    return `the server's value for ${this.path} is not ${this.want}: ${redactor.snippet(text, 60)}`
  }
}

const misfit = (path: string, want: string, value: unknown): never => {
  throw new Misfit(path, want, value)
}

/** Redacts the secrets remembered in this thread (and credentials of a known shape). */
const threadRedactor = makeRedactor()

/** The value as Arrow's builder for `feature` takes it, or a Misfit. */
const convert = (value: unknown, feature: Signature.Feature, path: string, dims: number): unknown => {
  if (value === null || value === undefined) return null
  const shape = feature.shape ?? []
  if (dims < shape.length) {
    if (!Array.isArray(value)) return misfit(path, "a list", value)
    const want = shape[dims]!
    if (want !== -1 && value.length !== want) return misfit(path, `a list of ${want}`, value)
    return value.map((item, i) => convert(item, feature, `${path}[${i}]`, dims + 1))
  }
  if ("specs" in feature) {
    if (typeof value !== "object" || Array.isArray(value)) return misfit(path, "an object", value)
    const record = value as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const spec of feature.specs) {
      const key =
        spec.name in record
          ? spec.name
          : Object.keys(record).find((k) => k.toUpperCase() === spec.name.toUpperCase())
      out[spec.name] = convert(key === undefined ? null : record[key], spec, `${path}.${spec.name}`, 0)
    }
    return out
  }
  const dtype = feature.dtype
  switch (dtype) {
    case "STRING":
      return typeof value === "string" ? value : JSON.stringify(value)
    case "OBJECT":
      return typeof value === "string" ? value : JSON.stringify(value)
    case "BOOL":
      return typeof value === "boolean" ? value : misfit(path, "true or false", value)
    case "BYTES":
      return typeof value === "string" ? Buffer.from(value, "base64") : misfit(path, "base64 text", value)
    case "TIMESTAMP_NTZ": {
      const millis =
        typeof value === "number" ? value : typeof value === "string" ? Date.parse(timestampIso(value)) : NaN
      return Number.isNaN(millis) ? misfit(path, "a timestamp", value) : millis
    }
    case "FLOAT":
    case "DOUBLE":
      if (typeof value === "number") return value
      if (value === "NaN") return Number.NaN
      if (value === "Infinity" || value === "inf") return Number.POSITIVE_INFINITY
      if (value === "-Infinity" || value === "-inf") return Number.NEGATIVE_INFINITY
      return misfit(path, "a number", value)
    default: {
      if (typeof value !== "number" || !Number.isInteger(value)) return misfit(path, `an integer`, value)
      if (!DataType.fits(dtype, value)) return misfit(path, `within ${dtype}`, value)
      return dtype === "INT64" || dtype === "UINT64" ? BigInt(value) : value
    }
  }
}

/** `2014-01-01 16:00:00.000` read as UTC, like an ISO text without a zone. */
const timestampIso = (text: string): string => {
  const iso = text.includes("T") ? text : text.replace(" ", "T")
  return /[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`
}

/** Validity bits (Arrow's null bitmap) and the null count of `values`. */
const validity = (values: ReadonlyArray<unknown>) => {
  const bits = new Uint8Array((values.length + 7) >> 3)
  let nulls = 0
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nulls++
    else bits[i >> 3]! |= 1 << (i & 7)
  }
  return { nullBitmap: bits, nullCount: nulls }
}

const INT_ARRAYS = {
  8: [Int8Array, Uint8Array],
  16: [Int16Array, Uint16Array],
  32: [Int32Array, Uint32Array]
} as const

/**
 * Arrow data of `type` from converted values, built column by column (Arrow's row-by-row builders cost
 * ten times as much for the nested outputs of a chat completion).
 */
const columnData = (type: Arrow.DataType, values: ReadonlyArray<unknown>): Arrow.Data => {
  const length = values.length
  const { nullBitmap, nullCount } = validity(values)
  const base = { length, nullCount, nullBitmap }
  if (type instanceof Arrow.Int) {
    const data =
      type.bitWidth === 64
        ? type.isSigned
          ? new BigInt64Array(length)
          : new BigUint64Array(length)
        : new INT_ARRAYS[type.bitWidth as 8 | 16 | 32][type.isSigned ? 0 : 1](length)
    for (let i = 0; i < length; i++) {
      const v = values[i]
      if (v !== null && v !== undefined) data[i] = v as never
    }
    return Arrow.makeData({ type, ...base, data } as never)
  }
  if (type instanceof Arrow.Float) {
    const data =
      type.precision === Arrow.Precision.SINGLE ? new Float32Array(length) : new Float64Array(length)
    for (let i = 0; i < length; i++) {
      const v = values[i]
      if (v !== null && v !== undefined) data[i] = v as number
    }
    return Arrow.makeData({ type, ...base, data } as never)
  }
  if (type instanceof Arrow.Bool) {
    const data = new Uint8Array((length + 7) >> 3)
    for (let i = 0; i < length; i++) if (values[i] === true) data[i >> 3]! |= 1 << (i & 7)
    return Arrow.makeData({ type, ...base, data })
  }
  if (type instanceof Arrow.Utf8 || type instanceof Arrow.Binary) {
    const valueOffsets = new Int32Array(length + 1)
    const parts: Array<Uint8Array> = []
    let bytes = 0
    for (let i = 0; i < length; i++) {
      const v = values[i]
      // Each string on its own: joined first, lone surrogates of neighbours would pair up and the
      // offsets (per value) would no longer match the bytes.
      const part = typeof v === "string" ? Buffer.from(v, "utf8") : v instanceof Uint8Array ? v : undefined
      if (part !== undefined) {
        parts.push(part)
        bytes += part.byteLength
      }
      valueOffsets[i + 1] = bytes
    }
    const data = new Uint8Array(Buffer.concat(parts, bytes))
    return Arrow.makeData({ type, ...base, valueOffsets, data } as never)
  }
  if (type instanceof Arrow.Timestamp && type.unit !== Arrow.TimeUnit.SECOND) {
    const scale =
      type.unit === Arrow.TimeUnit.MILLISECOND ? 1 : type.unit === Arrow.TimeUnit.MICROSECOND ? 1e3 : 1e6
    const data = new BigInt64Array(length)
    for (let i = 0; i < length; i++) {
      const v = values[i]
      if (typeof v === "number") data[i] = BigInt(Math.round(v * scale))
    }
    return Arrow.makeData({ type, ...base, data } as never)
  }
  if (type instanceof Arrow.List) {
    const valueOffsets = new Int32Array(length + 1)
    const items: Array<unknown> = []
    for (let i = 0; i < length; i++) {
      const v = values[i]
      if (Array.isArray(v)) for (const item of v) items.push(item)
      valueOffsets[i + 1] = items.length
    }
    const child = columnData(type.children[0]!.type as Arrow.DataType, items)
    return Arrow.makeData({ type, ...base, valueOffsets, child })
  }
  if (type instanceof Arrow.Struct) {
    const children = type.children.map((field) =>
      columnData(
        field.type as Arrow.DataType,
        values.map((v) => (v === null || v === undefined ? null : (v as Record<string, unknown>)[field.name]))
      )
    )
    return Arrow.makeData({ type, ...base, children })
  }
  return Arrow.vectorFromArray(values as Array<unknown>, type).data[0]!
}

/** The column of `feature` for these values (null where the row failed). */
const column = (feature: Signature.Feature, values: ReadonlyArray<unknown>): Arrow.Data =>
  columnData(ArrowTypes.featureType(feature) as Arrow.DataType, values)

export interface JsonColumnsOptions {
  /**
   * Redacts what row errors quote of a value: an endpoint's `redactor` (default: the secrets read in
   * this thread through `secretFromEnvironment`, and credentials of a known shape).
   */
  readonly redactor?: Redactor
}

export interface JsonColumns {
  /** One column per feature, one row per value, typed as the features. */
  readonly batch: Arrow.RecordBatch
  readonly rowErrors: ReadonlyArray<RowError>
}

/**
 * Output columns from one JSON value per row: `pick(value, feature)` gives each feature's value
 * (default: the field of the same name, case-insensitively). A null row gives nulls, and a row with a
 * value that does not fit its feature gets nulls and a row error naming the feature and quoting the
 * value, redacted by `options.redactor` before it is cut short.
 */
export const jsonColumns = (
  features: ReadonlyArray<Signature.Feature>,
  rows: ReadonlyArray<unknown>,
  pick: (row: unknown, feature: Signature.Feature) => unknown = fieldOf,
  options: JsonColumnsOptions = {}
): JsonColumns => {
  const redactor = options.redactor ?? threadRedactor
  const columns = features.map(() => new Array<unknown>(rows.length))
  const rowErrors: Array<RowError> = []
  for (let row = 0; row < rows.length; row++) {
    const value = rows[row]
    if (value === null || value === undefined) {
      for (const out of columns) out[row] = null
      continue
    }
    try {
      for (let f = 0; f < features.length; f++) {
        const feature = features[f]!
        columns[f]![row] = convert(pick(value, feature), feature, feature.name, 0)
      }
    } catch (error) {
      if (!(error instanceof Misfit)) throw error
      for (const out of columns) out[row] = null
      rowErrors.push({ row, message: error.message(redactor) })
    }
  }
  const fields = features.map((f) => new Arrow.Field(f.name, ArrowTypes.featureType(f), true))
  const children = features.map((feature, f) => column(feature, columns[f]!))
  return {
    batch: new Arrow.RecordBatch(
      new Arrow.Schema(fields),
      Arrow.makeData({ type: new Arrow.Struct(fields), length: rows.length, nullCount: 0, children })
    ),
    rowErrors
  }
}

/** The field of an object named as the feature (exactly, else case-insensitively). */
export const fieldOf = (row: unknown, feature: Signature.Feature): unknown => {
  if (typeof row !== "object" || row === null || Array.isArray(row)) return undefined
  const record = row as Record<string, unknown>
  if (feature.name in record) return record[feature.name]
  const key = Object.keys(record).find((k) => k.toUpperCase() === feature.name.toUpperCase())
  return key === undefined ? undefined : record[key]
}
