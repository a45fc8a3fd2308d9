/**
 * The local registry's reads: a model, a version (by name or system alias), every model of the scope,
 * a model's versions and functions as SHOW MODELS / SHOW VERSIONS / SHOW FUNCTIONS give them.
 */
import type { Json } from "@runbatch/spec"
import { Effect, Option } from "effect"
import { functionReads } from "./FunctionReads.ts"
import type { ModelRegistryShape } from "./ModelRegistry.ts"
import type { ModelInfo, VersionRow } from "./ModelVersionInfo.ts"
import type { RegistryFolders } from "./RegistryFolders.ts"
import {
  aliasesOf,
  info,
  loadVersion,
  modelNamesIn,
  requireModel,
  resolveVersion,
  stateOf
} from "./RegistryState.ts"

export const getModel =
  (registry: RegistryFolders): ModelRegistryShape["getModel"] =>
  (name) =>
    Effect.map(requireModel(registry, name), info).pipe(Effect.withSpan("ModelRegistry.getModel"))

export const getVersion = (registry: RegistryFolders): ModelRegistryShape["getVersion"] =>
  Effect.fn("ModelRegistry.getVersion")(function* (name: string, version?: string) {
    const state = yield* requireModel(registry, name)
    return (yield* loadVersion(registry, state, yield* resolveVersion(state, version, true))).info
  })

export const listModels = (registry: RegistryFolders): ModelRegistryShape["listModels"] =>
  Effect.gen(function* () {
    const models: Array<ModelInfo> = []
    for (const name of yield* modelNamesIn(registry, registry.scope)) {
      const state = yield* stateOf(registry, { ...registry.scope, name })
      if (state !== undefined) models.push(info(state))
    }
    return models.sort((a, b) => a.name.localeCompare(b.name))
  }).pipe(Effect.withSpan("ModelRegistry.listModels"))

export const showVersions = (registry: RegistryFolders): ModelRegistryShape["showVersions"] =>
  Effect.fn("ModelRegistry.showVersions")(function* (name: string) {
    const state = yield* requireModel(registry, name)
    const rows: Array<VersionRow> = []
    for (const version of state.versions) {
      const row = {
        name: version.name,
        databaseName: state.model.database,
        schemaName: state.model.schema,
        modelName: state.model.name,
        createdOn: version.record.created_on,
        comment: version.record.comment,
        aliases: aliasesOf(state, version.name),
        isDefaultVersion: state.defaultVersion === version.name,
        metadata: version.record.metadata as Record<string, Json>
      }
      // A version whose files do not read is still listed (as Snowflake lists it), without functions;
      // reading it says what is wrong.
      const loaded = yield* loadVersion(registry, state, version.name).pipe(
        Effect.map(Option.some),
        Effect.catchTag("InvalidModelVersion", () => Effect.succeed(Option.none()))
      )
      rows.push(
        loaded._tag === "Some"
          ? {
              ...row,
              functions: loaded.value.info.functions.map((f) => f.name),
              userData: loaded.value.userData
            }
          : { ...row, functions: [], userData: {} }
      )
    }
    return rows
  })

export const showFunctions = (registry: RegistryFolders): ModelRegistryShape["showFunctions"] =>
  functionReads(getVersion(registry)).showFunctions

export const resolveFunction = (registry: RegistryFolders): ModelRegistryShape["resolveFunction"] =>
  functionReads(getVersion(registry)).resolveFunction
