/**
 * `createDataFrame(rows, schema)`: plain JavaScript rows checked against signature features and turned
 * into typed columns. Every problem is reported at once (up to a limit) as one InvalidSpec, naming the
 * row and column, rather than a value being coerced or dropped silently.
 *
 * Accepted values per type: integers as safe-integer numbers or bigints within range; FLOAT and DOUBLE
 * as numbers; BOOL as booleans; STRING as strings; BYTES as Uint8Array (Buffer included);
 * TIMESTAMP_NTZ as a Date (its UTC wall-clock time), a `YYYY-MM-DD[ T]HH:MM[:SS[.ffffff]][Z]` string,
 * or a bigint of microseconds since the epoch; OBJECT as a plain object (stored as JSON). Lists are
 * arrays (`[n]` shapes exactly n long), groups plain objects. Row keys and struct keys match column
 * names case-insensitively, as runbatch matches columns; `null` or a missing key is a null.
 */
import { type CaseCollision, DataType, InvalidSpec, type Problem, Signature } from "@runbatch/spec"
import { Effect } from "effect"
import type { ArrowColumn } from "./ArrowColumns.ts"
import { refuseFeatureCollisions } from "./CaseCollisions.ts"
import { type ColumnType, fromFeature } from "./ColumnType.ts"

const SPEC = "createDataFrame rows"
const MAX_PROBLEMS = 20

class Invalid {
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

const describe = (value: unknown): string => {
  if (value === null) return "null"
  if (typeof value === "bigint") return `${value}n`
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (value instanceof Date) return `Date(${value.toISOString()})`
  if (value instanceof Uint8Array) return `${value.length} bytes`
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === "object") return "an object"
  return String(value)
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?Z?$/

const parseTimestamp = (text: string): bigint | undefined => {
  const m = TIMESTAMP.exec(text)
  if (m === null) return undefined
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = ""] = m
  const millis = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  const check = new Date(millis)
  if (Number.isNaN(millis) || check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) {
    return undefined
  }
  return BigInt(millis) * 1000n + BigInt(fraction.padEnd(6, "0").slice(0, 6))
}

const scalarValue = (dtype: DataType.DataType, value: unknown): unknown => {
  const wrong = () => new Invalid(`${describe(value)} is not a ${dtype} value`)
  switch (dtype) {
    case "INT8":
    case "INT16":
    case "INT32":
    case "UINT8":
    case "UINT16":
    case "UINT32":
    case "INT64":
    case "UINT64": {
      const wide = dtype === "INT64" || dtype === "UINT64"
      if (typeof value === "number" && Number.isSafeInteger(value) && DataType.fits(dtype, value)) {
        return wide ? BigInt(value) : value
      }
      if (typeof value === "bigint" && DataType.fits(dtype, value)) return wide ? value : Number(value)
      if ((typeof value === "number" && Number.isInteger(value)) || typeof value === "bigint") {
        return new Invalid(`${describe(value)} is out of range for ${dtype}`)
      }
      return wrong()
    }
    case "FLOAT":
    case "DOUBLE":
      if (typeof value === "number") {
        return DataType.fits(dtype, value) ? value : new Invalid(`${value} is out of range for FLOAT`)
      }
      if (
        typeof value === "bigint" &&
        value >= BigInt(Number.MIN_SAFE_INTEGER) &&
        value <= BigInt(Number.MAX_SAFE_INTEGER)
      ) {
        return Number(value)
      }
      return wrong()
    case "BOOL":
      return typeof value === "boolean" ? value : wrong()
    case "STRING":
      return typeof value === "string" ? value : wrong()
    case "BYTES":
      return value instanceof Uint8Array ? value : wrong()
    case "TIMESTAMP_NTZ": {
      if (value instanceof Date) {
        return Number.isNaN(value.getTime())
          ? new Invalid("the Date is invalid")
          : BigInt(value.getTime()) * 1000n
      }
      if (typeof value === "bigint") return value
      if (typeof value === "string") {
        return (
          parseTimestamp(value) ??
          new Invalid(`${describe(value)} is not a timestamp (write YYYY-MM-DD HH:MM:SS[.ffffff])`)
        )
      }
      return wrong()
    }
    case "OBJECT":
      if (!isPlainObject(value)) return wrong()
      try {
        return JSON.stringify(value)
      } catch (error) {
        return new Invalid(`the object cannot be stored as JSON (${(error as Error).message})`)
      }
  }
}

/** The canonical value of `value` for `type`, or an Invalid saying why not. */
const convert = (type: ColumnType, value: unknown): unknown => {
  if (value === null || value === undefined) return null
  switch (type.kind) {
    case "scalar":
      return scalarValue(type.dtype, value)
    case "list":
    case "array": {
      if (!Array.isArray(value)) return new Invalid(`${describe(value)} is not an array`)
      if (type.kind === "array" && value.length !== type.length) {
        return new Invalid(`the array has ${value.length} elements; the shape says ${type.length}`)
      }
      const items: Array<unknown> = []
      for (const [i, item] of value.entries()) {
        const converted = convert(type.element, item)
        if (converted instanceof Invalid) return new Invalid(`[${i}]: ${converted.message}`)
        items.push(converted)
      }
      return items
    }
    case "struct": {
      if (!isPlainObject(value)) return new Invalid(`${describe(value)} is not an object`)
      const fields = new Map(type.fields.map((f) => [f.name.toUpperCase(), f]))
      const out: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(value)) {
        const field = fields.get(key.toUpperCase())
        if (field === undefined) return new Invalid(`the field ${JSON.stringify(key)} is not in the group`)
        const converted = convert(field.type, item)
        if (converted instanceof Invalid) return new Invalid(`.${field.name}: ${converted.message}`)
        out[field.name] = converted
      }
      return out
    }
  }
}

/** Rows named with a problem shown, at most. */
const ROWS_SHOWN = 5

/**
 * The rows' problems, each said once: the same message about the same field in many rows (an extra
 * key in every row) is one problem, with the count of rows and the first row numbers.
 */
const rowProblems = (total: number) => {
  const kinds = new Map<string, { field: string | undefined; message: string; rows: Array<number> }>()
  return {
    add: (row: number, field: string | undefined, message: string) => {
      const key = JSON.stringify([field, message])
      const kind = kinds.get(key)
      if (kind !== undefined) kind.rows.push(row)
      else if (kinds.size < MAX_PROBLEMS) kinds.set(key, { field, message, rows: [row] })
    },
    list: (): Array<Problem> =>
      [...kinds.values()].map(({ field, message, rows }) => {
        const suffix = field === undefined ? "" : `.${field}`
        if (rows.length === 1) return { path: `rows[${rows[0]}]${suffix}`, message }
        const shown = rows.slice(0, ROWS_SHOWN).join(", ")
        return {
          path: `rows[${shown}${rows.length > ROWS_SHOWN ? ", …" : ""}]${suffix}`,
          message: `${message} (in ${rows.length} of ${total} rows)`
        }
      })
  }
}

/** Check the schema and every value, and return the rows as typed columns. */
export const columnsFromRows = (
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
  schema: ReadonlyArray<Signature.Feature>
): Effect.Effect<Array<ArrowColumn>, InvalidSpec | CaseCollision> =>
  Effect.gen(function* () {
    yield* refuseFeatureCollisions(schema, "The data frame schema")
    yield* Signature.validate(
      Signature.signature(schema, [Signature.feature("output", "DOUBLE")]),
      "schema"
    ).pipe(
      Effect.mapError(
        (e) =>
          new InvalidSpec({
            spec: SPEC,
            problems: [{ path: (e.path ?? "schema").replace(/^schema\.inputs/, "schema"), message: e.reason }]
          })
      )
    )
    const types = schema.map(fromFeature)
    const byKey = new Map(schema.map((feature, i) => [feature.name.toUpperCase(), i]))
    const values = schema.map(() => new Array<unknown>(rows.length).fill(null))
    const problems = rowProblems(rows.length)
    const report = (r: number, field: string | undefined, message: string) => problems.add(r, field, message)
    rows.forEach((row, r) => {
      if (!isPlainObject(row)) {
        report(r, undefined, `a row is a plain object keyed by column name, got ${describe(row)}`)
        return
      }
      const seen = new Set<number>()
      const invalid = new Set<number>()
      for (const [key, value] of Object.entries(row)) {
        const column = byKey.get(key.toUpperCase())
        if (column === undefined) {
          report(r, key, `no such column; the schema has ${schema.map((f) => f.name).join(", ")}`)
          continue
        }
        if (seen.has(column)) {
          report(r, key, `the row names the column ${schema[column]!.name} twice (keys differ by case)`)
          continue
        }
        seen.add(column)
        const converted = convert(types[column]!, value)
        if (converted instanceof Invalid) {
          invalid.add(column)
          report(r, schema[column]!.name, converted.message)
        } else {
          values[column]![r] = converted
        }
      }
      schema.forEach((feature, c) => {
        if (!Signature.isGroup(feature) && !feature.nullable && values[c]![r] === null && !invalid.has(c)) {
          report(r, feature.name, "the value is missing or null, but the column is not nullable")
        }
      })
    })
    const found = problems.list()
    if (found.length > 0) return yield* new InvalidSpec({ spec: SPEC, problems: found })
    return schema.map((feature, c) => ({
      name: feature.name,
      type: types[c]!,
      nullable: Signature.isGroup(feature) ? true : feature.nullable,
      values: values[c]!
    }))
  })
