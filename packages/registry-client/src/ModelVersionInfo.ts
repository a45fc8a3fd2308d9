/**
 * What a model version is, as runbatch uses it: its functions with their signatures, the engine that
 * runs it and the engine's options, its files (addressed as `snow://model/…` locations), and the
 * registry's bookkeeping (comment, metadata, creation time, aliases, default or not). Both backends
 * describe versions with these types: the local one from files, the Snowflake one from SQL.
 */

import {
  type FunctionNotFound,
  type FunctionNotSpecified,
  Identifier,
  type Json,
  ModelFunction
} from "@runbatch/spec"
import type { Effect } from "effect"

export interface ModelName {
  readonly database: string
  readonly schema: string
  readonly name: string
}

/** The database and schema a registry keeps its models in (stored names, e.g. `ML`, `PUBLIC`). */
export interface RegistryScope {
  readonly database: string
  readonly schema: string
}

export interface VersionArtifact {
  /** The name it was logged under, e.g. `model.onnx`. */
  readonly name: string
  /** `snow://model/DB.SCHEMA.MODEL/versions/V1/model/artifacts/model.onnx` */
  readonly location: string
  readonly bytes: number
  readonly sha256: string
}

/** Snowflake's system aliases: the default version, the oldest and the newest by creation time. */
export type SystemAlias = "DEFAULT" | "FIRST" | "LAST"
export const SYSTEM_ALIASES: ReadonlyArray<SystemAlias> = ["DEFAULT", "FIRST", "LAST"]

export interface ModelVersionInfo {
  readonly model: ModelName
  readonly version: string
  /**
   * The engine plugin's id, e.g. `onnx`; empty (`ModelVersionReader.NO_ENGINE`) for a version another
   * tool logged (snowflake-ml-python), which no runbatch engine is known to run.
   */
  readonly engine: string
  readonly engineOptions: Readonly<Record<string, Json>>
  readonly functions: ReadonlyArray<ModelFunction.ModelFunction>
  readonly artifacts: ReadonlyArray<VersionArtifact>
  /** `model_type` of the model spec: `runbatch` for versions runbatch logged. */
  readonly modelType: string
  readonly comment: string | undefined
  readonly metadata: Readonly<Record<string, Json>>
  readonly createdOn: string
  readonly aliases: ReadonlyArray<string>
  readonly isDefault: boolean
}

/** A row of `SHOW MODELS`, with the model's version names. */
export interface ModelInfo {
  readonly database: string
  readonly schema: string
  readonly name: string
  readonly comment: string | undefined
  readonly defaultVersion: string | undefined
  readonly createdOn: string
  readonly versions: ReadonlyArray<string>
}

/** A row of `SHOW VERSIONS IN MODEL`, as runbatch reports it. */
export interface VersionRow {
  readonly name: string
  readonly databaseName: string
  readonly schemaName: string
  readonly modelName: string
  readonly createdOn: string
  readonly comment: string | undefined
  /** The system aliases that apply (DEFAULT, FIRST, LAST), as Snowflake lists them. */
  readonly aliases: ReadonlyArray<string>
  readonly isDefaultVersion: boolean
  /** SQL function names. */
  readonly functions: ReadonlyArray<string>
  readonly metadata: Readonly<Record<string, Json>>
  /** The `user_data` section of the version's manifest. */
  readonly userData: Readonly<Record<string, Json>>
}

/** A row of `SHOW FUNCTIONS IN MODEL … VERSION …`, joined with the method's signature. */
export interface FunctionRow {
  /** SQL name, e.g. `PREDICT`. */
  readonly name: string
  /** The method it calls, e.g. `predict`. */
  readonly targetMethod: string
  readonly kind: ModelFunction.FunctionKind
  readonly signature: ModelFunction.ModelFunction["signature"]
}

/** `DB.SCHEMA.MODEL`, parts quoted only where needed. */
export const formatName = (model: ModelName): string => Identifier.formatQualified(model)

/**
 * The function a job runs on a version: `requested` by name (case-insensitively, as an unquoted
 * identifier), or the only one there is; otherwise the original's FunctionNotFound or
 * FunctionNotSpecified.
 */
export const resolveVersionFunction = (
  version: ModelVersionInfo,
  requested?: string
): Effect.Effect<ModelFunction.ModelFunction, FunctionNotFound | FunctionNotSpecified> =>
  ModelFunction.resolve(version.functions, requested, {
    name: formatName(version.model),
    version: version.version
  })
