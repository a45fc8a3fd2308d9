/**
 * The local registry backend, under the account's home:
 *
 * ```
 * registry/<DB>/<SCHEMA>/<MODEL>/
 *   model.json              comment, default_version_name, created_on (what SHOW MODELS shows)
 *   versions/<VERSION>/     one version in Snowflake's layout (see ModelVersionFiles)
 *   .incoming/<uuid>/       a version being logged
 *   .deleted/<uuid>/        a version being removed
 * ```
 *
 * A version is written in full into `.incoming/` and renamed into `versions/` in one step, and a
 * version folder counts only once its `version.json` (written last) is there, so a crash never leaves a
 * half-logged version that looks valid, nor one that blocks logging it again. Folder names are
 * identifiers through `LocalLayout.segment`, which never starts a name with a dot, so the dotted
 * folders can never collide with a model or version.
 *
 * No folder or file of the registry below the home may be a symbolic link (LocalHome's rule): every
 * path is checked, and used as its real path, just before it is read, written or removed, and one that
 * is a link is refused with LocalFileError naming it. Listings skip model and version folders that are
 * links (they are not models or versions), so a name that is one is not found.
 */
import type { LocalAccountShape } from "@runbatch/account"
import { logModel } from "./LogModel.ts"
import type { ModelRegistryShape } from "./ModelRegistry.ts"
import type { RegistryScope } from "./ModelVersionInfo.ts"
import {
  deleteModel,
  deleteVersion,
  modifyVersion as modifyFolders,
  setDefaultVersion,
  type VersionChanges
} from "./RegistryChanges.ts"
import { makeRegistryFolders } from "./RegistryFolders.ts"
import {
  getModel,
  getVersion,
  listModels,
  resolveFunction,
  showFunctions,
  showVersions
} from "./RegistryReads.ts"

export interface LocalRegistryOptions {
  /** The database unqualified model names live in; default: the account's current database. */
  readonly database?: string
  /** The schema unqualified model names live in; default: the account's current schema. */
  readonly schema?: string
  /** The clock for creation times (tests). */
  readonly now?: () => Date
}

export const make = (account: LocalAccountShape, options: LocalRegistryOptions = {}): ModelRegistryShape =>
  makeScoped(
    account,
    { database: options.database ?? account.database, schema: options.schema ?? account.schema },
    options.now ?? (() => new Date())
  )

/** The registry for the models of `scope`; each operation lives in its own module. */
const makeScoped = (
  account: LocalAccountShape,
  scope: RegistryScope,
  now: () => Date
): ModelRegistryShape => {
  const registry = makeRegistryFolders(account, scope, now)
  return {
    scope,
    forSchema: (other) => makeScoped(account, other, now),
    logModel: logModel(registry),
    getModel: getModel(registry),
    getVersion: getVersion(registry),
    listModels: listModels(registry),
    showVersions: showVersions(registry),
    showFunctions: showFunctions(registry),
    resolveFunction: resolveFunction(registry),
    setDefaultVersion: setDefaultVersion(registry),
    deleteVersion: deleteVersion(registry),
    deleteModel: deleteModel(registry)
  }
}

/**
 * `ALTER MODEL … MODIFY VERSION … SET COMMENT | METADATA` on the local registry (the emulator's): not
 * part of ModelRegistry, whose versions are logged whole.
 */
export const modifyVersion = (
  account: LocalAccountShape,
  scope: RegistryScope,
  now: () => Date = () => new Date()
): ((
  name: string,
  version: string,
  changes: VersionChanges
) => ReturnType<ReturnType<typeof modifyFolders>>) => modifyFolders(makeRegistryFolders(account, scope, now))
