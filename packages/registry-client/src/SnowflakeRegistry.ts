/**
 * The ModelRegistry of a Snowflake account, with the registry SQL snowflake-ml-python uses (see
 * SnowflakeRegistrySql). Versions are read through the same `ModelVersionReader` as the local
 * registry's: `model_spec` of SHOW VERSIONS is the version's model.yaml, `user_data` its manifest's user
 * data, SHOW FUNCTIONS its functions (the manifest, fetched with GET, only when that lists none).
 *
 * Logging writes the version folder locally in Snowflake's layout (VersionFolder), PUTs it onto a
 * session-TEMPORARY stage and runs `CREATE MODEL … WITH VERSION … FROM @stage` (or `ALTER MODEL … ADD
 * VERSION … FROM @stage`); the comment and metadata follow with `ALTER MODEL … MODIFY VERSION … SET`.
 * A log that fails drops what it created (the version, or the model it made for it); the stage and the
 * local folder go whatever the outcome.
 */
import { randomUUID } from "node:crypto"
import { mkdtemp, readdir, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { putFile, type SnowflakeSessionShape, snowflakeString } from "@runbatch/session"
import {
  closestNames,
  Identifier,
  InvalidModelVersion,
  InvalidSpec,
  type Json,
  LocalFileError,
  ModelFileLocation,
  ModelNotFound,
  ModelVersionExists,
  ModelVersionNotFound
} from "@runbatch/spec"
import { Effect } from "effect"
import { functionReads } from "./FunctionReads.ts"
import { checkOptions } from "./LogModelOptions.ts"
import type { LogModelOptions, ModelRegistryShape } from "./ModelRegistry.ts"
import { MANIFEST } from "./ModelVersionFiles.ts"
import {
  formatName,
  type ModelInfo,
  type ModelName,
  type ModelVersionInfo,
  type RegistryScope,
  type VersionRow
} from "./ModelVersionInfo.ts"
import * as ModelVersionReader from "./ModelVersionReader.ts"
import * as RegistrySql from "./SnowflakeRegistrySql.ts"
import * as VersionFolder from "./VersionFolder.ts"
import { writeVersionFolder } from "./VersionFolder.ts"

export interface SnowflakeRegistryOptions {
  /** The database unqualified model names live in; default: the session's current database. */
  readonly database?: string
  /** The schema unqualified model names live in; default: the session's current schema. */
  readonly schema?: string
}

export const make = (
  session: SnowflakeSessionShape,
  options: SnowflakeRegistryOptions = {}
): ModelRegistryShape =>
  makeScoped(session, {
    database: options.database ?? session.context.database,
    schema: options.schema ?? session.context.schema
  })

const SYSTEM_ALIASES = ["DEFAULT", "FIRST", "LAST"]

const makeScoped = (session: SnowflakeSessionShape, scope: RegistryScope): ModelRegistryShape => {
  const { client } = session
  const resolveName = (name: string) => Identifier.parseFullyQualified(name, scope)

  const infoOf = (row: RegistrySql.Row, versions: ReadonlyArray<string>): ModelInfo => ({
    database: row["database_name"] ?? "",
    schema: row["schema_name"] ?? "",
    name: row["name"] ?? "",
    comment: row["comment"] || undefined,
    defaultVersion: row["default_version_name"] || undefined,
    createdOn: row["created_on"] ?? "",
    versions: [...versions].sort()
  })

  /** The model's SHOW MODELS row, or ModelNotFound naming the closest models of its schema. */
  const requireModel = Effect.fn("ModelRegistry.requireModel")(function* (name: string) {
    const model = yield* resolveName(name)
    const found = (yield* RegistrySql.showModels(client, model, model.name)).find(
      (row) => row["name"] === model.name
    )
    if (found !== undefined) return { model, row: found }
    const others = (yield* RegistrySql.showModels(client, model)).map((row) => row["name"] ?? "")
    return yield* new ModelNotFound({
      model: formatName(model),
      closest: closestNames(model.name, others).map((n) => formatName({ ...model, name: n }))
    })
  })

  const versionRows = (model: ModelName) => RegistrySql.showVersions(client, model)

  const versionNames = (row: RegistrySql.Row, model: ModelName) =>
    row["versions"] !== undefined && row["versions"] !== null
      ? Effect.succeed(RegistrySql.jsonColumn<Array<string>>(row["versions"], []))
      : Effect.map(versionRows(model), (rows) => rows.map((r) => r["name"] ?? ""))

  /** A version's row by name as written, or by a system alias (`DEFAULT`, `FIRST`, `LAST`). */
  const pickVersion = (
    model: ModelName,
    rows: ReadonlyArray<RegistrySql.Row>,
    text: string | undefined,
    allowAliases: boolean
  ) =>
    Effect.gen(function* () {
      const wanted = text === undefined ? "DEFAULT" : yield* Identifier.resolve(text.trim())
      const byName = rows.find((r) => r["name"] === wanted)
      if (byName !== undefined) return byName
      if (allowAliases && SYSTEM_ALIASES.includes(wanted)) {
        const byAlias = rows.find((r) =>
          RegistrySql.jsonColumn<Array<string>>(r["aliases"], []).includes(wanted)
        )
        const byDefault =
          wanted === "DEFAULT" ? rows.find((r) => RegistrySql.isTrue(r["is_default_version"])) : undefined
        const picked = byAlias ?? byDefault
        if (picked !== undefined) return picked
      }
      return yield* new ModelVersionNotFound({
        model: formatName(model),
        version: wanted,
        available: rows.map((r) => r["name"] ?? "")
      })
    })

  const toVersionRow = (model: ModelName, row: RegistrySql.Row): VersionRow => ({
    name: row["name"] ?? "",
    databaseName: row["database_name"] ?? model.database,
    schemaName: row["schema_name"] ?? model.schema,
    modelName: row["model_name"] ?? model.name,
    createdOn: row["created_on"] ?? "",
    comment: row["comment"] || undefined,
    aliases: RegistrySql.jsonColumn<Array<string>>(row["aliases"], []),
    isDefaultVersion: RegistrySql.isTrue(row["is_default_version"]),
    functions: RegistrySql.jsonColumn<Array<string>>(row["functions"], []),
    metadata: RegistrySql.jsonColumn<Record<string, Json>>(row["metadata"], {}),
    userData: RegistrySql.jsonColumn<Record<string, Json>>(row["user_data"], {})
  })

  const getVersion: ModelRegistryShape["getVersion"] = Effect.fn("ModelRegistry.getVersion")(function* (
    name: string,
    version?: string
  ) {
    const { model } = yield* requireModel(name)
    const row = yield* pickVersion(model, yield* versionRows(model), version, true)
    const versionName = row["name"] ?? ""
    const functionRows = (yield* RegistrySql.showFunctions(client, model, versionName)).map((f) => ({
      name: f["name"] ?? "",
      return_type: f["return_type"]
    }))
    const display = formatName(model)
    const parsed = yield* ModelVersionReader.read(
      {
        modelSpecYaml: row["model_spec"] ?? "",
        userDataJson: row["user_data"] || "{}",
        functionRows,
        ...(functionRows.length === 0
          ? { manifestYaml: yield* RegistrySql.readVersionFile(client, model, versionName, MANIFEST) }
          : {})
      },
      display,
      versionName
    )
    const shown = toVersionRow(model, row)
    return {
      model,
      version: versionName,
      engine: parsed.engine,
      engineOptions: parsed.engineOptions,
      functions: parsed.functions,
      artifacts: parsed.artifacts.map((a) => ({
        name: a.name,
        location: ModelFileLocation.format({
          ...model,
          model: model.name,
          version: versionName,
          path: a.path
        }),
        bytes: a.bytes,
        sha256: a.sha256
      })),
      modelType: parsed.modelType,
      comment: shown.comment,
      metadata: shown.metadata,
      createdOn: shown.createdOn,
      aliases: shown.aliases,
      isDefault: shown.isDefaultVersion
    } satisfies ModelVersionInfo
  })

  const getModel: ModelRegistryShape["getModel"] = Effect.fn("ModelRegistry.getModel")(function* (
    name: string
  ) {
    const { model, row } = yield* requireModel(name)
    return infoOf(row, yield* versionNames(row, model))
  })

  const listModels: ModelRegistryShape["listModels"] = Effect.gen(function* () {
    const models: Array<ModelInfo> = []
    for (const row of yield* RegistrySql.showModels(client, scope)) {
      const model = { ...scope, name: row["name"] ?? "" }
      models.push(infoOf(row, yield* versionNames(row, model)))
    }
    return models.sort((a, b) => a.name.localeCompare(b.name))
  }).pipe(Effect.withSpan("ModelRegistry.listModels"))

  const showVersions: ModelRegistryShape["showVersions"] = Effect.fn("ModelRegistry.showVersions")(function* (
    name: string
  ) {
    const { model } = yield* requireModel(name)
    return (yield* versionRows(model)).map((row) => toVersionRow(model, row))
  })

  const setDefaultVersion: ModelRegistryShape["setDefaultVersion"] = Effect.fn(
    "ModelRegistry.setDefaultVersion"
  )(function* (name: string, version: string) {
    const { model } = yield* requireModel(name)
    const row = yield* pickVersion(model, yield* versionRows(model), version, false)
    yield* client.run(
      `ALTER MODEL ${RegistrySql.modelSql(model)} SET DEFAULT_VERSION = ${Identifier.quote(row["name"] ?? "")}`
    )
  })

  const deleteModel: ModelRegistryShape["deleteModel"] = Effect.fn("ModelRegistry.deleteModel")(function* (
    name: string
  ) {
    const { model } = yield* requireModel(name)
    yield* client.run(`DROP MODEL ${RegistrySql.modelSql(model)}`)
  })

  const deleteVersion: ModelRegistryShape["deleteVersion"] = Effect.fn("ModelRegistry.deleteVersion")(
    function* (name: string, version: string) {
      const { model } = yield* requireModel(name)
      const rows = yield* versionRows(model)
      const row = yield* pickVersion(model, rows, version, false)
      const wanted = row["name"] ?? ""
      // As on the local registry: removing the only version removes the model.
      if (rows.length === 1) return yield* client.run(`DROP MODEL ${RegistrySql.modelSql(model)}`)
      if (RegistrySql.isTrue(row["is_default_version"])) {
        return yield* new InvalidSpec({
          spec: "deleteVersion",
          problems: [
            {
              path: "version",
              message: `${wanted} is the default version of ${formatName(model)}, and a model's default version is never deleted while others remain. Make another version the default first (setDefaultVersion), or delete the whole model (deleteModel).`
            }
          ]
        })
      }
      yield* client.run(`ALTER MODEL ${RegistrySql.modelSql(model)} DROP VERSION ${Identifier.quote(wanted)}`)
    },
    Effect.asVoid
  )

  const logModel: ModelRegistryShape["logModel"] = Effect.fn("ModelRegistry.logModel")(function* (
    options: LogModelOptions
  ) {
    const model = yield* resolveName(options.name)
    const version = yield* Identifier.resolve(options.version.trim())
    const engine = options.engine.trim().toLowerCase()
    const artifacts = yield* checkOptions(options, engine)
    const display = formatName(model)
    const existing = (yield* RegistrySql.showModels(client, model, model.name)).find(
      (row) => row["name"] === model.name
    )
    if (existing !== undefined) {
      const versions = yield* versionRows(model)
      if (versions.some((r) => r["name"] === version))
        return yield* new ModelVersionExists({ model: display, version })
    }
    yield* Effect.scoped(
      Effect.gen(function* () {
        const folder = yield* privateFolder
        yield* writeVersionFolder(
          folder,
          artifacts,
          VersionFolder.describe(options, model.name, engine, new Date().toISOString())
        )
        const stage = Identifier.quoteQualified({
          database: model.database,
          schema: model.schema,
          name: `RUNBATCH_LOG_${randomUUID().replace(/-/g, "_").toUpperCase()}`
        })
        yield* Effect.acquireRelease(client.run(`CREATE TEMPORARY STAGE ${stage}`), () =>
          Effect.ignore(client.run(`DROP STAGE IF EXISTS ${stage}`))
        )
        for (const file of yield* filesUnder(folder)) {
          const folderInStage = dirname(relative(folder, file))
          yield* putFile(client, file, `@${stage}${folderInStage === "." ? "" : `/${folderInStage}`}/`)
        }
        const from = `FROM ${snowflakeString(`@${stage}/`)}`
        const name = RegistrySql.modelSql(model)
        const quotedVersion = Identifier.quote(version)
        yield* client.run(
          existing === undefined
            ? `CREATE MODEL ${name} WITH VERSION ${quotedVersion} ${from}`
            : `ALTER MODEL ${name} ADD VERSION ${quotedVersion} ${from}`
        )
        const modify = (setting: string) =>
          client.run(`ALTER MODEL ${name} MODIFY VERSION ${quotedVersion} SET ${setting}`)
        yield* Effect.gen(function* () {
          if (options.comment !== undefined) yield* modify(`COMMENT = ${snowflakeString(options.comment)}`)
          if (options.metadata !== undefined && Object.keys(options.metadata).length > 0)
            yield* modify(`METADATA = ${snowflakeString(JSON.stringify(options.metadata))}`)
        }).pipe(
          // Nothing half-logged: a version without its comment or metadata goes again.
          Effect.onError(() =>
            Effect.ignore(
              client.run(
                existing === undefined
                  ? `DROP MODEL IF EXISTS ${name}`
                  : `ALTER MODEL ${name} DROP VERSION ${quotedVersion}`
              )
            )
          )
        )
      })
    )
    // Read back as any version is; one removed meanwhile by another session is reported as such.
    return yield* getVersion(formatName(model), Identifier.format(version)).pipe(
      Effect.catchTags({
        ModelNotFound: (e) =>
          new InvalidModelVersion({
            model: display,
            version,
            reason: `it was logged, then removed before it could be read back (${e.message}).`
          }),
        ModelVersionNotFound: (e) =>
          new InvalidModelVersion({
            model: display,
            version,
            reason: `it was logged, then removed before it could be read back (${e.message}).`
          })
      })
    )
  })

  return {
    scope,
    forSchema: (other) => makeScoped(session, other),
    logModel,
    getModel,
    getVersion,
    listModels,
    showVersions,
    ...functionReads(getVersion),
    setDefaultVersion,
    deleteVersion,
    deleteModel
  }
}

/** A folder only this user can read (mkdtemp makes it 0700), removed with the scope. */
const privateFolder = Effect.acquireRelease(
  Effect.tryPromise({
    try: () => mkdtemp(join(tmpdir(), "runbatch-log-")),
    catch: (error) => new LocalFileError({ path: tmpdir(), reason: String(error) })
  }),
  (folder) => Effect.promise(() => rm(folder, { recursive: true, force: true }))
)

/** Every file below `folder`, as absolute paths. */
const filesUnder = (folder: string): Effect.Effect<ReadonlyArray<string>, LocalFileError> =>
  Effect.tryPromise({
    try: async () =>
      (await readdir(folder, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name))
        .sort(),
    catch: (error) => new LocalFileError({ path: folder, reason: String(error) })
  })
