/**
 * The ModelRegistry service: models, their versions, functions and signatures. `layerLocal` keeps them
 * in the local account's `registry/` folder in Snowflake's model-version layout; `layerSnowflake`
 * implements the same shape with Snowflake's registry SQL (SHOW MODELS / SHOW VERSIONS / SHOW
 * FUNCTIONS, CREATE MODEL … FROM @stage) and reads versions through the same `ModelVersionReader`.
 *
 * A registry is scoped to one database and schema: unqualified model names live there, and
 * `listModels` lists them. `forSchema` gives the same registry scoped elsewhere; qualified names
 * (`DB.SCHEMA.MODEL`) work from any scope. Names follow Snowflake's rules (`iris` is `IRIS`, `"Iris"`
 * keeps its case). Versions never change once logged.
 */
import { LocalAccount, type LocalAccountOptions } from "@runbatch/account"
import { SnowflakeSession } from "@runbatch/session"
import type {
  FunctionNotFound,
  FunctionNotSpecified,
  InvalidIdentifier,
  InvalidModelVersion,
  InvalidSignature,
  InvalidSpec,
  Json,
  LocalFileError,
  ModelFunction,
  ModelNotFound,
  ModelVersionExists,
  ModelVersionNotFound,
  SignatureYaml,
  SnowflakeStatementError,
  SqlError
} from "@runbatch/spec"
import { Context, type Effect, Layer } from "effect"
import { type LocalRegistryOptions, make as makeLocal } from "./LocalRegistry.ts"
import type {
  FunctionRow,
  ModelInfo,
  ModelVersionInfo,
  RegistryScope,
  VersionRow
} from "./ModelVersionInfo.ts"
import { make as makeSnowflake, type SnowflakeRegistryOptions } from "./SnowflakeRegistry.ts"

export interface LogModelOptions {
  /** `MODEL`, `SCHEMA.MODEL` or `DB.SCHEMA.MODEL`, as written in SQL. */
  readonly name: string
  /** As written in SQL: `v1` is `V1`, `"beta 1"` keeps its case. */
  readonly version: string
  /** The engine plugin's id (`onnx`, `vllm`, `custom-http`, …); lower-cased. */
  readonly engine: string
  readonly engineOptions?: Readonly<Record<string, Json>>
  /** Local files to keep with the version: paths, or `{name, path}` to log under another name. */
  readonly artifacts?: ReadonlyArray<string | { readonly name: string; readonly path: string }>
  /** Method name → signature, e.g. `{predict: …}`. */
  readonly signatures: SignatureYaml.Signatures
  /** Method name → FUNCTION (the default) or TABLE_FUNCTION. */
  readonly functionKinds?: Readonly<Record<string, ModelFunction.FunctionKind>>
  /** The version's comment. */
  readonly comment?: string
  /** The version's metadata (`SHOW VERSIONS` column `metadata`). */
  readonly metadata?: Readonly<Record<string, Json>>
}

/**
 * What a registry on Snowflake can also fail with: its statements' errors (the local registry never
 * fails so).
 */
export type RegistryBackendError = SqlError | SnowflakeStatementError

/** What looking a model or version up can fail with. */
export type LookupError =
  | RegistryBackendError
  | InvalidIdentifier
  | ModelNotFound
  | ModelVersionNotFound
  | InvalidModelVersion
  | LocalFileError

export type LogModelError =
  | RegistryBackendError
  | InvalidIdentifier
  | InvalidSpec
  | InvalidSignature
  | LocalFileError
  | ModelVersionExists
  | InvalidModelVersion

export interface ModelRegistryShape {
  /** The database and schema unqualified model names live in. */
  readonly scope: RegistryScope
  /** The same registry, scoped to another database and schema (stored names, e.g. `ML`, `PUBLIC`). */
  readonly forSchema: (scope: RegistryScope) => ModelRegistryShape
  /**
   * Log a new version. Everything is checked before anything is written; the model (and its database
   * and schema) come into being with its first version, which becomes the default.
   */
  readonly logModel: (options: LogModelOptions) => Effect.Effect<ModelVersionInfo, LogModelError>
  readonly getModel: (
    name: string
  ) => Effect.Effect<ModelInfo, InvalidIdentifier | ModelNotFound | LocalFileError | RegistryBackendError>
  /**
   * A version by name, or by a system alias (`DEFAULT`, `FIRST`, `LAST`); the default version when
   * `version` is omitted.
   */
  readonly getVersion: (name: string, version?: string) => Effect.Effect<ModelVersionInfo, LookupError>
  /** `SHOW MODELS IN SCHEMA`: the models of the registry's scope. */
  readonly listModels: Effect.Effect<ReadonlyArray<ModelInfo>, LocalFileError | RegistryBackendError>
  /** `SHOW VERSIONS IN MODEL`. */
  readonly showVersions: (name: string) => Effect.Effect<ReadonlyArray<VersionRow>, LookupError>
  /** `SHOW FUNCTIONS IN MODEL … VERSION …`, with each function's signature. */
  readonly showFunctions: (
    name: string,
    version?: string
  ) => Effect.Effect<ReadonlyArray<FunctionRow>, LookupError>
  /**
   * The function a job runs: by name (case-insensitively, as an unquoted identifier), or the only one
   * there is; otherwise the original's FunctionNotFound or FunctionNotSpecified.
   */
  readonly resolveFunction: (
    name: string,
    version?: string,
    functionName?: string
  ) => Effect.Effect<ModelFunction.ModelFunction, LookupError | FunctionNotFound | FunctionNotSpecified>
  readonly setDefaultVersion: (name: string, version: string) => Effect.Effect<void, LookupError>
  /**
   * Remove a version. As in Snowflake, the default version is never removed while other versions
   * remain (InvalidSpec; make another one the default first). Removing a model's only version removes
   * the model.
   */
  readonly deleteVersion: (name: string, version: string) => Effect.Effect<void, LookupError | InvalidSpec>
  /** Remove a model and all its versions (`DROP MODEL`). */
  readonly deleteModel: (
    name: string
  ) => Effect.Effect<void, InvalidIdentifier | ModelNotFound | LocalFileError | RegistryBackendError>
}

export class ModelRegistry extends Context.Service<ModelRegistry, ModelRegistryShape>()(
  "@runbatch/registry-client/ModelRegistry"
) {
  /**
   * The registry of the embedded local account, scoped to a database and schema (default: the
   * account's current ones).
   */
  static readonly layerLocal = (
    options: LocalRegistryOptions = {}
  ): Layer.Layer<ModelRegistry, never, LocalAccount> =>
    Layer.effect(
      ModelRegistry,
      LocalAccount.useSync((account) => makeLocal(account, options))
    )

  /** `layerLocal` with its own LocalAccount (home, current database and schema). */
  static readonly layerLocalAccount = (
    options: LocalAccountOptions & LocalRegistryOptions = {}
  ): Layer.Layer<ModelRegistry | LocalAccount> =>
    ModelRegistry.layerLocal(options).pipe(Layer.provideMerge(LocalAccount.layer(options)))

  /**
   * The Model Registry of a Snowflake account, over the session's login, scoped to a database and
   * schema (default: the session's current ones).
   */
  static readonly layerSnowflake = (
    options: SnowflakeRegistryOptions = {}
  ): Layer.Layer<ModelRegistry, never, SnowflakeSession> =>
    Layer.effect(
      ModelRegistry,
      SnowflakeSession.useSync((session) => makeSnowflake(session, options))
    )
}
