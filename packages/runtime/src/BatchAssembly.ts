/**
 * Building output batches: every input column passed through unchanged (the same Arrow data, no copy),
 * then the model's outputs, then — when row errors are recorded — an `_ERROR` column, null where the row
 * is fine. Rows that failed before the model are left out of its batch and given null outputs here, so
 * the output keeps exactly one row per input row.
 */
import * as Arrow from "apache-arrow"

export const ERROR_COLUMN = "_ERROR"

/** A vector holding `vector`'s values at `rows`, in that order. */
const take = (vector: Arrow.Vector, rows: ReadonlyArray<number>): Arrow.Vector =>
  Arrow.vectorFromArray(
    rows.map((row) => vector.get(row) as unknown),
    vector.type as Arrow.DataType
  )

/** The batch reduced to `rows` (kept in order). */
export const selectRows = (batch: Arrow.RecordBatch, rows: ReadonlyArray<number>): Arrow.RecordBatch => {
  if (rows.length === batch.numRows) return batch
  const columns: Record<string, Arrow.Vector> = {}
  for (const field of batch.schema.fields) columns[field.name] = take(batch.getChild(field.name)!, rows)
  return recordBatch(batch.schema.fields, columns, rows.length)
}

/** Outputs computed for `rows` of a batch of `length` rows, spread back with nulls elsewhere. */
export const spreadRows = (
  outputs: Arrow.RecordBatch,
  rows: ReadonlyArray<number>,
  length: number
): Arrow.RecordBatch => {
  if (rows.length === length) return outputs
  const position = new Map(rows.map((row, i) => [row, i]))
  const columns: Record<string, Arrow.Vector> = {}
  for (const field of outputs.schema.fields) {
    const source = outputs.getChild(field.name)!
    columns[field.name] = Arrow.vectorFromArray(
      Array.from({ length }, (_, row) => {
        const at = position.get(row)
        return at === undefined ? null : (source.get(at) as unknown)
      }),
      field.type as Arrow.DataType
    )
  }
  return recordBatch(
    outputs.schema.fields.map((f) => f.clone({ nullable: true })),
    columns,
    length
  )
}

/** A batch of no rows with these columns (what a shard or sample of no rows passes through). */
export const emptyBatch = (schema: Arrow.Schema): Arrow.RecordBatch =>
  new Arrow.RecordBatch(
    schema,
    Arrow.makeData({
      type: new Arrow.Struct(schema.fields),
      length: 0,
      nullCount: 0,
      children: schema.fields.map((field) => Arrow.vectorFromArray([], field.type as Arrow.DataType).data[0]!)
    })
  )

/** A record batch of these columns (each made one chunk). */
export const recordBatch = (
  fields: ReadonlyArray<Arrow.Field>,
  columns: Readonly<Record<string, Arrow.Vector>>,
  length: number
): Arrow.RecordBatch => {
  const schema = new Arrow.Schema([...fields])
  const children = fields.map((field) => single(columns[field.name]!).data[0]!)
  const data = Arrow.makeData({ type: new Arrow.Struct(schema.fields), length, nullCount: 0, children })
  return new Arrow.RecordBatch(schema, data)
}

/** Input columns, then outputs, then `_ERROR` when `errors` is given (one entry per row). */
export const assemble = (
  input: Arrow.RecordBatch,
  outputs: Arrow.RecordBatch,
  errors?: ReadonlyArray<string | null>
): Arrow.RecordBatch => {
  const fields = [...input.schema.fields, ...outputs.schema.fields]
  const columns: Record<string, Arrow.Vector> = {}
  for (const field of input.schema.fields) columns[field.name] = input.getChild(field.name)!
  for (const field of outputs.schema.fields) columns[field.name] = outputs.getChild(field.name)!
  if (errors !== undefined) {
    fields.push(new Arrow.Field(ERROR_COLUMN, new Arrow.Utf8(), true))
    columns[ERROR_COLUMN] = Arrow.vectorFromArray([...errors], new Arrow.Utf8())
  }
  return recordBatch(fields, columns, input.numRows)
}

/** A vector in one Data chunk, as a record batch column must be (copied only when it is chunked). */
export const single = (vector: Arrow.Vector): Arrow.Vector =>
  vector.data.length === 1
    ? vector
    : Arrow.vectorFromArray([...vector] as Array<unknown>, vector.type as Arrow.DataType)
