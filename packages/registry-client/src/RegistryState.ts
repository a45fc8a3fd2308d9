/**
 * The local registry as found on disk: a model's complete versions (folders whose version record is
 * there and readable), its record, default version and aliases, and a version's files read and checked.
 */
import { join } from "node:path"
import {
  closestNames,
  Identifier,
  type InvalidIdentifier,
  InvalidModelVersion,
  type Json,
  type LocalFileError,
  ModelFileLocation,
  ModelNotFound,
  ModelVersionNotFound
} from "@runbatch/spec"
import { Effect, Schema } from "effect"
import { subfolders } from "./LocalFiles.ts"
import { MANIFEST, MODEL_SPEC, USER_DATA, VERSION_RECORD, VersionRecord } from "./ModelVersionFiles.ts"
import {
  formatName,
  type ModelInfo,
  type ModelName,
  type ModelVersionInfo,
  type RegistryScope,
  SYSTEM_ALIASES
} from "./ModelVersionInfo.ts"
import * as ModelVersionReader from "./ModelVersionReader.ts"
import { decodeJson, MODEL_RECORD, nameOf, type RegistryFolders } from "./RegistryFolders.ts"

export const ModelRecord = Schema.Struct({
  created_on: Schema.String,
  default_version_name: Schema.optionalKey(Schema.String),
  comment: Schema.optionalKey(Schema.String)
})
export type ModelRecord = typeof ModelRecord.Type

export interface Version {
  readonly name: string
  readonly record: VersionRecord
}

/** A model as found on disk: its complete versions (by name) and its record. */
export interface ModelState {
  readonly model: ModelName
  readonly versions: ReadonlyArray<Version>
  readonly record: ModelRecord
  readonly defaultVersion: string
}

export const byCreation = (a: Version, b: Version) =>
  a.record.created_on.localeCompare(b.record.created_on) || a.name.localeCompare(b.name)

/** The complete versions of a model: folders whose version record is there and readable. */
export const versionsOf = (
  registry: RegistryFolders,
  model: ModelName
): Effect.Effect<ReadonlyArray<Version>, LocalFileError> =>
  Effect.gen(function* () {
    const versions: Array<Version> = []
    for (const folder of yield* subfolders(yield* registry.inHome(registry.versionsDir(model)))) {
      const name = nameOf(folder)
      if (name === undefined) continue
      const record = decodeJson(
        VersionRecord,
        yield* registry.readText(join(registry.versionsDir(model), folder, VERSION_RECORD))
      )
      if (record !== undefined) versions.push({ name, record })
    }
    return versions.sort((a, b) => a.name.localeCompare(b.name))
  })

/**
 * A model with at least one complete version, or undefined. Without a readable model.json (a crash
 * between renaming the first version in and writing it), the record is derived from the versions.
 */
export const stateOf = (
  registry: RegistryFolders,
  model: ModelName
): Effect.Effect<ModelState | undefined, LocalFileError> =>
  Effect.gen(function* () {
    const versions = yield* versionsOf(registry, model)
    if (versions.length === 0) return undefined
    const first = [...versions].sort(byCreation)[0]!
    const record = decodeJson(
      ModelRecord,
      yield* registry.readText(join(registry.modelDir(model), MODEL_RECORD))
    ) ?? {
      created_on: first.record.created_on,
      default_version_name: first.name
    }
    const named = record.default_version_name
    const defaultVersion = named !== undefined && versions.some((v) => v.name === named) ? named : first.name
    return { model, versions, record, defaultVersion }
  })

export const modelNamesIn = (registry: RegistryFolders, s: RegistryScope) =>
  Effect.map(Effect.flatMap(registry.inHome(registry.schemaDir(s)), subfolders), (folders) =>
    folders.map(nameOf).filter((name): name is string => name !== undefined)
  )

export const requireModel = (
  registry: RegistryFolders,
  name: string
): Effect.Effect<ModelState, InvalidIdentifier | ModelNotFound | LocalFileError> =>
  Effect.gen(function* () {
    const model = yield* registry.resolveName(name)
    const state = yield* stateOf(registry, model)
    if (state !== undefined) return state
    const others: Array<string> = []
    for (const other of yield* modelNamesIn(registry, model)) {
      if (other !== model.name && (yield* versionsOf(registry, { ...model, name: other })).length > 0)
        others.push(other)
    }
    return yield* new ModelNotFound({
      model: formatName(model),
      closest: closestNames(model.name, others).map((n) => formatName({ ...model, name: n }))
    })
  })

const notFound = (state: ModelState, version: string) =>
  new ModelVersionNotFound({
    model: formatName(state.model),
    version,
    available: state.versions.map((v) => v.name)
  })

/** A version by its name as written (`v1` is `V1`), or, failing that, by a system alias. */
export const resolveVersion = (
  state: ModelState,
  text: string | undefined,
  allowAliases: boolean
): Effect.Effect<string, InvalidIdentifier | ModelVersionNotFound> =>
  Effect.gen(function* () {
    if (text === undefined) return state.defaultVersion
    const wanted = yield* Identifier.resolve(text.trim())
    if (state.versions.some((v) => v.name === wanted)) return wanted
    if (allowAliases) {
      const byAge = [...state.versions].sort(byCreation)
      if (wanted === "DEFAULT") return state.defaultVersion
      if (wanted === "FIRST") return byAge[0]!.name
      if (wanted === "LAST") return byAge[byAge.length - 1]!.name
    }
    return yield* notFound(state, wanted)
  })

export const aliasesOf = (state: ModelState, version: string): ReadonlyArray<string> => {
  const byAge = [...state.versions].sort(byCreation)
  const applies = {
    DEFAULT: state.defaultVersion === version,
    FIRST: byAge[0]?.name === version,
    LAST: byAge[byAge.length - 1]?.name === version
  }
  return SYSTEM_ALIASES.filter((alias) => applies[alias])
}

export const loadVersion = (registry: RegistryFolders, state: ModelState, version: string) =>
  Effect.gen(function* () {
    const { model } = state
    const dir = registry.versionDir(model, version)
    const display = formatName(model)
    const record = state.versions.find((v) => v.name === version)!.record
    const read = (file: string) =>
      Effect.flatMap(registry.readText(join(dir, file)), (text) =>
        text === undefined
          ? Effect.fail(new InvalidModelVersion({ model: display, version, reason: `${file} is missing.` }))
          : Effect.succeed(text)
      )
    const parsed = yield* ModelVersionReader.read(
      {
        modelSpecYaml: yield* read(MODEL_SPEC),
        userDataJson: yield* read(USER_DATA),
        manifestYaml: yield* read(MANIFEST)
      },
      display,
      version
    )
    const info: ModelVersionInfo = {
      model,
      version,
      engine: parsed.engine,
      engineOptions: parsed.engineOptions,
      functions: parsed.functions,
      artifacts: parsed.artifacts.map((a) => ({
        name: a.name,
        location: ModelFileLocation.format({ ...model, model: model.name, version, path: a.path }),
        bytes: a.bytes,
        sha256: a.sha256
      })),
      modelType: parsed.modelType,
      comment: record.comment,
      metadata: record.metadata as Record<string, Json>,
      createdOn: record.created_on,
      aliases: aliasesOf(state, version),
      isDefault: state.defaultVersion === version
    }
    return { info, userData: parsed.userData }
  })

/** A model's row as SHOW MODELS gives it. */
export const info = (state: ModelState): ModelInfo => ({
  ...state.model,
  comment: state.record.comment,
  defaultVersion: state.defaultVersion,
  createdOn: state.record.created_on,
  versions: state.versions.map((v) => v.name)
})
