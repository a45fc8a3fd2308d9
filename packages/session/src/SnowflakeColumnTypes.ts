/**
 * The Snowflake column type a DuckDB column is uploaded as (Snowflake's `createTable` from local files
 * and `createDataFrame` create their tables with these before `COPY INTO`). Chosen so the table reads
 * back typed as the local account types the same file: integers are NUMBER(38,0) (Snowflake's INT),
 * DECIMAL(p,s) keeps its precision and scale. Nested values become VARIANT-family columns (ARRAY,
 * OBJECT), which Snowflake reads back as JSON text. Types Snowflake has no column for (HUGEINT beyond
 * NUMBER's 38 digits, INTERVAL, UUID, BIT, UNION, …) have none: the caller refuses them by name.
 */
import { type DuckDBType, DuckDBTypeId } from "@duckdb/node-api"

/** The Snowflake type of `type`, or undefined when Snowflake has no column type for it. */
export const snowflakeTypeOf = (type: DuckDBType): string | undefined => {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return "BOOLEAN"
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
      return "NUMBER(38,0)"
    case DuckDBTypeId.DECIMAL:
      return `NUMBER(${type.width},${type.scale})`
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return "FLOAT"
    case DuckDBTypeId.VARCHAR:
      return type.alias?.toUpperCase() === "JSON" ? "VARIANT" : "TEXT"
    case DuckDBTypeId.ENUM:
      return "TEXT"
    case DuckDBTypeId.BLOB:
      return "BINARY"
    case DuckDBTypeId.DATE:
      return "DATE"
    case DuckDBTypeId.TIME:
      return "TIME"
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return "TIMESTAMP_NTZ"
    case DuckDBTypeId.TIMESTAMP_TZ:
      return "TIMESTAMP_TZ"
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return "ARRAY"
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
      return "OBJECT"
    default:
      return undefined
  }
}
