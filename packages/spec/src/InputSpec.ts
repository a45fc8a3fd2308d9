/**
 * InputSpec: how the job reads its input. `params` go to the model's method; `columnHandling` turns a
 * column of stage file paths into file contents before the model sees it; `partitionColumn` asks for
 * partitioned (table-function) inference. `inputFormat` and `convertTo` are open strings: each names
 * what an installed encoder plugin handles (first-party: `full_stage_path` with `raw_bytes`, `base64`
 * or `base64_data_url`), checked against the installed plugins at plan time.
 */
import { type Effect, Schema } from "effect"
import type { InvalidSpec } from "./errors/SpecErrors.ts"
import { decodeSpec, type Form, fieldNames } from "./internal/decode.ts"
import { PluginValue } from "./internal/fields.ts"

export const ColumnHandling = Schema.Struct({
  inputFormat: PluginValue,
  convertTo: PluginValue
})
export type ColumnHandling = typeof ColumnHandling.Type

export const InputSpec = Schema.Struct({
  params: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
  columnHandling: Schema.optionalKey(Schema.Record(Schema.String, ColumnHandling)),
  partitionColumn: Schema.optionalKey(Schema.String.check(Schema.isNonEmpty()))
})
export type InputSpec = typeof InputSpec.Type
/** What callers may pass: the same fields, before normalisation. */
export type InputSpecInput = typeof InputSpec.Encoded

export const ColumnHandlingWire = ColumnHandling.pipe(
  Schema.encodeKeys({ inputFormat: "input_format", convertTo: "convert_to" })
)

/** The job file's `input:` block (snake_case). */
export const InputSpecWire = Schema.Struct({
  params: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
  columnHandling: Schema.optionalKey(Schema.Record(Schema.String, ColumnHandlingWire)),
  partitionColumn: Schema.optionalKey(Schema.String.check(Schema.isNonEmpty()))
}).pipe(Schema.encodeKeys({ columnHandling: "column_handling", partitionColumn: "partition_column" }))

export const knownFields = fieldNames(InputSpec, ColumnHandling)

export const decode = (input: unknown, form: Form = "ts"): Effect.Effect<InputSpec, InvalidSpec> =>
  decodeSpec(form === "ts" ? InputSpec : InputSpecWire, input ?? {}, { spec: "InputSpec", form, knownFields })
