/**
 * The local registry's changes besides logging: the default version, and deleting a version or a
 * whole model. A deleted folder is first renamed into `.deleted/` (so it vanishes in one step), then
 * removed. A model's default version is never deleted while others remain.
 */
import { join } from "node:path"
import { InvalidSpec, type Json } from "@runbatch/spec"
import { Effect } from "effect"
import { removeFolder, replaceFile } from "./LocalFiles.ts"
import type { ModelRegistryShape } from "./ModelRegistry.ts"
import { VERSION_RECORD } from "./ModelVersionFiles.ts"
import { formatName } from "./ModelVersionInfo.ts"
import { DELETED, json, MODEL_RECORD, type RegistryFolders } from "./RegistryFolders.ts"
import { requireModel, resolveVersion } from "./RegistryState.ts"

export const setDefaultVersion = (registry: RegistryFolders): ModelRegistryShape["setDefaultVersion"] =>
  Effect.fn("ModelRegistry.setDefaultVersion")(function* (name: string, version: string) {
    const state = yield* requireModel(registry, name)
    const wanted = yield* resolveVersion(state, version, false)
    yield* replaceFile(
      yield* registry.inHome(join(registry.modelDir(state.model), MODEL_RECORD)),
      json({ ...state.record, default_version_name: wanted })
    )
  })

export const deleteModel = (registry: RegistryFolders): ModelRegistryShape["deleteModel"] =>
  Effect.fn("ModelRegistry.deleteModel")(function* (name: string) {
    const state = yield* requireModel(registry, name)
    yield* removeFolder(
      yield* registry.inHome(registry.modelDir(state.model)),
      yield* registry.inHome(join(registry.schemaDir(state.model), DELETED))
    )
  })

export const deleteVersion = (registry: RegistryFolders): ModelRegistryShape["deleteVersion"] =>
  Effect.fn("ModelRegistry.deleteVersion")(function* (name: string, version: string) {
    const state = yield* requireModel(registry, name)
    const wanted = yield* resolveVersion(state, version, false)
    if (state.versions.length === 1) return yield* deleteModel(registry)(name)
    if (wanted === state.defaultVersion) {
      return yield* new InvalidSpec({
        spec: "deleteVersion",
        problems: [
          {
            path: "version",
            message: `${wanted} is the default version of ${formatName(state.model)}, and a model's default version is never deleted while others remain. Make another version the default first (setDefaultVersion), or delete the whole model (deleteModel).`
          }
        ]
      })
    }
    yield* removeFolder(
      yield* registry.inHome(registry.versionDir(state.model, wanted)),
      yield* registry.inHome(join(registry.modelDir(state.model), DELETED))
    )
  })

/** What `ALTER MODEL … MODIFY VERSION … SET` changes: a version's comment and metadata. */
export interface VersionChanges {
  readonly comment?: string
  readonly metadata?: Readonly<Record<string, Json>>
}

/**
 * Set a version's comment or metadata (`ALTER MODEL … MODIFY VERSION … SET COMMENT | METADATA`): the
 * registry's bookkeeping of the version, not its files, which never change.
 */
export const modifyVersion = (registry: RegistryFolders) =>
  Effect.fn("ModelRegistry.modifyVersion")(function* (
    name: string,
    version: string,
    changes: VersionChanges
  ) {
    const state = yield* requireModel(registry, name)
    const wanted = yield* resolveVersion(state, version, false)
    const record = state.versions.find((v) => v.name === wanted)!.record
    yield* replaceFile(
      yield* registry.inHome(join(registry.versionDir(state.model, wanted), VERSION_RECORD)),
      json({
        ...record,
        ...(changes.comment === undefined ? {} : { comment: changes.comment }),
        ...(changes.metadata === undefined ? {} : { metadata: changes.metadata })
      })
    )
  })
