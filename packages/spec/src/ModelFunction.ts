/**
 * The functions (methods) of a model version and how a job picks one: by name, case-insensitively as
 * an unquoted Snowflake identifier; or, when none is named, the only one there is. Partitioning rules
 * of the original live here too.
 */
import { Effect } from "effect"
import { FunctionNotFound, FunctionNotSpecified, PartitionNotSupported } from "./errors/ModelErrors.ts"
import * as Identifier from "./Identifier.ts"
import type { ModelSignature } from "./Signature.ts"

export type FunctionKind = "FUNCTION" | "TABLE_FUNCTION"

export interface ModelFunction {
  /** SQL name, e.g. `PREDICT`. */
  readonly name: string
  /** Python method name, e.g. `predict`. */
  readonly targetMethod: string
  readonly kind: FunctionKind
  readonly signature: ModelSignature
  /** Table functions are partitioned by default, as in Snowflake's `function_properties`. */
  readonly partitioned?: boolean
}

const matches = (fn: ModelFunction, requested: string): boolean => {
  const resolved = Effect.runSync(Effect.orElseSucceed(Identifier.resolve(requested.trim()), () => requested))
  return (
    fn.name === resolved ||
    fn.name.toUpperCase() === requested.trim().toUpperCase() ||
    fn.targetMethod.toUpperCase() === requested.trim().toUpperCase()
  )
}

/** Pick the function a job runs, with the original's two errors. */
export const resolve = (
  functions: ReadonlyArray<ModelFunction>,
  requested: string | undefined,
  model: { readonly name: string; readonly version: string }
): Effect.Effect<ModelFunction, FunctionNotFound | FunctionNotSpecified> => {
  const available = functions.map((f) => f.targetMethod)
  if (requested !== undefined) {
    const found = functions.find((fn) => matches(fn, requested))
    return found === undefined
      ? Effect.fail(
          new FunctionNotFound({ function: requested, model: model.name, version: model.version, available })
        )
      : Effect.succeed(found)
  }
  if (functions.length === 1) return Effect.succeed(functions[0]!)
  return Effect.fail(new FunctionNotSpecified({ model: model.name, version: model.version, available }))
}

/** The original's partition rules: scalar functions cannot be partitioned, nor can outputs repeat it. */
export const checkPartitioning = (
  fn: ModelFunction,
  partitionColumn: string | undefined
): Effect.Effect<void, PartitionNotSupported> => {
  if (partitionColumn === undefined) return Effect.void
  if (fn.kind === "FUNCTION") {
    return Effect.fail(
      new PartitionNotSupported({
        reason:
          "partition_column is not supported for FUNCTION type methods in batch inference jobs. Only TABLE_FUNCTION type methods support partitioning."
      })
    )
  }
  const clash = fn.signature.outputs.filter((o) => o.name.toUpperCase() === partitionColumn.toUpperCase())
  if (clash.length > 0) {
    return Effect.fail(
      new PartitionNotSupported({
        reason: `Partitioned model output includes the partition column(s) [${clash.map((c) => `'${c.name}'`).join(", ")}]. Batch inference automatically appends the partition column to the output of partitioned models; please remove [${clash.map((c) => `'${c.name}'`).join(", ")}] from the model output and re-register the model.`
      })
    )
  }
  return Effect.void
}
