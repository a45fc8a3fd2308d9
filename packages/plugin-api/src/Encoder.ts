/**
 * The Encoder contract: column handling. An encoder turns one input column (e.g. stage file paths) into
 * what the model takes (e.g. the files' bytes), a batch at a time, before the engine sees the batch.
 */
import type { Json, PluginBatchError } from "@runbatch/spec"
import type { Effect, Scope } from "effect"
import type * as Arrow from "./Arrow.ts"
import type { FileReader } from "./FileReader.ts"
import { PLUGIN_API_VERSION } from "./PluginApiVersion.ts"
import type { PluginLogger } from "./PluginLogger.ts"
import type { RowError } from "./RowError.ts"

/** One column's handling, as the job asked for it. */
export interface EncodeRequest {
  /** The input column's name. */
  readonly column: string
  readonly inputFormat: string
  readonly convertTo: string
}

export interface EncodedColumn {
  /** One value per input row, of the type the manifest declares for the pair; null where a row failed. */
  readonly vector: Arrow.Vector
  readonly rowErrors: ReadonlyArray<RowError>
}

/** An encoder opened for one job and worker; resources it holds are released with its scope. */
export interface EncoderInstance {
  readonly encode: (
    column: Arrow.Vector,
    request: EncodeRequest
  ) => Effect.Effect<EncodedColumn, PluginBatchError, FileReader | PluginLogger>
}

export interface EncoderOpenRequest {
  /** Encoder settings from the job (e.g. a size cap), JSON values. */
  readonly options: Readonly<Record<string, Json>>
}

export interface EncoderDefinition {
  /** Must equal the manifest's id. */
  readonly id: string
  readonly open: (
    request: EncoderOpenRequest
  ) => Effect.Effect<EncoderInstance, PluginBatchError, Scope.Scope | FileReader | PluginLogger>
}

/** What `defineEncoder` returns and a plugin's default export is. */
export interface Encoder extends EncoderDefinition {
  readonly kind: "encoder"
  readonly apiVersion: typeof PLUGIN_API_VERSION
}

/** Declare an encoder; make it the default export of the plugin package's entry point. */
export const defineEncoder = (definition: EncoderDefinition): Encoder => ({
  ...definition,
  kind: "encoder",
  apiVersion: PLUGIN_API_VERSION
})
