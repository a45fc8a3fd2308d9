/**
 * The ModelRegistry service: models, their versions, functions and signatures. `layerLocal` keeps them
 * in the local account's `registry/` folder in Snowflake's model-version layout; a Snowflake layer
 * (SHOW MODELS / SHOW VERSIONS / SHOW FUNCTIONS, CREATE MODEL … FROM @stage) will implement the same
 * shape. Names follow Snowflake's rules; unqualified names live in the registry's database and schema.
 * Versions never change once logged.
 */

import { LocalAccount } from "@runbatch/session"
import type {
  FunctionNotFound,
  FunctionNotSpecified,
  InvalidIdentifier,
  InvalidModelVersion,
  InvalidSignature,
  Json,
  LocalFileError,
  ModelFunction,
  ModelNotFound,
  ModelVersionExists,
  ModelVersionNotFound,
  SignatureYaml
} from "@runbatch/spec"
import { Context, type Effect, Layer } from "effect"
import { type LocalRegistryOptions, make as makeLocal } from "./LocalRegistry.ts"
import type { FunctionRow, ModelInfo, ModelVersionInfo, VersionRow } from "./ModelVersionInfo.ts"

export interface LogModelOptions {
  /** `MODEL`, `SCHEMA.MODEL` or `DB.SCHEMA.MODEL`. */
  readonly name: string
  readonly version: string
  /** The engine plugin's id (`onnx`, `vllm`, `custom-http`, …). */
  readonly engine: string
  readonly engineOptions?: Readonly<Record<string, Json>>
  /** Local files to keep with the version: paths, or `{name, path}` to log under another name. */
  readonly artifacts?: ReadonlyArray<string | { readonly name: string; readonly path: string }>
  /** Method name → signature. */
  readonly signatures: SignatureYaml.Signatures
  /** Method name → FUNCTION (default) or TABLE_FUNCTION. */
  readonly functionKinds?: Readonly<Record<string, ModelFunction.FunctionKind>>
  readonly comment?: string
  readonly metadata?: Readonly<Record<string, Json>>
}

export type RegistryError = InvalidIdentifier | ModelNotFound | ModelVersionNotFound | InvalidModelVersion

export interface ModelRegistryShape {
  /** The database and schema unqualified model names live in. */
  readonly scope: { readonly database: string; readonly schema: string }
  readonly logModel: (
    options: LogModelOptions
  ) => Effect.Effect<
    ModelVersionInfo,
    InvalidIdentifier | InvalidSignature | LocalFileError | ModelVersionExists | InvalidModelVersion
  >
  readonly getModel: (name: string) => Effect.Effect<ModelInfo, InvalidIdentifier | ModelNotFound>
  /** A version, or the model's default version when `version` is omitted. */
  readonly getVersion: (name: string, version?: string) => Effect.Effect<ModelVersionInfo, RegistryError>
  readonly listModels: Effect.Effect<ReadonlyArray<ModelInfo>>
  readonly showVersions: (name: string) => Effect.Effect<ReadonlyArray<VersionRow>, RegistryError>
  readonly showFunctions: (
    name: string,
    version?: string
  ) => Effect.Effect<ReadonlyArray<FunctionRow>, RegistryError>
  /** The function a job runs: by name (case-insensitive), or the only one; the original's two errors. */
  readonly resolveFunction: (
    name: string,
    version: string | undefined,
    functionName: string | undefined
  ) => Effect.Effect<ModelFunction.ModelFunction, RegistryError | FunctionNotFound | FunctionNotSpecified>
  readonly setDefaultVersion: (name: string, version: string) => Effect.Effect<void, RegistryError>
  /**
   * Remove a version. The default version can be removed only when it is the last one (then the model
   * goes with it), as Snowflake refuses to drop a default version while others remain.
   */
  readonly deleteVersion: (name: string, version: string) => Effect.Effect<void, RegistryError>
}

export class ModelRegistry extends Context.Service<ModelRegistry, ModelRegistryShape>()(
  "@runbatch/registry-client/ModelRegistry"
) {
  /**
   * The registry of the embedded local account, scoped to a database and schema (default: the
   * account's current ones). Databases, schemas and models come into being with their first version.
   */
  static readonly layerLocal = (
    options: LocalRegistryOptions = {}
  ): Layer.Layer<ModelRegistry, never, LocalAccount> =>
    Layer.effect(
      ModelRegistry,
      LocalAccount.useSync((account) => makeLocal(account, options))
    )
}
