/**
 * The encoders a job applies: the column handling asked for (each column present and holding text, an
 * encoder installed for its pair), then the handling the engine requires on its features unless that
 * column is handled already. A handled column is matched as the type its encoder delivers, and every
 * plugin used is recorded once, the engine's first.
 */
import {
  type LoadedEngine,
  type PlannedPlugin,
  type PluginHostShape,
  type RequiredHandling,
  requiredColumnHandling
} from "@runbatch/plugin-host"
import {
  ColumnMatching,
  IncompatibleColumnType,
  type InputSpec,
  type JobPlan,
  Signature
} from "@runbatch/spec"
import { Effect } from "effect"
import type { CheckedEncoder } from "./PlanRequest.ts"

export interface ColumnHandlingPlan {
  readonly columnHandling: ReadonlyArray<JobPlan.JobPlan["columnHandling"][number]>
  readonly encoders: ReadonlyArray<CheckedEncoder>
  /** Handled columns by name, as the feature their encoder delivers. */
  readonly effectiveTypes: ReadonlyMap<string, Signature.Feature>
  /** The engine's plugin, then each encoder's, once. */
  readonly plugins: ReadonlyArray<PlannedPlugin>
}

export const planColumnHandling = Effect.fn("JobPlanner.planColumnHandling")(function* (options: {
  readonly host: PluginHostShape
  readonly engine: LoadedEngine
  readonly requested: NonNullable<InputSpec.InputSpec["columnHandling"]>
  readonly inputs: ReadonlyArray<Signature.Feature>
  readonly columns: ReadonlyArray<Signature.Feature>
}) {
  const { host, engine, columns } = options
  const plugins: Array<PlannedPlugin> = [yield* host.plan(engine.record)]
  const encoders: Array<CheckedEncoder> = []
  const effectiveTypes = new Map<string, Signature.Feature>()
  /** Apply an encoder to a column: the plan records it, the column takes its output type. */
  const add = (added: RequiredHandling) =>
    Effect.gen(function* () {
      encoders.push({ handling: added.handling, loaded: added.loaded })
      effectiveTypes.set(added.handling.column, added.effectiveType)
      if (!plugins.some((p) => p.packageName === added.loaded.record.packageName))
        plugins.push(yield* host.plan(added.loaded.record))
    })
  for (const [name, pair] of Object.entries(options.requested)) {
    const column = yield* ColumnMatching.resolveNamedColumn(columns, name, "column_handling")
    if ("specs" in column || column.dtype !== "STRING" || column.shape !== undefined) {
      return yield* new IncompatibleColumnType({
        column: column.name,
        columnType: Signature.describeType(column),
        feature: `column_handling (${pair.inputFormat} → ${pair.convertTo})`,
        featureType: "STRING",
        fix: "Column handling reads stage files named by full stage paths (@DB.SCHEMA.STAGE/path), so the column must hold text; list the files with listStageFiles or select the path column."
      })
    }
    const encoder = yield* host.encoder(pair.inputFormat, pair.convertTo)
    yield* add({
      handling: {
        column: column.name,
        inputFormat: pair.inputFormat,
        convertTo: pair.convertTo,
        encoder: encoder.record.manifest.id
      },
      loaded: encoder,
      effectiveType: Signature.feature(
        column.name,
        encoder.handle.outputType as Signature.FeatureSpec["dtype"]
      )
    })
  }
  const handled = encoders.map((e) => e.handling.column)
  for (const required of yield* requiredColumnHandling(host, engine, options.inputs, columns, handled))
    yield* add(required)
  return {
    columnHandling: encoders.map((e) => e.handling),
    encoders,
    effectiveTypes,
    plugins
  } satisfies ColumnHandlingPlan
})
