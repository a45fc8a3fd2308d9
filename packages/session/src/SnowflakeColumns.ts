/**
 * Snowflake result columns as the session's column types, and their values as the canonical values
 * `ArrowColumns` builds vectors from — so a Snowflake result is typed exactly as the local account
 * types the same query (the Sql conformance suite holds both to it):
 *
 * | Snowflake (`rowtype[].type`)     | column type    | value                                           |
 * | -------------------------------- | -------------- | ----------------------------------------------- |
 * | FIXED, scale 0 (NUMBER(p, 0))    | INT64          | bigint; beyond 64 bits a RangeError             |
 * | FIXED, scale > 0                 | DOUBLE         | number (as Snowpark maps NUMBER(p, s))          |
 * | REAL                             | DOUBLE         | number, `inf` / `-inf` / `NaN` included         |
 * | TEXT                             | STRING         | string                                          |
 * | BOOLEAN                          | BOOL           | boolean                                         |
 * | BINARY                           | BYTES          | bytes from hex                                  |
 * | DATE, TIMESTAMP_NTZ/LTZ/TZ       | TIMESTAMP_NTZ  | bigint µs since the epoch, UTC for LTZ/TZ       |
 * | TIME                             | STRING         | `HH:MI:SS[.fraction]`                           |
 * | VARIANT, OBJECT, ARRAY, MAP      | OBJECT         | JSON text                                       |
 *
 * Values arrive as text: the driver is asked for strings (`fetchAsString`) and the session's output
 * formats are set to the ones below, so nothing passes through a JavaScript number or Date on the way.
 */
import type * as Arrow from "apache-arrow"
import { makeTable } from "./ArrowColumns.ts"
import { type ColumnType, scalar } from "./ColumnType.ts"

export interface SnowflakeColumn {
  readonly name: string
  /** `rowtype[].type`, any case: fixed, real, text, boolean, binary, date, time, timestamp_ntz… */
  readonly type: string
  readonly scale?: number | null
  readonly nullable?: boolean
}

/**
 * The session parameters the parsers below expect, set once per connection (`ALTER SESSION SET …`):
 * nine fractional digits, offsets as ±HH:MI, binary as hex.
 */
export const OUTPUT_FORMATS: Readonly<Record<string, string>> = {
  DATE_OUTPUT_FORMAT: "YYYY-MM-DD",
  TIME_OUTPUT_FORMAT: "HH24:MI:SS.FF9",
  TIMESTAMP_NTZ_OUTPUT_FORMAT: "YYYY-MM-DD HH24:MI:SS.FF9",
  TIMESTAMP_LTZ_OUTPUT_FORMAT: "YYYY-MM-DD HH24:MI:SS.FF9 TZH:TZM",
  TIMESTAMP_TZ_OUTPUT_FORMAT: "YYYY-MM-DD HH24:MI:SS.FF9 TZH:TZM",
  BINARY_OUTPUT_FORMAT: "HEX"
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

export const columnTypeOf = (column: SnowflakeColumn): ColumnType => {
  switch (column.type.toLowerCase()) {
    case "fixed":
      return scalar((column.scale ?? 0) === 0 ? "INT64" : "DOUBLE")
    case "real":
      return scalar("DOUBLE")
    case "boolean":
      return scalar("BOOL")
    case "binary":
      return scalar("BYTES")
    case "date":
    case "timestamp_ntz":
    case "timestamp_ltz":
    case "timestamp_tz":
      return scalar("TIMESTAMP_NTZ")
    case "variant":
    case "object":
    case "array":
    case "map":
      return scalar("OBJECT")
    default:
      return scalar("STRING")
  }
}

const integer = (text: string, column: SnowflakeColumn): bigint => {
  const value = BigInt(text)
  if (value < INT64_MIN || value > INT64_MAX)
    throw new RangeError(`${column.name}: ${text} does not fit INT64`)
  return value
}

const real = (text: string): number => {
  switch (text.toLowerCase()) {
    case "inf":
    case "infinity":
      return Number.POSITIVE_INFINITY
    case "-inf":
    case "-infinity":
      return Number.NEGATIVE_INFINITY
    case "nan":
      return Number.NaN
    default:
      return Number(text)
  }
}

const boolean = (text: string): boolean => text === "true" || text === "1" || text.toUpperCase() === "TRUE"

const hexBytes = (text: string, column: SnowflakeColumn): Uint8Array => {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text))
    throw new RangeError(`${column.name}: ${JSON.stringify(text.slice(0, 40))} is not hex`)
  return Uint8Array.from(Buffer.from(text, "hex"))
}

const DATE_TIME =
  /^(-?\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?(?: ?(Z|[+-]\d{2}:?\d{2}))?$/

/** Microseconds since the epoch of a date or timestamp in the output formats above (offset applied). */
const microseconds = (text: string, column: SnowflakeColumn): bigint => {
  const match = DATE_TIME.exec(text.trim())
  if (match === null)
    throw new RangeError(`${column.name}: ${JSON.stringify(text)} is not a date or timestamp`)
  const [, year, month, day, hour = "0", minute = "0", second = "0", fraction = "", offset] = match
  const millis = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second)
  )
  // Date.UTC maps years 0–99 to 1900–1999; set the year exactly.
  const date = new Date(millis)
  date.setUTCFullYear(Number(year))
  let micros = BigInt(date.getTime()) * 1000n + BigInt(fraction.padEnd(6, "0").slice(0, 6))
  if (offset !== undefined && offset !== "Z") {
    const sign = offset.startsWith("-") ? -1n : 1n
    const digits = offset.slice(1).replace(":", "")
    const minutes = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)))
    micros -= sign * minutes * 60_000_000n
  }
  return micros
}

/** One value of `column`, given as the driver's text (null stays null); a RangeError when it does not fit. */
export const parseValue = (column: SnowflakeColumn, text: string | null | undefined): unknown => {
  if (text === null || text === undefined) return null
  switch (column.type.toLowerCase()) {
    case "fixed":
      return (column.scale ?? 0) === 0 ? integer(text, column) : Number(text)
    case "real":
      return real(text)
    case "boolean":
      return boolean(text)
    case "binary":
      return hexBytes(text, column)
    case "date":
    case "timestamp_ntz":
    case "timestamp_ltz":
    case "timestamp_tz":
      return microseconds(text, column)
    default:
      return text
  }
}

/** Rows of text values (one array per row, in column order) as an Arrow table typed by `columns`. */
export const toTable = (
  columns: ReadonlyArray<SnowflakeColumn>,
  rows: ReadonlyArray<ReadonlyArray<string | null>>
): Arrow.Table =>
  makeTable(
    columns.map((column, index) => ({
      name: column.name,
      type: columnTypeOf(column),
      nullable: column.nullable ?? true,
      values: rows.map((row) => parseValue(column, row[index]))
    })),
    rows.length
  )

/** The Arrow schema a Snowflake result of these columns gets, with or without rows. */
export const toSchema = (columns: ReadonlyArray<SnowflakeColumn>): Arrow.Schema => toTable(columns, []).schema
