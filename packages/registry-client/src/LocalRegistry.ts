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
import { randomUUID } from "node:crypto"
import { basename, join } from "node:path"
import type { LocalAccountShape } from "@runbatch/account"
import {
  closestNames,
  Identifier,
  type InvalidIdentifier,
  InvalidModelVersion,
  InvalidSignature,
  InvalidSpec,
  type Json,
  LocalFileError,
  LocalHome,
  LocalLayout,
  ModelFileLocation,
  ModelNotFound,
  ModelVersionExists,
  ModelVersionNotFound,
  Signature
} from "@runbatch/spec"
import { Effect, Schema } from "effect"
import {
  copyWithChecksum,
  createExclusive,
  deleteTree,
  makeDir,
  moveIntoPlace,
  pathExists,
  readTextIfExists,
  removeFolder,
  replaceFile,
  statLocalFile,
  subfolders,
  sweep,
  writeNewFile
} from "./LocalFiles.ts"
import type { LogModelOptions, ModelRegistryShape } from "./ModelRegistry.ts"
import {
  ARTIFACTS,
  type LoggedArtifact,
  MANIFEST,
  MODEL_SPEC,
  manifestYaml,
  modelSpecYaml,
  USER_DATA,
  userDataJson,
  VERSION_RECORD,
  type VersionContent,
  VersionRecord,
  versionRecordJson
} from "./ModelVersionFiles.ts"
import {
  type FunctionRow,
  formatName,
  type ModelInfo,
  type ModelName,
  type ModelVersionInfo,
  type RegistryScope,
  resolveVersionFunction,
  SYSTEM_ALIASES,
  type VersionRow
} from "./ModelVersionInfo.ts"
import * as ModelVersionReader from "./ModelVersionReader.ts"

export interface LocalRegistryOptions {
  /** The database unqualified model names live in; default: the account's current database. */
  readonly database?: string
  /** The schema unqualified model names live in; default: the account's current schema. */
  readonly schema?: string
  /** The clock for creation times (tests). */
  readonly now?: () => Date
}

const MODEL_RECORD = "model.json"
const INCOMING = ".incoming"
const DELETED = ".deleted"
/** A log still copying after this long is taken for a crashed one, and its leftovers are removed. */
const STALE_INCOMING_MILLIS = 24 * 60 * 60 * 1000

const ModelRecord = Schema.Struct({
  created_on: Schema.String,
  default_version_name: Schema.optionalKey(Schema.String),
  comment: Schema.optionalKey(Schema.String)
})
type ModelRecord = typeof ModelRecord.Type

const decodeJson = <A>(schema: Schema.Decoder<A>, text: string | undefined): A | undefined => {
  if (text === undefined) return undefined
  const decoded = Schema.decodeUnknownExit(Schema.fromJsonString(schema))(text)
  return decoded._tag === "Success" ? decoded.value : undefined
}

interface Version {
  readonly name: string
  readonly record: VersionRecord
}

/** A model as found on disk: its complete versions (by name) and its record. */
interface ModelState {
  readonly model: ModelName
  readonly versions: ReadonlyArray<Version>
  readonly record: ModelRecord
  readonly defaultVersion: string
}

const byCreation = (a: Version, b: Version) =>
  a.record.created_on.localeCompare(b.record.created_on) || a.name.localeCompare(b.name)

/**
 * The identifier a folder stands for, or undefined for folders runbatch did not name: dotted ones
 * (staging, trash) and stray ones whose percent-encoding does not decode, or would not encode back the
 * same way.
 */
const nameOf = (folder: string): string | undefined => {
  if (folder.startsWith(".")) return undefined
  try {
    const name = LocalLayout.fromSegment(folder)
    return LocalLayout.segment(name) === folder ? name : undefined
  } catch {
    return undefined
  }
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`

const ENGINE_ID = /^[a-z0-9][a-z0-9._-]*$/
const METHOD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
// A single path segment that reads the same in a snow://model location: no separators, no percent
// signs (they would read as encodings), no control characters, and no leading dot.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const ARTIFACT_NAME = /^[^./\\%\u0000-\u001f\u007f][^/\\%\u0000-\u001f\u007f]*$/

export const make = (account: LocalAccountShape, options: LocalRegistryOptions = {}): ModelRegistryShape =>
  makeScoped(
    account,
    { database: options.database ?? account.database, schema: options.schema ?? account.schema },
    options.now ?? (() => new Date())
  )

const makeScoped = (
  account: LocalAccountShape,
  scope: RegistryScope,
  now: () => Date
): ModelRegistryShape => {
  const schemaDir = (s: RegistryScope) =>
    join(
      LocalLayout.registryDir(account.home),
      LocalLayout.segment(s.database),
      LocalLayout.segment(s.schema)
    )
  const modelDir = (model: ModelName) => LocalLayout.modelDir(account.home, model)
  const versionsDir = (model: ModelName) => join(modelDir(model), "versions")
  const versionDir = (model: ModelName, version: string) =>
    LocalLayout.versionDir(account.home, model, version)

  /**
   * The real path of `path` (as the layout names it under the home), or LocalFileError when a folder
   * or file of it below the home is a symbolic link.
   */
  const inHome = (path: string): Effect.Effect<string, LocalFileError> =>
    Effect.tryPromise({
      try: () => LocalHome.locate(account.home, path),
      catch: (error) => new LocalFileError({ path, reason: String(error) })
    }).pipe(
      Effect.flatMap((placement) =>
        placement._tag === "Real"
          ? Effect.succeed(placement.path)
          : Effect.fail(new LocalFileError({ path: placement.link, reason: LocalHome.linkReason(placement) }))
      )
    )

  /** A registry file's text (undefined when it does not exist), read through its checked real path. */
  const readText = (path: string) => Effect.flatMap(inHome(path), readTextIfExists)

  const resolveName = (name: string): Effect.Effect<ModelName, InvalidIdentifier> =>
    Identifier.parseFullyQualified(name, scope)

  /** The complete versions of a model: folders whose version record is there and readable. */
  const versionsOf = (model: ModelName): Effect.Effect<ReadonlyArray<Version>, LocalFileError> =>
    Effect.gen(function* () {
      const versions: Array<Version> = []
      for (const folder of yield* subfolders(yield* inHome(versionsDir(model)))) {
        const name = nameOf(folder)
        if (name === undefined) continue
        const record = decodeJson(
          VersionRecord,
          yield* readText(join(versionsDir(model), folder, VERSION_RECORD))
        )
        if (record !== undefined) versions.push({ name, record })
      }
      return versions.sort((a, b) => a.name.localeCompare(b.name))
    })

  /**
   * A model with at least one complete version, or undefined. Without a readable model.json (a crash
   * between renaming the first version in and writing it), the record is derived from the versions.
   */
  const stateOf = (model: ModelName): Effect.Effect<ModelState | undefined, LocalFileError> =>
    Effect.gen(function* () {
      const versions = yield* versionsOf(model)
      if (versions.length === 0) return undefined
      const first = [...versions].sort(byCreation)[0]!
      const record = decodeJson(ModelRecord, yield* readText(join(modelDir(model), MODEL_RECORD))) ?? {
        created_on: first.record.created_on,
        default_version_name: first.name
      }
      const named = record.default_version_name
      const defaultVersion =
        named !== undefined && versions.some((v) => v.name === named) ? named : first.name
      return { model, versions, record, defaultVersion }
    })

  const modelNamesIn = (s: RegistryScope) =>
    Effect.map(Effect.flatMap(inHome(schemaDir(s)), subfolders), (folders) =>
      folders.map(nameOf).filter((name): name is string => name !== undefined)
    )

  const requireModel = (
    name: string
  ): Effect.Effect<ModelState, InvalidIdentifier | ModelNotFound | LocalFileError> =>
    Effect.gen(function* () {
      const model = yield* resolveName(name)
      const state = yield* stateOf(model)
      if (state !== undefined) return state
      const others: Array<string> = []
      for (const other of yield* modelNamesIn(model)) {
        if (other !== model.name && (yield* versionsOf({ ...model, name: other })).length > 0)
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
  const resolveVersion = (
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

  const aliasesOf = (state: ModelState, version: string): ReadonlyArray<string> => {
    const byAge = [...state.versions].sort(byCreation)
    const applies = {
      DEFAULT: state.defaultVersion === version,
      FIRST: byAge[0]?.name === version,
      LAST: byAge[byAge.length - 1]?.name === version
    }
    return SYSTEM_ALIASES.filter((alias) => applies[alias])
  }

  const loadVersion = (state: ModelState, version: string) =>
    Effect.gen(function* () {
      const { model } = state
      const dir = versionDir(model, version)
      const display = formatName(model)
      const record = state.versions.find((v) => v.name === version)!.record
      const read = (file: string) =>
        Effect.flatMap(readText(join(dir, file)), (text) =>
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

  /** Every problem with the options at once, before anything is read or written. */
  const checkOptions = (options: LogModelOptions, engine: string) =>
    Effect.gen(function* () {
      const problems: Array<{ readonly path: string; readonly message: string }> = []
      if (!ENGINE_ID.test(engine)) {
        problems.push({
          path: "engine",
          message: `"${options.engine}" is not an engine plugin id (lower case letters, digits, '.', '_' or '-', e.g. "onnx").`
        })
      }
      const methods = Object.keys(options.signatures)
      if (methods.length === 0) {
        problems.push({ path: "signatures", message: "a version needs at least one method signature." })
      }
      for (const [method, kind] of Object.entries(options.functionKinds ?? {})) {
        if (!methods.includes(method)) {
          problems.push({
            path: `functionKinds.${method}`,
            message: `names a method without a signature (methods: ${methods.join(", ")}).`
          })
        } else if (kind !== "FUNCTION" && kind !== "TABLE_FUNCTION") {
          problems.push({
            path: `functionKinds.${method}`,
            message: `must be FUNCTION or TABLE_FUNCTION, got "${kind}".`
          })
        }
      }
      const artifacts: Array<{ readonly name: string; readonly path: string }> = []
      for (const [i, artifact] of (options.artifacts ?? []).entries()) {
        const entry = typeof artifact === "string" ? { name: basename(artifact), path: artifact } : artifact
        if (!ARTIFACT_NAME.test(entry.name)) {
          problems.push({
            path: `artifacts[${i}]`,
            message: `"${entry.name}" cannot name an artifact: use a plain file name (no '/', '\\', '%', control characters or leading dot).`
          })
        } else if (artifacts.some((a) => a.name === entry.name)) {
          problems.push({
            path: `artifacts[${i}]`,
            message: `two artifacts are named "${entry.name}"; give one another name with {name, path}.`
          })
        }
        artifacts.push(entry)
      }
      if (problems.length > 0) return yield* new InvalidSpec({ spec: "logModel options", problems })

      // Method names become SQL function names and must be told apart case-insensitively, as in
      // Snowflake ("Found duplicate method named resolved as …").
      const seen = new Map<string, string>()
      for (const method of methods) {
        if (!METHOD_NAME.test(method)) {
          return yield* new InvalidSignature({
            reason: `the method name "${method}" must be a Python-style identifier (letters, digits, _; not starting with a digit).`,
            path: method
          })
        }
        const other = seen.get(method.toUpperCase())
        if (other !== undefined) {
          return yield* new InvalidSignature({
            reason: `Found duplicate method named resolved as ${method.toUpperCase()} ("${other}", "${method}"); method names are compared case-insensitively.`,
            path: method
          })
        }
        seen.set(method.toUpperCase(), method)
      }
      for (const [method, sig] of Object.entries(options.signatures)) yield* Signature.validate(sig, method)
      for (const artifact of artifacts) yield* statLocalFile(artifact.path)
      return artifacts
    })

  /** Create model.json with the first version as the default, unless another writer already did. */
  const ensureModelRecord = (model: ModelName) =>
    Effect.gen(function* () {
      const state = yield* stateOf(model)
      if (state === undefined) return
      const first = [...state.versions].sort(byCreation)[0]!
      yield* createExclusive(
        yield* inHome(join(modelDir(model), MODEL_RECORD)),
        json({ created_on: first.record.created_on, default_version_name: first.name })
      )
    })

  const logModel: ModelRegistryShape["logModel"] = (options) =>
    Effect.gen(function* () {
      const model = yield* resolveName(options.name)
      const version = yield* Identifier.resolve(options.version.trim())
      const engine = options.engine.trim().toLowerCase()
      const artifacts = yield* checkOptions(options, engine)
      const display = formatName(model)
      const target = versionDir(model, version)
      const existing = yield* versionsOf(model)
      if (existing.some((v) => v.name === version))
        return yield* new ModelVersionExists({ model: display, version })

      // Checked before anything is created: a link above the model would take the whole log elsewhere.
      const staging = yield* inHome(join(modelDir(model), INCOMING, randomUUID()))
      const written = Effect.gen(function* () {
        yield* makeDir(staging)
        const logged: Array<LoggedArtifact> = []
        for (const artifact of artifacts) {
          const copied = yield* copyWithChecksum(artifact.path, join(staging, ARTIFACTS, artifact.name))
          logged.push({ name: artifact.name, ...copied })
        }
        const content: VersionContent = {
          model: model.name,
          engine,
          engineOptions: options.engineOptions ?? {},
          signatures: options.signatures,
          functionKinds: options.functionKinds ?? {},
          artifacts: logged,
          comment: options.comment,
          metadata: options.metadata ?? {},
          createdOn: now().toISOString()
        }
        yield* writeNewFile(join(staging, MODEL_SPEC), modelSpecYaml(content))
        yield* writeNewFile(join(staging, MANIFEST), manifestYaml(content))
        yield* writeNewFile(join(staging, USER_DATA), userDataJson(content))
        // Last: the marker that makes the folder a version.
        yield* writeNewFile(join(staging, VERSION_RECORD), versionRecordJson(content))
        // A folder without a record under the version's name is debris (say, a copy interrupted
        // outside runbatch); it is not a version, so it must not block this one. Only a folder that is
        // there and has no record is removed: runbatch's own versions appear whole in one rename, so
        // one that a concurrent log renames in meanwhile is never taken for debris, and the rename
        // below reports it. (Two logs racing over the same debris could still collide; both would
        // have to start while it is there.)
        const realTarget = yield* inHome(target)
        if (yield* pathExists(realTarget)) {
          const record = decodeJson(VersionRecord, yield* readText(join(target, VERSION_RECORD)))
          if (record === undefined)
            yield* removeFolder(realTarget, yield* inHome(join(modelDir(model), DELETED)))
        }
        yield* makeDir(yield* inHome(versionsDir(model)))
        return yield* moveIntoPlace(staging, yield* inHome(target))
      }).pipe(Effect.ensuring(Effect.ignore(deleteTree(staging))))
      if ((yield* written) === "exists") return yield* new ModelVersionExists({ model: display, version })

      yield* ensureModelRecord(model)
      yield* sweep(yield* inHome(join(modelDir(model), DELETED)), 0, now().getTime())
      yield* sweep(yield* inHome(join(modelDir(model), INCOMING)), STALE_INCOMING_MILLIS, now().getTime())
      const state = yield* stateOf(model)
      return (yield* loadVersion(state!, version)).info
    })

  const getModel: ModelRegistryShape["getModel"] = (name) => Effect.map(requireModel(name), info)

  const info = (state: ModelState): ModelInfo => ({
    ...state.model,
    comment: state.record.comment,
    defaultVersion: state.defaultVersion,
    createdOn: state.record.created_on,
    versions: state.versions.map((v) => v.name)
  })

  const getVersion: ModelRegistryShape["getVersion"] = (name, version) =>
    Effect.gen(function* () {
      const state = yield* requireModel(name)
      return (yield* loadVersion(state, yield* resolveVersion(state, version, true))).info
    })

  const listModels: ModelRegistryShape["listModels"] = Effect.gen(function* () {
    const models: Array<ModelInfo> = []
    for (const name of yield* modelNamesIn(scope)) {
      const state = yield* stateOf({ ...scope, name })
      if (state !== undefined) models.push(info(state))
    }
    return models.sort((a, b) => a.name.localeCompare(b.name))
  })

  const showVersions: ModelRegistryShape["showVersions"] = (name) =>
    Effect.gen(function* () {
      const state = yield* requireModel(name)
      const rows: Array<VersionRow> = []
      for (const version of state.versions) {
        const { info: loaded, userData } = yield* loadVersion(state, version.name)
        rows.push({
          name: loaded.version,
          databaseName: state.model.database,
          schemaName: state.model.schema,
          modelName: state.model.name,
          createdOn: loaded.createdOn,
          comment: loaded.comment,
          aliases: loaded.aliases,
          isDefaultVersion: loaded.isDefault,
          functions: loaded.functions.map((f) => f.name),
          metadata: loaded.metadata,
          userData
        })
      }
      return rows
    })

  const showFunctions: ModelRegistryShape["showFunctions"] = (name, version) =>
    Effect.map(getVersion(name, version), (loaded) =>
      loaded.functions.map(
        (f): FunctionRow => ({
          name: f.name,
          targetMethod: f.targetMethod,
          kind: f.kind,
          signature: f.signature
        })
      )
    )

  const resolveFunction: ModelRegistryShape["resolveFunction"] = (name, version, functionName) =>
    Effect.flatMap(getVersion(name, version), (loaded) => resolveVersionFunction(loaded, functionName))

  const setDefaultVersion: ModelRegistryShape["setDefaultVersion"] = (name, version) =>
    Effect.gen(function* () {
      const state = yield* requireModel(name)
      const wanted = yield* resolveVersion(state, version, false)
      yield* replaceFile(
        yield* inHome(join(modelDir(state.model), MODEL_RECORD)),
        json({ ...state.record, default_version_name: wanted })
      )
    })

  const deleteModel: ModelRegistryShape["deleteModel"] = (name) =>
    Effect.gen(function* () {
      const state = yield* requireModel(name)
      yield* removeFolder(
        yield* inHome(modelDir(state.model)),
        yield* inHome(join(schemaDir(state.model), DELETED))
      )
    })

  const deleteVersion: ModelRegistryShape["deleteVersion"] = (name, version) =>
    Effect.gen(function* () {
      const state = yield* requireModel(name)
      const wanted = yield* resolveVersion(state, version, false)
      if (state.versions.length === 1) return yield* deleteModel(name)
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
        yield* inHome(versionDir(state.model, wanted)),
        yield* inHome(join(modelDir(state.model), DELETED))
      )
    })

  return {
    scope,
    forSchema: (other) => makeScoped(account, other, now),
    logModel,
    getModel,
    getVersion,
    listModels,
    showVersions,
    showFunctions,
    resolveFunction,
    setDefaultVersion,
    deleteVersion,
    deleteModel
  }
}
