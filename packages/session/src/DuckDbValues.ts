/**
 * DuckDB values as the plain JavaScript values `ArrowColumns` builds vectors from, following the
 * column type mapping of `ColumnType.fromDuckDb`: 64-bit integers and timestamps as bigint (timestamps
 * in microseconds, or nanoseconds for TIMESTAMP_NS), DECIMAL(p, 0) as a bigint and DECIMAL(p, s) as a
 * number, MAP as JSON text, lists and structs as arrays and objects, anything else as its text.
 */
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  type DuckDBDataChunk,
  type DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  type DuckDBResultReader,
  DuckDBStructValue,
  type DuckDBTimestampMillisecondsValue,
  type DuckDBTimestampNanosecondsValue,
  type DuckDBTimestampSecondsValue,
  type DuckDBTimestampValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue
} from "@duckdb/node-api"
import type * as Arrow from "apache-arrow"
import { makeTable } from "./ArrowColumns.ts"
import { fromDuckDb } from "./ColumnType.ts"
import type { Column } from "./Connection.ts"

/** Converts one non-null DuckDB value; throws a RangeError for a value its column type cannot hold. */
export type Converter = (value: DuckDBValue) => unknown

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const MICROS_PER_DAY = 86_400_000_000n

/** Out-of-range dates and timestamps (DuckDB's ±infinity among them) saturate at the int64 limits. */
const clampInt64 = (value: bigint): bigint =>
  value < INT64_MIN ? INT64_MIN : value > INT64_MAX ? INT64_MAX : value

const identity: Converter = (value) => value

const text: Converter = (value) =>
  typeof value === "string" ? value : value instanceof DuckDBBlobValue ? value.toString() : String(value)

/** A DuckDB value as JSON-compatible data, for MAP values (Snowflake OBJECT arrives as JSON text). */
const json = (value: DuckDBValue): unknown => {
  if (
    value === null ||
    typeof value === "boolean" ||
    typeof value === "number" ||
    typeof value === "string"
  ) {
    return value
  }
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString()
  }
  if (value instanceof DuckDBDecimalValue) return value.toDouble()
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(json)
  if (value instanceof DuckDBStructValue) {
    return Object.fromEntries(Object.entries(value.entries).map(([k, v]) => [k, json(v)]))
  }
  if (value instanceof DuckDBMapValue) {
    return Object.fromEntries(value.entries.map((entry) => [String(json(entry.key)), json(entry.value)]))
  }
  return String(value)
}

const decimalAsInt64: Converter = (value) => {
  const v = value instanceof DuckDBDecimalValue ? value.value : BigInt(value as number | bigint)
  if (v < INT64_MIN || v > INT64_MAX) {
    throw new RangeError(`the DECIMAL value ${v} does not fit INT64; cast the column in the query`)
  }
  return v
}

const nested = (convert: Converter) => (value: DuckDBValue) => (value === null ? null : convert(value))

/** The converter for a column of `type`. */
export const converterFor = (type: DuckDBType): Converter => {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.VARCHAR:
      return identity
    case DuckDBTypeId.DECIMAL:
      return type.scale === 0 ? decimalAsInt64 : (value) => (value as DuckDBDecimalValue).toDouble()
    case DuckDBTypeId.BLOB:
      return (value) => (value as DuckDBBlobValue).bytes
    case DuckDBTypeId.DATE:
      return (value) => clampInt64(BigInt((value as DuckDBDateValue).days) * MICROS_PER_DAY)
    case DuckDBTypeId.TIMESTAMP:
      return (value) => (value as DuckDBTimestampValue).micros
    case DuckDBTypeId.TIMESTAMP_S:
      return (value) => clampInt64((value as DuckDBTimestampSecondsValue).seconds * 1_000_000n)
    case DuckDBTypeId.TIMESTAMP_MS:
      return (value) => clampInt64((value as DuckDBTimestampMillisecondsValue).millis * 1_000n)
    case DuckDBTypeId.TIMESTAMP_NS:
      return (value) => (value as DuckDBTimestampNanosecondsValue).nanos
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const element = nested(converterFor(type.valueType))
      return (value) => (value as DuckDBListValue | DuckDBArrayValue).items.map(element)
    }
    case DuckDBTypeId.STRUCT: {
      const fields = type.entryNames.map(
        (name, i) => [name, nested(converterFor(type.entryTypes[i]!))] as const
      )
      return (value) => {
        const entries = (value as DuckDBStructValue).entries
        return Object.fromEntries(fields.map(([name, convert]) => [name, convert(entries[name] ?? null)]))
      }
    }
    case DuckDBTypeId.MAP:
      return (value) => JSON.stringify(json(value))
    default:
      return text
  }
}

/**
 * The first `rows` rows a reader has read, as an Arrow table typed by `ColumnType.fromDuckDb`;
 * `nullable(i)` says whether column i may hold nulls. Throws a RangeError for a value out of range.
 */
export const tableFromReader = (
  reader: DuckDBResultReader,
  rows: number,
  nullable: (column: number) => boolean = () => true
): Arrow.Table => {
  const raw = reader.getColumns()
  return makeTable(
    reader.columnNames().map((name, i) => {
      const type = reader.columnType(i)
      const convert = converterFor(type)
      return {
        name,
        type: fromDuckDb(type),
        nullable: nullable(i),
        values: (raw[i] ?? []).slice(0, rows).map((value) => (value === null ? null : convert(value)))
      }
    }),
    rows
  )
}

/**
 * Streamed rows as Arrow record batches, typed as `tableFromReader` types them: the column types and
 * converters are worked out once, then each chunk becomes one batch (`empty` is the batch of no rows,
 * which still carries the columns). `fromChunk` throws a RangeError for a value out of range.
 */
export const chunkBatches = (
  columns: ReadonlyArray<Column>
): {
  readonly fromChunk: (chunk: DuckDBDataChunk) => Arrow.RecordBatch
  readonly empty: () => Arrow.RecordBatch
} => {
  const typed = columns.map((column) => ({
    name: column.name,
    type: fromDuckDb(column.type),
    convert: converterFor(column.type)
  }))
  const batch = (values: (column: number) => ReadonlyArray<unknown>, rows: number) =>
    makeTable(
      typed.map(({ name, type }, i) => ({ name, type, nullable: true, values: values(i) })),
      rows
    ).batches[0]!
  return {
    fromChunk: (chunk) => {
      const raw = chunk.getColumns()
      return batch(
        (i) => (raw[i] ?? []).map((value) => (value === null ? null : typed[i]!.convert(value))),
        chunk.rowCount
      )
    },
    empty: () => batch(() => [], 0)
  }
}
