/**
 * The Arrow type each output feature is written as, so every part of a job has the same schema
 * whatever batch produced it: numbers and booleans by their DataType, STRING as utf8, BYTES as binary,
 * TIMESTAMP_NTZ as microsecond timestamps, OBJECT as JSON text, lists for shapes and structs for
 * feature groups. Engine outputs are brought to these types (numbers are cast), and a batch the engine
 * never saw (all its rows failed first) gets null columns of them.
 */
import { ArrowTypes, DataType, type Signature } from "@runbatch/spec"
import * as Arrow from "apache-arrow"
import { prepare } from "./FeatureColumns.ts"

export const featureType = ArrowTypes.featureType

/** Null columns for `length` rows of the outputs. */
export const nullOutputs = (outputs: ReadonlyArray<Signature.Feature>, length: number): Arrow.RecordBatch => {
  const fields = outputs.map((f) => new Arrow.Field(f.name, featureType(f), true))
  const children = fields.map(
    (field) =>
      Arrow.vectorFromArray(
        Array.from({ length }, () => null),
        field.type as Arrow.DataType
      ).data[0]!
  )
  const schema = new Arrow.Schema(fields)
  return new Arrow.RecordBatch(
    schema,
    Arrow.makeData({ type: new Arrow.Struct(fields), length, nullCount: 0, children })
  )
}

/**
 * The engine's outputs as the output schema says: columns matched by name (case-insensitively), in
 * the schema's order, scalar numbers cast to their DataType's type. Returns a reason string when a
 * column is missing.
 */
export const normalise = (
  outputs: Arrow.RecordBatch,
  schema: ReadonlyArray<Signature.Feature>
): Arrow.RecordBatch | string => {
  const fields: Array<Arrow.Field> = []
  const children: Array<Arrow.Data> = []
  for (const feature of schema) {
    const field = outputs.schema.fields.find((f) => f.name.toUpperCase() === feature.name.toUpperCase())
    if (field === undefined) {
      return `the engine returned no column "${feature.name}" (it returned ${outputs.schema.fields.map((f) => `"${f.name}"`).join(", ") || "none"}).`
    }
    let vector = outputs.getChild(field.name)!
    if (
      !("specs" in feature) &&
      feature.shape === undefined &&
      (DataType.isNumeric(feature.dtype) || feature.dtype === "BOOL")
    ) {
      vector = prepare(vector, feature, feature.name, { kind: "widen" }).vector
    }
    const data =
      vector.data.length === 1
        ? vector.data[0]!
        : Arrow.vectorFromArray([...vector] as Array<unknown>, vector.type as Arrow.DataType).data[0]!
    fields.push(new Arrow.Field(feature.name, data.type, true))
    children.push(data)
  }
  const result = new Arrow.Schema(fields)
  return new Arrow.RecordBatch(
    result,
    Arrow.makeData({ type: new Arrow.Struct(fields), length: outputs.numRows, nullCount: 0, children })
  )
}
