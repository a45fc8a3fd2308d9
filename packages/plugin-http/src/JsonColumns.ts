/**
 * Output columns from parsed JSON, typed by the model signature — what engines that read a server's
 * JSON answer need: `jsonColumns(features, values)` checks each value and converts it to its feature's
 * type (numbers for numbers, exact integers, strings for strings — other JSON written as text —,
 * objects for groups, arrays for shapes); a value that does not fit fails only its row, whose outputs
 * are then null, and its row error quotes the value redacted (Redaction.ts).
 */
import { Arrow, type RowError } from "@runbatch/plugin-api"
import { ArrowTypes, DataType, type Signature } from "@runbatch/spec"
import { columnData } from "./ColumnData.ts"
import { redactor as makeRedactor, type Redactor } from "./Redaction.ts"

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
