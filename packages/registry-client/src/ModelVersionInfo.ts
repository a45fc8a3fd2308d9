/**
 * What a model version is, as runbatch uses it: its functions with their signatures, the engine that
 * runs it and the engine's options, its files (addressed as `snow://model/…` locations), and the
 * registry's bookkeeping (comment, metadata, creation time, default or not).
 */
import { Identifier, type Json, type ModelFunction } from "@runbatch/spec"

export interface ModelName {
  readonly database: string
  readonly schema: string
  readonly name: string
}

export interface VersionArtifact {
  /** The name it was logged under, e.g. `model.onnx`. */
  readonly name: string
  /** `snow://model/DB.SCHEMA.MODEL/versions/V1/model/artifacts/model.onnx` */
  readonly location: string
  readonly bytes: number
  readonly sha256: string
}

export interface ModelVersionInfo {
  readonly model: ModelName
  readonly version: string
  /** The engine plugin's id, e.g. `onnx`. */
  readonly engine: string
  readonly engineOptions: Readonly<Record<string, Json>>
  readonly functions: ReadonlyArray<ModelFunction.ModelFunction>
  readonly artifacts: ReadonlyArray<VersionArtifact>
  readonly comment: string | undefined
  readonly metadata: Readonly<Record<string, Json>>
  readonly createdOn: string
  readonly isDefault: boolean
}

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
  readonly createdOn: string
  readonly comment: string | undefined
  readonly isDefaultVersion: boolean
  readonly functions: ReadonlyArray<string>
  readonly metadata: Readonly<Record<string, Json>>
  readonly userData: Readonly<Record<string, Json>>
}

/** A row of `SHOW FUNCTIONS IN MODEL … VERSION …`. */
export interface FunctionRow {
  readonly name: string
  readonly targetMethod: string
  readonly kind: ModelFunction.FunctionKind
  readonly signature: ModelFunction.ModelFunction["signature"]
}

/** `DB.SCHEMA.MODEL`, parts quoted only where needed. */
export const formatName = (model: ModelName): string => Identifier.formatQualified(model)
