/**
 * OutputSpec: where results go. `stageLocation` is the exact folder; `baseStageLocation` is a parent
 * under which each job writes `<base>/<job name>/`. Exactly one is given. `mode` is `error` (default:
 * refuse a destination that already holds files) or `overwrite` (clear that destination, and only it,
 * once everything else has been validated).
 */
import { type Effect, Schema, SchemaTransformation } from "effect"
import type { InvalidSpec } from "./errors/SpecErrors.ts"
import { decodeSpec, type Form, fieldNames } from "./internal/decode.ts"
import { StageLocationText } from "./internal/fields.ts"

export const SAVE_MODES = ["error", "overwrite"] as const
export type SaveMode = (typeof SAVE_MODES)[number]

/** `error` | `overwrite`, case-insensitive (`SaveMode.OVERWRITE` in Python reads as `OVERWRITE`). */
export const SaveMode = Schema.String.pipe(
  Schema.decodeTo(
    Schema.Literals(SAVE_MODES),
    SchemaTransformation.transform({
      // The target schema checks the value; the cast only lets the lower-cased text through to it.
      decode: (s) => s.trim().toLowerCase() as SaveMode,
      encode: (s: string) => s
    })
  )
)

const fields = {
  stageLocation: Schema.optionalKey(StageLocationText),
  baseStageLocation: Schema.optionalKey(StageLocationText),
  mode: Schema.optionalKey(SaveMode)
}

const exactlyOneLocation = Schema.makeFilter(
  (spec: { readonly stageLocation?: string; readonly baseStageLocation?: string }) => {
    if (spec.stageLocation !== undefined && spec.baseStageLocation !== undefined) {
      return {
        path: ["stageLocation"],
        issue: "stage_location and base_stage_location are mutually exclusive. Please specify only one."
      }
    }
    if (spec.stageLocation === undefined && spec.baseStageLocation === undefined) {
      return {
        path: ["stageLocation"],
        issue: "Either stage_location or base_stage_location must be provided."
      }
    }
    return undefined
  }
)

export const OutputSpec = Schema.Struct(fields).check(exactlyOneLocation)
export type OutputSpec = typeof OutputSpec.Type
export type OutputSpecInput = typeof OutputSpec.Encoded

/** The job file's `output:` block (snake_case). */
export const OutputSpecWire = Schema.Struct(fields)
  .check(exactlyOneLocation)
  .pipe(Schema.encodeKeys({ stageLocation: "stage_location", baseStageLocation: "base_stage_location" }))

export const knownFields = fieldNames(Schema.Struct(fields))

export const decode = (input: unknown, form: Form = "ts"): Effect.Effect<OutputSpec, InvalidSpec> =>
  decodeSpec(form === "ts" ? OutputSpec : OutputSpecWire, input, { spec: "OutputSpec", form, knownFields })

/** The save mode in force (`error` unless `overwrite` was asked for). */
export const modeOf = (spec: OutputSpec): SaveMode => spec.mode ?? "error"
