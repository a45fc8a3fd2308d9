/**
 * The staged input holds each column as the session describes it (docs/packages/session.md, Types):
 * replicas read the staged parquet, and feed engines from it, so a column must be there in the type its
 * feature promises. DuckDB would write some types otherwise: NUMBER(p, s) as a parquet decimal, which
 * replicas read as Arrow Decimal128 — raw unscaled 128-bit words, not the INT64 or DOUBLE values
 * Snowpark maps it to —, DATE as a date, UUID as 16 bytes, MAP as a map. So a query whose columns hold
 * such a type, at any depth (a list of them, a struct field), is staged through a projection casting
 * those columns to their described types; other columns pass untouched, and a query whose columns are
 * all as described is staged as written.
 */
import { type DuckDBType, DuckDBTypeId } from "@duckdb/node-api"
import { Identifier } from "@runbatch/spec"
import { fromDuckDb, toDuckDbSql } from "./ColumnType.ts"
import type { Column } from "./Connection.ts"

/** Types staged as DuckDB writes them: each is its own described type. */
const AS_DESCRIBED = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.BOOLEAN,
  DuckDBTypeId.VARCHAR,
  DuckDBTypeId.BLOB,
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_NS
])

/** Whether `type` is, or holds, a type DuckDB would not stage as described. */
const needsCast = (type: DuckDBType): boolean => {
  switch (type.typeId) {
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return needsCast(type.valueType)
    case DuckDBTypeId.STRUCT:
      return type.entryTypes.some(needsCast)
    default:
      return !AS_DESCRIBED.has(type.typeId)
  }
}

/** `sql` as it is staged: the columns DuckDB would write otherwise cast to their described types. */
export const stagedSql = (sql: string, columns: ReadonlyArray<Column>): string => {
  if (!columns.some((c) => needsCast(c.type))) return sql
  const projection = columns.map((c) => {
    const name = Identifier.quote(c.name)
    return needsCast(c.type) ? `CAST(${name} AS ${toDuckDbSql(fromDuckDb(c.type))}) AS ${name}` : name
  })
  return `SELECT ${projection.join(", ")} FROM (\n${sql}\n)`
}
