/**
 * Column handling an engine's manifest requires on a feature (engine-vllm: chat-messages on
 * `messages`), applied without the user asking unless they already handle that column. The encoder
 * delivers the feature itself, so the column is then matched as that feature. The planner and the
 * testkit's job stager both plan jobs this way.
 */
import { ColumnMatching, IncompatibleColumnType, Signature } from "@runbatch/spec"
import { Effect } from "effect"
import type { LoadedEncoder, LoadedEngine, PluginHostShape } from "./PluginHost.ts"

export interface RequiredHandling {
  readonly handling: {
    readonly column: string
    readonly inputFormat: string
    readonly convertTo: string
    readonly encoder: string
  }
  readonly loaded: LoadedEncoder
  /** The feature the encoded column feeds, named as the column (its effective type). */
  readonly effectiveType: Signature.Feature
}

export const requiredColumnHandling = (
  host: PluginHostShape,
  engine: LoadedEngine,
  inputs: ReadonlyArray<Signature.Feature>,
  columns: ReadonlyArray<Signature.Feature>,
  handled: ReadonlyArray<string>
) =>
  Effect.gen(function* () {
    const requires =
      engine.record.manifest.kind === "engine" ? (engine.record.manifest.handles.requires ?? []) : []
    const required: Array<RequiredHandling> = []
    for (const requirement of requires) {
      const feature = inputs.find((f) => f.name.toUpperCase() === requirement.feature.toUpperCase())
      const column =
        feature === undefined ? undefined : yield* ColumnMatching.findColumn(columns, feature.name)
      if (feature === undefined || column === undefined || handled.includes(column.name)) continue
      if (!Signature.isGroup(column) && (column.dtype !== "STRING" || column.shape !== undefined)) {
        return yield* new IncompatibleColumnType({
          column: column.name,
          columnType: Signature.describeType(column),
          feature: feature.name,
          featureType: Signature.describeType(feature),
          fix: `The ${engine.record.manifest.id} engine reads it with ${requirement.inputFormat} → ${requirement.convertTo} column handling, which takes JSON text or structs.`
        })
      }
      const loaded = yield* host.encoder(requirement.inputFormat, requirement.convertTo)
      required.push({
        handling: {
          column: column.name,
          inputFormat: requirement.inputFormat,
          convertTo: requirement.convertTo,
          encoder: loaded.record.manifest.id
        },
        loaded,
        effectiveType: { ...feature, name: column.name }
      })
    }
    return required
  })
