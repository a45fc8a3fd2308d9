/**
 * The Arrow type each signature DataType travels as, everywhere runbatch builds Arrow data: numbers and
 * booleans by their width, STRING as utf8, BYTES as binary, TIMESTAMP_NTZ as a zone-less timestamp
 * (microseconds, or nanoseconds where the source has them), OBJECT as JSON text (as Snowflake's
 * connectors hand out OBJECT values). Shapes become lists and feature groups structs.
 */
import * as Arrow from "apache-arrow"
import type { DataType } from "./DataType.ts"
import type { Feature, Shape } from "./Signature.ts"

export const scalarType = (
  dtype: DataType,
  options: { readonly nanoseconds?: boolean } = {}
): Arrow.DataType => {
  switch (dtype) {
    case "INT8":
      return new Arrow.Int8()
    case "INT16":
      return new Arrow.Int16()
    case "INT32":
      return new Arrow.Int32()
    case "INT64":
      return new Arrow.Int64()
    case "UINT8":
      return new Arrow.Uint8()
    case "UINT16":
      return new Arrow.Uint16()
    case "UINT32":
      return new Arrow.Uint32()
    case "UINT64":
      return new Arrow.Uint64()
    case "FLOAT":
      return new Arrow.Float32()
    case "DOUBLE":
      return new Arrow.Float64()
    case "BOOL":
      return new Arrow.Bool()
    case "BYTES":
      return new Arrow.Binary()
    case "TIMESTAMP_NTZ":
      return options.nanoseconds === true ? new Arrow.TimestampNanosecond() : new Arrow.TimestampMicrosecond()
    case "STRING":
    case "OBJECT":
      return new Arrow.Utf8()
  }
}

const wrap = (type: Arrow.DataType, shape: Shape | undefined): Arrow.DataType =>
  (shape ?? []).reduceRight<Arrow.DataType>(
    (inner) => new Arrow.List(new Arrow.Field("item", inner, true)),
    type
  )

/** The Arrow type of a whole feature: its scalar type wrapped in lists per dimension, groups as structs. */
export const featureType = (feature: Feature): Arrow.DataType =>
  "specs" in feature
    ? wrap(
        new Arrow.Struct(feature.specs.map((child) => new Arrow.Field(child.name, featureType(child), true))),
        feature.shape
      )
    : wrap(scalarType(feature.dtype), feature.shape)
