/**
 * The column types the session hands out, one step from signature types: a scalar signature DataType,
 * a ragged list, a fixed-length array or a struct, nested freely. Every DuckDB type maps to one of
 * them (see `fromDuckDb` and docs/packages/session.md), and each has exactly one Arrow type, one
 * DuckDB SQL type and one signature feature, so `schema()`, `collect()` and `createDataFrame` agree.
 */
import { type DuckDBType, DuckDBTypeId } from "@duckdb/node-api"
import { ArrowTypes, type DataType, Identifier, Signature } from "@runbatch/spec"
import * as Arrow from "apache-arrow"

export type ColumnType =
  | {
      readonly kind: "scalar"
      readonly dtype: DataType.DataType
      /** TIMESTAMP_NTZ kept at nanosecond precision (DuckDB TIMESTAMP_NS); microseconds otherwise. */
      readonly nanoseconds?: boolean
    }
  | { readonly kind: "list"; readonly element: ColumnType }
  | { readonly kind: "array"; readonly element: ColumnType; readonly length: number }
  | { readonly kind: "struct"; readonly fields: ReadonlyArray<StructField> }

export interface StructField {
  readonly name: string
  readonly type: ColumnType
}

export const scalar = (dtype: DataType.DataType): ColumnType => ({ kind: "scalar", dtype })

/** The column type of a DuckDB type; anything without a signature counterpart becomes STRING. */
export const fromDuckDb = (type: DuckDBType): ColumnType => {
  switch (type.typeId) {
    case DuckDBTypeId.TINYINT:
      return scalar("INT8")
    case DuckDBTypeId.SMALLINT:
      return scalar("INT16")
    case DuckDBTypeId.INTEGER:
      return scalar("INT32")
    case DuckDBTypeId.BIGINT:
      return scalar("INT64")
    case DuckDBTypeId.UTINYINT:
      return scalar("UINT8")
    case DuckDBTypeId.USMALLINT:
      return scalar("UINT16")
    case DuckDBTypeId.UINTEGER:
      return scalar("UINT32")
    case DuckDBTypeId.UBIGINT:
      return scalar("UINT64")
    case DuckDBTypeId.FLOAT:
      return scalar("FLOAT")
    case DuckDBTypeId.DOUBLE:
      return scalar("DOUBLE")
    // As Snowpark maps NUMBER(p, 0) and NUMBER(p, s).
    case DuckDBTypeId.DECIMAL:
      return scalar(type.scale === 0 ? "INT64" : "DOUBLE")
    case DuckDBTypeId.BOOLEAN:
      return scalar("BOOL")
    case DuckDBTypeId.VARCHAR:
      return scalar(type.alias?.toUpperCase() === "JSON" ? "OBJECT" : "STRING")
    case DuckDBTypeId.BLOB:
      return scalar("BYTES")
    case DuckDBTypeId.DATE:
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
      return scalar("TIMESTAMP_NTZ")
    case DuckDBTypeId.TIMESTAMP_NS:
      return { kind: "scalar", dtype: "TIMESTAMP_NTZ", nanoseconds: true }
    case DuckDBTypeId.LIST:
      return { kind: "list", element: fromDuckDb(type.valueType) }
    case DuckDBTypeId.ARRAY:
      return { kind: "array", element: fromDuckDb(type.valueType), length: type.length }
    case DuckDBTypeId.STRUCT:
      return {
        kind: "struct",
        fields: type.entryNames.map((name, i) => ({ name, type: fromDuckDb(type.entryTypes[i]!) }))
      }
    case DuckDBTypeId.MAP:
      return scalar("OBJECT")
    default:
      return scalar("STRING")
  }
}

/** The signature feature of a column: lists and arrays become shape dimensions, structs groups. */
export const toFeature = (name: string, type: ColumnType, nullable: boolean): Signature.Feature => {
  const shape: Array<number> = []
  let inner = type
  while (inner.kind === "list" || inner.kind === "array") {
    shape.push(inner.kind === "list" ? -1 : inner.length)
    inner = inner.element
  }
  const options = shape.length === 0 ? {} : { shape }
  if (inner.kind === "struct") {
    return Signature.group(
      name,
      inner.fields.map((field) => toFeature(field.name, field.type, true)),
      options
    )
  }
  return Signature.feature(name, inner.dtype, { ...options, nullable })
}

/** The column type a signature feature describes (`[-1]` a list, `[n]` an array of n, groups structs). */
export const fromFeature = (feature: Signature.Feature): ColumnType => {
  const base: ColumnType = Signature.isGroup(feature)
    ? { kind: "struct", fields: feature.specs.map((spec) => ({ name: spec.name, type: fromFeature(spec) })) }
    : scalar(feature.dtype)
  return [...(feature.shape ?? [])]
    .reverse()
    .reduce<ColumnType>(
      (element, dim) => (dim === -1 ? { kind: "list", element } : { kind: "array", element, length: dim }),
      base
    )
}

const SQL_TYPES: Record<DataType.DataType, string> = {
  INT8: "TINYINT",
  INT16: "SMALLINT",
  INT32: "INTEGER",
  INT64: "BIGINT",
  UINT8: "UTINYINT",
  UINT16: "USMALLINT",
  UINT32: "UINTEGER",
  UINT64: "UBIGINT",
  FLOAT: "FLOAT",
  DOUBLE: "DOUBLE",
  BOOL: "BOOLEAN",
  STRING: "VARCHAR",
  BYTES: "BLOB",
  TIMESTAMP_NTZ: "TIMESTAMP",
  OBJECT: "JSON"
}

/** The DuckDB SQL spelling of a column type, for casts (`STRUCT("x" DOUBLE)[]`, `FLOAT[3]`). */
export const toDuckDbSql = (type: ColumnType): string => {
  switch (type.kind) {
    case "scalar":
      return type.nanoseconds === true ? "TIMESTAMP_NS" : SQL_TYPES[type.dtype]
    case "list":
      return `${toDuckDbSql(type.element)}[]`
    case "array":
      return `${toDuckDbSql(type.element)}[${type.length}]`
    case "struct":
      return `STRUCT(${type.fields.map((f) => `${Identifier.quote(f.name)} ${toDuckDbSql(f.type)}`).join(", ")})`
  }
}

/** The Arrow type of a column type (timestamps without a time zone, OBJECT as JSON text). */
export const toArrow = (type: ColumnType): Arrow.DataType => {
  switch (type.kind) {
    case "scalar":
      return ArrowTypes.scalarType(type.dtype, { nanoseconds: type.nanoseconds === true })
    case "list":
      return new Arrow.List(new Arrow.Field("item", toArrow(type.element), true))
    case "array":
      return new Arrow.FixedSizeList(type.length, new Arrow.Field("item", toArrow(type.element), true))
    case "struct":
      return new Arrow.Struct(type.fields.map((f) => new Arrow.Field(f.name, toArrow(f.type), true)))
  }
}
