/**
 * `logModel` on the local registry. A version is written in full into `.incoming/` and renamed into
 * `versions/` in one step; its `version.json`, written last, is what makes the folder a version.
 */
import { randomUUID } from "node:crypto"
import { dirname, join } from "node:path"
import { Identifier, LocalLayout, ModelVersionExists } from "@runbatch/spec"
import { Effect } from "effect"
import {
  createExclusive,
  deleteTree,
  makeDir,
  moveIntoPlace,
  pathExists,
  removeEmptyFolders,
  removeFolder,
  sweep,
  writeNewFile
} from "./LocalFiles.ts"
import { checkOptions } from "./LogModelOptions.ts"
import type { LogModelOptions, ModelRegistryShape } from "./ModelRegistry.ts"
import {
  USER_DATA,
  userDataJson,
  VERSION_RECORD,
  VersionRecord,
  versionRecordJson
} from "./ModelVersionFiles.ts"
import { formatName, type ModelName } from "./ModelVersionInfo.ts"
import {
  DELETED,
  decodeJson,
  INCOMING,
  json,
  MODEL_RECORD,
  type RegistryFolders,
  STALE_INCOMING_MILLIS
} from "./RegistryFolders.ts"
import { byCreation, loadVersion, stateOf, versionsOf } from "./RegistryState.ts"
import { describe, writeVersionFolder } from "./VersionFolder.ts"

/** Create model.json with the first version as the default, unless another writer already did. */
const ensureModelRecord = (registry: RegistryFolders, model: ModelName) =>
  Effect.gen(function* () {
    const state = yield* stateOf(registry, model)
    if (state === undefined) return
    const first = [...state.versions].sort(byCreation)[0]!
    yield* createExclusive(
      yield* registry.inHome(join(registry.modelDir(model), MODEL_RECORD)),
      json({ created_on: first.record.created_on, default_version_name: first.name })
    )
  })

/** Log a new version: checked, copied into `.incoming/`, then renamed into `versions/` in one step. */
export const logModel = (registry: RegistryFolders): ModelRegistryShape["logModel"] =>
  Effect.fn("ModelRegistry.logModel")(function* (options: LogModelOptions) {
    const model = yield* registry.resolveName(options.name)
    const version = yield* Identifier.resolve(options.version.trim())
    const engine = options.engine.trim().toLowerCase()
    const artifacts = yield* checkOptions(options, engine)
    const display = formatName(model)
    const target = registry.versionDir(model, version)
    const existing = yield* versionsOf(registry, model)
    if (existing.some((v) => v.name === version))
      return yield* new ModelVersionExists({ model: display, version })

    // Checked before anything is created: a link above the model would take the whole log elsewhere.
    const staging = yield* registry.inHome(join(registry.modelDir(model), INCOMING, randomUUID()))
    const written = Effect.gen(function* () {
      yield* makeDir(staging)
      const content = yield* writeVersionFolder(
        staging,
        artifacts,
        describe(options, model.name, engine, registry.now().toISOString())
      )
      yield* writeNewFile(join(staging, USER_DATA), userDataJson(content))
      // Last: the marker that makes the folder a version.
      yield* writeNewFile(join(staging, VERSION_RECORD), versionRecordJson(content))
      // A folder without a record under the version's name is debris (say, a copy interrupted
      // outside runbatch); it is not a version, so it must not block this one. Only a folder that is
      // there and has no record is removed: runbatch's own versions appear whole in one rename, so
      // one that a concurrent log renames in meanwhile is never taken for debris, and the rename
      // below reports it. (Two logs racing over the same debris could still collide; both would
      // have to start while it is there.)
      const realTarget = yield* registry.inHome(target)
      if (yield* pathExists(realTarget)) {
        const record = decodeJson(VersionRecord, yield* registry.readText(join(target, VERSION_RECORD)))
        if (record === undefined)
          yield* removeFolder(realTarget, yield* registry.inHome(join(registry.modelDir(model), DELETED)))
      }
      yield* makeDir(yield* registry.inHome(registry.versionsDir(model)))
      return yield* moveIntoPlace(staging, yield* registry.inHome(target))
    }).pipe(
      Effect.ensuring(Effect.ignore(deleteTree(staging))),
      // A failed log leaves no trace: the folders it created for the model, if bare, go too.
      Effect.onError(() =>
        Effect.flatMap(
          Effect.orElseSucceed(registry.inHome(LocalLayout.registryDir(registry.account.home)), () => ""),
          (root) => (root === "" ? Effect.void : removeEmptyFolders(dirname(staging), root))
        )
      )
    )
    if ((yield* written) === "exists") return yield* new ModelVersionExists({ model: display, version })

    yield* ensureModelRecord(registry, model)
    yield* sweep(yield* registry.inHome(join(registry.modelDir(model), DELETED)), 0, registry.now().getTime())
    yield* sweep(
      yield* registry.inHome(join(registry.modelDir(model), INCOMING)),
      STALE_INCOMING_MILLIS,
      registry.now().getTime()
    )
    const state = yield* stateOf(registry, model)
    return (yield* loadVersion(registry, state!, version)).info
  })
