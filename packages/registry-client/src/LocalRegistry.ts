/**
 * The local registry backend: `registry/<DB>/<SCHEMA>/<MODEL>/` under the account's home, with
 * `model.json` (comment, default version, creation time) and `versions/<VERSION>/` in Snowflake's
 * layout (see ModelVersionFiles). A version is written in full into a hidden folder and then renamed
 * into place — the registry is the account's own folder, not stage storage, so a rename is allowed —
 * so a crash never leaves a half-logged version that looks valid.
 */
import { createHash, randomUUID } from "node:crypto"
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises"
import { basename, join } from "node:path"
import type { LocalAccountShape } from "@runbatch/session"
import {
  closestNames,
  Identifier,
  type InvalidIdentifier,
  InvalidModelVersion,
  type Json,
  LocalFileError,
  LocalLayout,
  ModelFileLocation,
  ModelFunction,
  ModelNotFound,
  ModelVersionExists,
  ModelVersionNotFound,
  Signature
} from "@runbatch/spec"
import { Effect, Schema } from "effect"
import type { ModelRegistryShape } from "./ModelRegistry.ts"
import {
  ARTIFACTS,
  MANIFEST,
  MODEL_SPEC,
  manifestYaml,
  modelSpecYaml,
  readVersion,
  USER_DATA,
  userDataJson,
  VERSION_RECORD,
  type VersionContent,
  VersionRecord,
  versionRecordJson
} from "./ModelVersionFiles.ts"
import { formatName, type ModelInfo, type ModelName, type ModelVersionInfo } from "./ModelVersionInfo.ts"

const ModelRecord = Schema.Struct({
  comment: Schema.optionalKey(Schema.String),
  default_version_name: Schema.optionalKey(Schema.String),
  created_on: Schema.String
})
type ModelRecord = typeof ModelRecord.Type

const HIDDEN = ".tmp-"

const exists = (path: string) =>
  Effect.promise(() =>
    stat(path).then(
      () => true,
      () => false
    )
  )

const readText = (path: string) => Effect.promise(() => readFile(path, "utf8").catch(() => undefined))

/** Replace a small local file atomically (temp + rename). */
const writeJsonFile = (path: string, value: unknown) =>
  Effect.promise(async () => {
    const temp = `${path}.${randomUUID()}.tmp`
    await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`)
    await rename(temp, path)
  })

export interface LocalRegistryOptions {
  readonly database?: string
  readonly schema?: string
  readonly now?: () => Date
}

export const make = (account: LocalAccountShape, options: LocalRegistryOptions = {}): ModelRegistryShape => {
  const scope = { database: options.database ?? account.database, schema: options.schema ?? account.schema }
  const now = options.now ?? (() => new Date())

  const resolveName = (name: string): Effect.Effect<ModelName, InvalidIdentifier> =>
    Identifier.parseFullyQualified(name, scope)

  const modelDir = (model: ModelName) => LocalLayout.modelDir(account.home, model)
  const versionDir = (model: ModelName, version: string) =>
    LocalLayout.versionDir(account.home, model, version)

  const readModelRecord = (model: ModelName) =>
    Effect.flatMap(readText(join(modelDir(model), "model.json")), (text) => {
      if (text === undefined) return Effect.succeed(undefined)
      const decoded = Schema.decodeUnknownExit(Schema.fromJsonString(ModelRecord))(text)
      return Effect.succeed(decoded._tag === "Success" ? decoded.value : undefined)
    })

  /** Versions that are complete (the rename put them in place), by their stored names. */
  const versionNames = (model: ModelName) =>
    Effect.promise(async () => {
      const entries = await readdir(join(modelDir(model), "versions"), { withFileTypes: true }).catch(
        () => []
      )
      return entries
        .filter((e) => e.isDirectory() && !e.name.startsWith(HIDDEN))
        .map((e) => LocalLayout.fromSegment(e.name))
        .sort()
    })

  const modelNamesIn = (database: string, schema: string) =>
    Effect.promise(async () => {
      const dir = join(
        LocalLayout.registryDir(account.home),
        LocalLayout.segment(database),
        LocalLayout.segment(schema)
      )
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
      return entries.filter((e) => e.isDirectory()).map((e) => LocalLayout.fromSegment(e.name))
    })

  const requireModel = (name: string) =>
    Effect.gen(function* () {
      const model = yield* resolveName(name)
      const record = yield* readModelRecord(model)
      const versions = yield* versionNames(model)
      if (record === undefined || versions.length === 0) {
        const others = yield* modelNamesIn(model.database, model.schema)
        return yield* new ModelNotFound({
          model: formatName(model),
          closest: closestNames(model.name, others).map((n) => formatName({ ...model, name: n }))
        })
      }
      return { model, record, versions }
    })

  const info = (model: ModelName, record: ModelRecord, versions: ReadonlyArray<string>): ModelInfo => ({
    ...model,
    comment: record.comment,
    defaultVersion: record.default_version_name,
    createdOn: record.created_on,
    versions
  })

  const loadVersion = (model: ModelName, record: ModelRecord, version: string) =>
    Effect.gen(function* () {
      const dir = versionDir(model, version)
      const display = formatName(model)
      const read = (file: string) =>
        Effect.flatMap(readText(join(dir, file)), (text) =>
          text === undefined
            ? Effect.fail(new InvalidModelVersion({ model: display, version, reason: `${file} is missing.` }))
            : Effect.succeed(text)
        )
      const parsed = yield* readVersion(
        {
          modelSpecYaml: yield* read(MODEL_SPEC),
          userDataJson: yield* read(USER_DATA),
          manifestYaml: yield* read(MANIFEST)
        },
        display,
        version
      )
      const bookkeeping = Schema.decodeUnknownExit(Schema.fromJsonString(VersionRecord))(
        yield* read(VERSION_RECORD)
      )
      if (bookkeeping._tag === "Failure") {
        return yield* new InvalidModelVersion({
          model: display,
          version,
          reason: `${VERSION_RECORD} is malformed.`
        })
      }
      return {
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
        comment: bookkeeping.value.comment,
        metadata: bookkeeping.value.metadata as Record<string, Json>,
        createdOn: bookkeeping.value.created_on,
        isDefault: record.default_version_name === version
      } satisfies ModelVersionInfo
    })

  const getVersion: ModelRegistryShape["getVersion"] = (name, version) =>
    Effect.gen(function* () {
      const { model, record, versions } = yield* requireModel(name)
      const wanted =
        version === undefined ? record.default_version_name : yield* Identifier.resolve(version.trim())
      if (wanted === undefined || !versions.includes(wanted)) {
        return yield* new ModelVersionNotFound({
          model: formatName(model),
          version: wanted ?? "(default)",
          available: versions
        })
      }
      return yield* loadVersion(model, record, wanted)
    })

  const logModel: ModelRegistryShape["logModel"] = (options) =>
    Effect.gen(function* () {
      const model = yield* resolveName(options.name)
      const version = yield* Identifier.resolve(options.version.trim())
      const display = formatName(model)
      if (!/^[a-z0-9][a-z0-9._-]*$/.test(options.engine)) {
        return yield* new InvalidModelVersion({
          model: display,
          version,
          reason: `the engine id "${options.engine}" is not a plugin id (lower case letters, digits, '.', '_', '-').`
        })
      }
      for (const [method, sig] of Object.entries(options.signatures)) yield* Signature.validate(sig, method)
      if (Object.keys(options.signatures).length === 0) {
        return yield* new InvalidModelVersion({
          model: display,
          version,
          reason: "a version needs at least one method signature."
        })
      }
      for (const method of Object.keys(options.functionKinds ?? {})) {
        if (!(method in options.signatures)) {
          return yield* new InvalidModelVersion({
            model: display,
            version,
            reason: `functionKinds names ${method}, which has no signature.`
          })
        }
      }
      // Artifacts: every file must exist and names must be unique, before anything is written.
      const artifacts: Array<{ readonly name: string; readonly path: string }> = []
      for (const artifact of options.artifacts ?? []) {
        const entry = typeof artifact === "string" ? { name: basename(artifact), path: artifact } : artifact
        if (!/^[A-Za-z0-9._-]+$/.test(entry.name) || entry.name.startsWith(".")) {
          return yield* new InvalidModelVersion({
            model: display,
            version,
            reason: `the artifact name "${entry.name}" must be a plain file name.`
          })
        }
        if (artifacts.some((a) => a.name === entry.name)) {
          return yield* new InvalidModelVersion({
            model: display,
            version,
            reason: `two artifacts are named "${entry.name}".`
          })
        }
        const stats = yield* Effect.promise(() => stat(entry.path).catch(() => undefined))
        if (stats === undefined || !stats.isFile()) {
          return yield* new LocalFileError({
            path: entry.path,
            reason: stats === undefined ? "it does not exist." : "it is not a file."
          })
        }
        artifacts.push(entry)
      }
      const target = versionDir(model, version)
      if (yield* exists(target)) return yield* new ModelVersionExists({ model: display, version })

      const versions = join(modelDir(model), "versions")
      const staging = join(versions, `${HIDDEN}${randomUUID()}`)
      const createdOn = now().toISOString()
      const result = yield* Effect.tryPromise({
        try: async () => {
          await mkdir(join(staging, ARTIFACTS), { recursive: true })
          const logged: Array<{ name: string; bytes: number; sha256: string }> = []
          for (const artifact of artifacts) {
            const destination = join(staging, ARTIFACTS, artifact.name)
            await copyFile(artifact.path, destination)
            const bytes = await readFile(destination)
            logged.push({
              name: artifact.name,
              bytes: bytes.byteLength,
              sha256: createHash("sha256").update(bytes).digest("hex")
            })
          }
          const content: VersionContent = {
            model: model.name,
            engine: options.engine,
            engineOptions: options.engineOptions ?? {},
            signatures: options.signatures,
            functionKinds: options.functionKinds ?? {},
            artifacts: logged,
            comment: options.comment,
            metadata: options.metadata ?? {},
            createdOn
          }
          await writeFile(join(staging, MANIFEST), manifestYaml(content))
          await writeFile(join(staging, MODEL_SPEC), modelSpecYaml(content))
          await writeFile(join(staging, USER_DATA), userDataJson(content))
          await writeFile(join(staging, VERSION_RECORD), versionRecordJson(content))
          try {
            await rename(staging, target)
          } catch (error) {
            if (["EEXIST", "ENOTEMPTY"].includes((error as NodeJS.ErrnoException).code ?? ""))
              return "exists" as const
            throw error
          }
          return "logged" as const
        },
        catch: (error) => new LocalFileError({ path: staging, reason: (error as Error).message })
      }).pipe(Effect.ensuring(Effect.promise(() => rm(staging, { recursive: true, force: true }))))
      if (result === "exists") return yield* new ModelVersionExists({ model: display, version })
      // The first version becomes the default, as in Snowflake.
      const record = yield* readModelRecord(model)
      const updated: ModelRecord = {
        created_on: record?.created_on ?? createdOn,
        default_version_name: record?.default_version_name ?? version,
        ...(record?.comment === undefined ? {} : { comment: record.comment })
      }
      yield* writeJsonFile(join(modelDir(model), "model.json"), updated)
      return yield* loadVersion(model, updated, version)
    })

  const listModels: ModelRegistryShape["listModels"] = Effect.gen(function* () {
    const models: Array<ModelInfo> = []
    for (const name of yield* modelNamesIn(scope.database, scope.schema)) {
      const model = { ...scope, name }
      const record = yield* readModelRecord(model)
      const versions = yield* versionNames(model)
      if (record !== undefined && versions.length > 0) models.push(info(model, record, versions))
    }
    return models.sort((a, b) => a.name.localeCompare(b.name))
  })

  const showVersions: ModelRegistryShape["showVersions"] = (name) =>
    Effect.gen(function* () {
      const { model, record, versions } = yield* requireModel(name)
      const rows = []
      for (const version of versions) {
        const loaded = yield* loadVersion(model, record, version)
        const userData = JSON.parse(
          (yield* readText(join(versionDir(model, version), USER_DATA))) ?? "{}"
        ) as Record<string, Json>
        rows.push({
          name: version,
          createdOn: loaded.createdOn,
          comment: loaded.comment,
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
      loaded.functions.map((f) => ({
        name: f.name,
        targetMethod: f.targetMethod,
        kind: f.kind,
        signature: f.signature
      }))
    )

  const resolveFunction: ModelRegistryShape["resolveFunction"] = (name, version, functionName) =>
    Effect.flatMap(getVersion(name, version), (loaded) =>
      ModelFunction.resolve(loaded.functions, functionName, {
        name: formatName(loaded.model),
        version: loaded.version
      })
    )

  const setDefaultVersion: ModelRegistryShape["setDefaultVersion"] = (name, version) =>
    Effect.gen(function* () {
      const { model, record, versions } = yield* requireModel(name)
      const wanted = yield* Identifier.resolve(version.trim())
      if (!versions.includes(wanted)) {
        return yield* new ModelVersionNotFound({
          model: formatName(model),
          version: wanted,
          available: versions
        })
      }
      yield* writeJsonFile(join(modelDir(model), "model.json"), { ...record, default_version_name: wanted })
    })

  const deleteVersion: ModelRegistryShape["deleteVersion"] = (name, version) =>
    Effect.gen(function* () {
      const { model, record, versions } = yield* requireModel(name)
      const wanted = yield* Identifier.resolve(version.trim())
      if (!versions.includes(wanted)) {
        return yield* new ModelVersionNotFound({
          model: formatName(model),
          version: wanted,
          available: versions
        })
      }
      if (record.default_version_name === wanted && versions.length > 1) {
        return yield* new InvalidModelVersion({
          model: formatName(model),
          version: wanted,
          reason: "it is the model's default version; set another default version before deleting it."
        })
      }
      yield* Effect.promise(() => rm(versionDir(model, wanted), { recursive: true, force: true }))
      if (versions.length === 1)
        yield* Effect.promise(() => rm(modelDir(model), { recursive: true, force: true }))
    })

  const getModel: ModelRegistryShape["getModel"] = (name) =>
    Effect.map(requireModel(name), ({ model, record, versions }) => info(model, record, versions))

  return {
    scope,
    logModel,
    getModel,
    getVersion,
    listModels,
    showVersions,
    showFunctions,
    resolveFunction,
    setDefaultVersion,
    deleteVersion
  }
}
