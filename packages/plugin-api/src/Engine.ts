/**
 * The Engine contract: running a model. `prepare` runs in the client at plan time (no compute started):
 * it checks the model, options and params, and returns the output schema and what the engine needs.
 * `open` runs in each replica worker and returns a session whose `infer` is called once per batch.
 */
import type { EnginePrepareError, Json, ModelFunction, PluginBatchError, Signature } from "@runbatch/spec"
import type { Effect, Scope } from "effect"
import type * as Arrow from "./Arrow.ts"
import type { FileReader } from "./FileReader.ts"
import { PLUGIN_API_VERSION } from "./PluginApiVersion.ts"
import type { PluginLogger } from "./PluginLogger.ts"
import type { RowError } from "./RowError.ts"

/** A file of the model version (weights, vocabulary, labels), named by stage location. */
export interface Artifact {
  /** The name it was logged under, e.g. `model.onnx`. */
  readonly name: string
  /** Full stage location, e.g. `@DB.SCHEMA.STAGE/…/model.onnx`; read it through FileReader. */
  readonly location: string
  readonly bytes: number
}

export interface PrepareRequest {
  readonly function: {
    readonly name: string
    readonly targetMethod: string
    readonly kind: ModelFunction.FunctionKind
  }
  readonly signature: Signature.ModelSignature
  /** The model version's engine options, overridden by the job's, as JSON values. */
  readonly options: Readonly<Record<string, Json>>
  /** Resolved params: every declared param, canonical names, defaults filled. */
  readonly params: Readonly<Record<string, Json>>
  readonly artifacts: ReadonlyArray<Artifact>
  /** Extra arguments for engines that start a server (e.g. vLLM), already validated. */
  readonly engineArgsOverride: ReadonlyArray<string>
}

export interface EngineCapabilities {
  /** Rows per batch the engine works best with; the runtime uses it when `max_batch_rows` is unset. */
  readonly preferredBatchRows?: number
  /** A hard cap on rows per batch. */
  readonly maxBatchRows?: number
  /** CPU threads one open session uses (e.g. ONNX intra-op threads); counts against the CPU budget. */
  readonly threadsPerSession?: number
  /** Batches one session can take at once (HTTP engines keep many requests in flight). */
  readonly concurrentBatches?: number
}

export interface Prepared {
  /** Columns `infer` returns, named and typed as the signature's outputs (or a subset it documents). */
  readonly outputSchema: ReadonlyArray<Signature.Feature>
  readonly capabilities: EngineCapabilities
  /** Options normalised by the engine (defaults filled); they are stored in the plan. */
  readonly options?: Readonly<Record<string, Json>>
}

export interface OpenRequest extends PrepareRequest {
  readonly outputSchema: ReadonlyArray<Signature.Feature>
  /** CPU threads this session may use, from the replica's CPU budget. */
  readonly threads: number
  readonly replica: number
  readonly worker: number
}

export interface InferResult {
  /** One row per input row, in order; columns as `outputSchema`. */
  readonly outputs: Arrow.RecordBatch
  /** Rows that failed alone; their outputs are null. */
  readonly rowErrors?: ReadonlyArray<RowError>
  /** Counters for progress lines (e.g. prompt and completion tokens). */
  readonly metrics?: Readonly<Record<string, number>>
}

/** An engine opened for one job and worker (an ONNX session, an HTTP pool); closed with its scope. */
export interface EngineSession {
  /**
   * Run the model on one batch. Columns are named as the signature's input features, after column
   * handling. `params` are the resolved job params. Fail with a PluginBatchError (retryable when a
   * retry can help) for a batch-wide failure; report single bad rows in `rowErrors`.
   */
  readonly infer: (
    batch: Arrow.RecordBatch,
    params: Readonly<Record<string, Json>>
  ) => Effect.Effect<InferResult, PluginBatchError, FileReader | PluginLogger>
}

export interface EngineDefinition {
  /** Must equal the manifest's id. */
  readonly id: string
  readonly prepare: (
    request: PrepareRequest
  ) => Effect.Effect<Prepared, EnginePrepareError, FileReader | PluginLogger>
  readonly open: (
    request: OpenRequest
  ) => Effect.Effect<
    EngineSession,
    PluginBatchError | EnginePrepareError,
    Scope.Scope | FileReader | PluginLogger
  >
}

/** What `defineEngine` returns and a plugin's default export is. */
export interface Engine extends EngineDefinition {
  readonly kind: "engine"
  readonly apiVersion: typeof PLUGIN_API_VERSION
}

/** Declare an engine; make it the default export of the plugin package's entry point. */
export const defineEngine = (definition: EngineDefinition): Engine => ({
  ...definition,
  kind: "engine",
  apiVersion: PLUGIN_API_VERSION
})
