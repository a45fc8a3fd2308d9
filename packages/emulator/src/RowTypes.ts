/**
 * DuckDB column types as Snowflake result columns (`rowtype`), and the SQL that renders a value in
 * the raw text Snowflake sends for that type (all rowset values are strings). DuckDB renders every
 * value itself, column by column, so a result of any size is encoded at DuckDB's speed:
 *
 * | DuckDB                                  | rowtype                   | raw text                                   |
 * | --------------------------------------- | ------------------------- | ------------------------------------------ |
 * | TINYINT … BIGINT, HUGEINT, U*INT        | fixed (precision, 0)      | the integer                                |
 * | DECIMAL(p,s)                            | fixed (p, s)              | the decimal, `s` digits after the point    |
 * | FLOAT, DOUBLE                           | real                      | shortest round-trip text; `inf`, `-inf`, `NaN` |
 * | BOOLEAN                                 | boolean                   | `true` / `false`                           |
 * | VARCHAR, UUID, ENUM, INTERVAL, others   | text                      | DuckDB's text of the value                 |
 * | JSON                                    | variant                   | the JSON text                              |
 * | BLOB                                    | binary                    | upper-case hex                             |
 * | DATE                                    | date                      | days since 1970-01-01                      |
 * | TIME                                    | time (scale 6)            | seconds since midnight, 6 decimals         |
 * | TIMESTAMP (_S, _MS)                     | timestamp_ntz (scale 6)   | epoch seconds, 6 decimals                  |
 * | TIMESTAMP_NS                            | timestamp_ntz (scale 9)   | epoch seconds, 9 decimals                  |
 * | TIMESTAMP WITH TIME ZONE                | timestamp_ltz (scale 6)   | epoch seconds of the instant, 6 decimals   |
 * | LIST, fixed-size ARRAY                  | array                     | JSON text                                  |
 * | STRUCT, MAP                             | object                    | JSON text                                  |
 * | UNION                                   | variant                   | JSON text                                  |
 */

export type SnowflakeType =
  | "fixed"
  | "real"
  | "text"
  | "boolean"
  | "binary"
  | "date"
  | "time"
  | "timestamp_ntz"
  | "timestamp_ltz"
  | "timestamp_tz"
  | "variant"
  | "object"
  | "array"

/** One entry of a response's `rowtype`, as Snowflake sends it. */
export interface RowTypeColumn {
  readonly name: string
  readonly database: string
  readonly schema: string
  readonly table: string
  readonly type: SnowflakeType
  readonly nullable: boolean
  readonly precision: number | null
  readonly scale: number | null
  readonly length: number | null
  readonly byteLength: number | null
  readonly collation: null
}

/** Snowflake's largest VARCHAR and BINARY, the lengths it reports for unbounded text. */
export const MAX_TEXT_LENGTH = 16_777_216
export const MAX_BINARY_LENGTH = 8_388_608

export const column = (
  name: string,
  type: SnowflakeType,
  options: {
    readonly nullable?: boolean
    readonly precision?: number
    readonly scale?: number
  } = {}
): RowTypeColumn => {
  const textual = type === "text" || type === "variant" || type === "object" || type === "array"
  return {
    name,
    database: "",
    schema: "",
    table: "",
    type,
    nullable: options.nullable ?? true,
    precision: options.precision ?? null,
    scale: options.scale ?? (type === "fixed" ? 0 : null),
    length: textual ? MAX_TEXT_LENGTH : type === "binary" ? MAX_BINARY_LENGTH : null,
    byteLength: textual ? MAX_TEXT_LENGTH : type === "binary" ? MAX_BINARY_LENGTH : null,
    collation: null
  }
}

/** How a DuckDB column becomes a Snowflake column: its rowtype, and SQL rendering `value` as raw text. */
export interface Encoding {
  readonly type: SnowflakeType
  readonly precision?: number
  readonly scale?: number
  /** SQL of the raw text of the value `value` (an expression, already quoted), NULL for NULL. */
  readonly render: (value: string) => string
}

const asText = (value: string) => `CAST(${value} AS VARCHAR)`

/**
 * `value` (an integer count of 10^-scale units) as a decimal text with `scale` digits after the point,
 * exact for negative values too (`-1500000` at scale 6 is `-1.500000`).
 */
const scaled = (value: string, scale: number): string => {
  if (scale === 0) return asText(value)
  const unit = 10 ** scale
  return `CASE WHEN ${value} < 0 THEN '-' ELSE '' END || CAST(abs(${value}) // ${unit} AS VARCHAR) || '.' || lpad(CAST(abs(${value}) % ${unit} AS VARCHAR), ${scale}, '0')`
}

const INTEGER_PRECISION: Readonly<Record<string, number>> = {
  TINYINT: 3,
  SMALLINT: 5,
  INTEGER: 10,
  BIGINT: 19,
  HUGEINT: 38,
  UTINYINT: 3,
  USMALLINT: 5,
  UINTEGER: 10,
  UBIGINT: 20,
  UHUGEINT: 38
}

const json = (value: string) => `CAST(to_json(${value}) AS VARCHAR)`

/** The encoding of a DuckDB type as `DESCRIBE` spells it (`DECIMAL(38,2)`, `INTEGER[]`, `STRUCT(a INTEGER)`). */
export const encodingOf = (duckDbType: string): Encoding => {
  const type = duckDbType.trim().toUpperCase()
  const precision = INTEGER_PRECISION[type]
  if (precision !== undefined) return { type: "fixed", precision, scale: 0, render: asText }
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type)
  if (decimal !== null)
    return { type: "fixed", precision: Number(decimal[1]), scale: Number(decimal[2]), render: asText }
  if (/\[\d*\]$/.test(type)) return { type: "array", render: json }
  if (type.startsWith("STRUCT(") || type.startsWith("MAP(")) return { type: "object", render: json }
  if (type.startsWith("UNION(")) return { type: "variant", render: json }
  switch (type) {
    case "FLOAT":
    case "DOUBLE":
      return {
        type: "real",
        render: (value) => `CASE WHEN isnan(${value}) THEN 'NaN' ELSE CAST(${value} AS VARCHAR) END`
      }
    case "BOOLEAN":
      return { type: "boolean", render: asText }
    case "JSON":
      return { type: "variant", render: asText }
    case "BLOB":
      return { type: "binary", render: (value) => `hex(${value})` }
    case "DATE":
      return {
        type: "date",
        render: (value) => `CAST(date_diff('day', DATE '1970-01-01', ${value}) AS VARCHAR)`
      }
    case "TIME":
      return {
        type: "time",
        scale: 6,
        render: (value) =>
          scaled(
            `(hour(${value}) * 3600000000::BIGINT + minute(${value}) * 60000000::BIGINT + microsecond(${value}))`,
            6
          )
      }
    case "TIMESTAMP":
    case "TIMESTAMP_S":
    case "TIMESTAMP_MS":
      return {
        type: "timestamp_ntz",
        scale: 6,
        render: (value) => scaled(`epoch_us(CAST(${value} AS TIMESTAMP))`, 6)
      }
    case "TIMESTAMP_NS":
      return { type: "timestamp_ntz", scale: 9, render: (value) => scaled(`epoch_ns(${value})`, 9) }
    case "TIMESTAMP WITH TIME ZONE":
      return { type: "timestamp_ltz", scale: 6, render: (value) => scaled(`epoch_us(${value})`, 6) }
    default:
      return { type: "text", render: asText }
  }
}

/** The rowtype entry of a column named `name` encoded with `encoding`. */
export const rowTypeOf = (name: string, encoding: Encoding, nullable: boolean): RowTypeColumn =>
  column(name, encoding.type, {
    nullable,
    ...(encoding.precision === undefined ? {} : { precision: encoding.precision }),
    ...(encoding.scale === undefined ? {} : { scale: encoding.scale })
  })
