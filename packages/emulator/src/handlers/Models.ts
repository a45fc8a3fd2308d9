/**
 * The Model Registry's statements on the local account's registry, which is already in Snowflake's
 * model-version layout (registry-client's LocalRegistry):
 *
 * - `SHOW MODELS [LIKE 'p'] [IN SCHEMA d.s | IN d.s]`
 * - `SHOW VERSIONS [LIKE 'p'] IN MODEL m`, with `model_spec` (the version's model.yaml) only when the
 *   parameter `SHOW_MODEL_DETAILS_IN_SHOW_VERSIONS_IN_MODEL` is true (the statement's or the session's)
 * - `SHOW FUNCTIONS IN MODEL m VERSION v` (`return_type` `OBJECT`, or `TABLE (…)` for a table function)
 * - `CREATE MODEL m WITH VERSION v FROM @stage/folder`, `ALTER MODEL m ADD VERSION v FROM @stage/folder`:
 *   the staged folder (MANIFEST.yml, model/model.yaml, model/artifacts/…) is read back and logged; a
 *   folder that does not read as a version is refused and nothing is written
 * - `ALTER MODEL m SET DEFAULT_VERSION = v`, `ALTER MODEL m DROP VERSION v` (never the default one),
 *   `ALTER MODEL m MODIFY VERSION v SET COMMENT = '…' | METADATA = '…'`, `DROP MODEL [IF EXISTS] m`
 *
 * Registry failures answer with Snowflake's codes (002003 does not exist, 002002 already exists).
 */
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import {
  LocalRegistry,
  type ModelRegistryShape,
  ModelVersionFiles,
  VersionFolder
} from "@runbatch/registry-client"
import { EmulatorSqlError, Identifier, type Json, LocalLayout, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import * as Yaml from "yaml"
import { isSymbol, isWord, type Token } from "../SqlTokens.ts"
import type { Statement, StatementContext, StatementHandler } from "../Statement.ts"
import { rows, status } from "../StatementRows.ts"
import { likePattern, matches, showScope } from "./Databases.ts"
import { nameAt } from "./SessionStatements.ts"
import { argumentAt, stageLocation, syntaxError } from "./StageSyntax.ts"
import { createdOn, requireStage } from "./Stages.ts"

const failure = (statement: Statement, code: string, sqlState: string, reason: string) =>
  new EmulatorSqlError({ statement: statement.text, code, sqlState, reason })

/** A registry error as Snowflake would answer it: its code, and the registry's own explanation. */
const answerRegistryErrors =
  (statement: Statement) =>
  <A, E extends { readonly _tag: string; readonly message: string }>(effect: Effect.Effect<A, E>) =>
    Effect.mapError(effect, (error) => {
      switch (error._tag) {
        case "ModelNotFound":
        case "ModelVersionNotFound":
          return failure(statement, "002003", "02000", `SQL compilation error:\n${error.message}`)
        case "ModelVersionExists":
          return failure(statement, "002002", "42710", `SQL compilation error:\n${error.message}`)
        case "InvalidModelVersion":
        case "InvalidSpec":
        case "InvalidSignature":
        case "InvalidIdentifier":
        case "LocalFileError":
          return failure(statement, "001003", "42000", `SQL compilation error:\n${error.message}`)
        default:
          return failure(statement, "000603", "XX000", error.message)
      }
    })

/** The local registry, resolving unqualified names against the session's database and schema. */
const registryOf = (context: StatementContext) =>
  Effect.map(context.workspace, (workspace) => LocalRegistry.make(workspace.account))

/** The model name at word `from` and the index after it. */
const modelAt = (statement: Statement, from: number) =>
  Effect.gen(function* () {
    const name = nameAt(statement.words, from)
    if (name.text === "") return yield* syntaxError(statement, "a model name is missing")
    return name
  })

/** A version name (an identifier) at word `index`, as stored. */
const versionAt = (statement: Statement, index: number) => {
  const token: Token | undefined = statement.words[index]
  return token === undefined || (token.kind !== "word" && token.kind !== "quoted")
    ? Effect.fail(syntaxError(statement, "a version name is missing"))
    : Effect.mapError(Identifier.resolve(token.text), (e) => syntaxError(statement, e.message))
}

const JSON_TEXT = (value: unknown): string => JSON.stringify(value)

export const showModels: StatementHandler = {
  kind: "SHOW MODELS",
  matches: ({ keywords }) => /^SHOW (TERSE )?MODELS\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      const { like, database, schema } = yield* showScope(
        statement,
        context,
        statement.keywords.includes("TERSE") ? 3 : 2
      )
      if (schema === undefined)
        return yield* failure(
          statement,
          "0A000",
          "0A000",
          "SHOW MODELS IN DATABASE or IN ACCOUNT is not supported by the emulator; write IN SCHEMA db.schema."
        )
      const registry = (yield* registryOf(context)).forSchema({ database, schema })
      const models = yield* answerRegistryErrors(statement)(registry.listModels)
      return rows(
        [
          createdOn,
          ["name", "text"],
          ["model_type", "text"],
          ["database_name", "text"],
          ["schema_name", "text"],
          ["comment", "text"],
          ["owner", "text"],
          ["default_version_name", "text"],
          ["versions", "text"],
          ["aliases", "text"]
        ],
        models
          .filter((model) => matches(like, model.name))
          .map((model) => [
            epochOf(model.createdOn),
            model.name,
            "USER_MODEL",
            model.database,
            model.schema,
            model.comment ?? null,
            context.session.role,
            model.defaultVersion ?? null,
            JSON_TEXT(model.versions),
            "{}"
          ])
      )
    })
}

/** An ISO time as Snowflake's raw TIMESTAMP_LTZ text. */
const epochOf = (iso: string): string => {
  const millis = Date.parse(iso)
  return Number.isNaN(millis) ? "0.000" : (millis / 1000).toFixed(3)
}

/** `IN MODEL m` from word `from`: the model's name and the index after it. */
const inModel = (statement: Statement, from: number) =>
  Effect.gen(function* () {
    if (!isWord(statement.words[from], "IN") || !isWord(statement.words[from + 1], "MODEL"))
      return yield* syntaxError(statement, "expected IN MODEL <name>")
    return yield* modelAt(statement, from + 2)
  })

export const showVersions: StatementHandler = {
  kind: "SHOW VERSIONS",
  matches: ({ keywords }) => /^SHOW VERSIONS\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      let i = 2
      let like: RegExp | undefined
      if (isWord(statement.words[i], "LIKE")) {
        const pattern = statement.words[i + 1]
        if (pattern?.kind !== "string") return yield* syntaxError(statement, "LIKE takes a quoted pattern")
        like = likePattern(pattern.value)
        i += 2
      }
      const name = yield* inModel(statement, i)
      const registry = yield* registryOf(context)
      const answer = answerRegistryErrors(statement)
      const versions = yield* answer(registry.showVersions(name.text))
      const withSpec =
        String(context.parameter("SHOW_MODEL_DETAILS_IN_SHOW_VERSIONS_IN_MODEL")).toLowerCase() === "true"
      const values: Array<Array<string | null>> = []
      for (const version of versions.filter((v) => matches(like, v.name))) {
        const row: Array<string | null> = [
          epochOf(version.createdOn),
          version.name,
          JSON_TEXT(version.aliases),
          version.comment ?? null,
          version.databaseName,
          version.schemaName,
          version.modelName,
          String(version.isDefaultVersion),
          JSON_TEXT(version.functions),
          JSON_TEXT(version.metadata),
          JSON_TEXT(version.userData)
        ]
        if (withSpec) {
          const folder = LocalLayout.versionDir(
            context.home,
            { database: version.databaseName, schema: version.schemaName, name: version.modelName },
            version.name
          )
          row.push(yield* Effect.promise(() => readFile(join(folder, ModelVersionFiles.MODEL_SPEC), "utf8")))
        }
        values.push(row)
      }
      return rows(
        [
          createdOn,
          ["name", "text"],
          ["aliases", "text"],
          ["comment", "text"],
          ["database_name", "text"],
          ["schema_name", "text"],
          ["model_name", "text"],
          ["is_default_version", "text"],
          ["functions", "text"],
          ["metadata", "text"],
          ["user_data", "text"],
          ...(withSpec ? [["model_spec", "text"] as const] : [])
        ],
        values
      )
    })
}

/** The methods of a version's MANIFEST.yml, as SHOW FUNCTIONS needs them. */
interface ManifestMethod {
  readonly name: string
  readonly type: string
  readonly inputs?: ReadonlyArray<{ readonly name?: string; readonly type?: string }>
  readonly outputs?: ReadonlyArray<{ readonly name?: string; readonly type?: string }>
}

export const showModelFunctions: StatementHandler = {
  kind: "SHOW FUNCTIONS IN MODEL",
  matches: ({ keywords }) => /^SHOW FUNCTIONS IN MODEL\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      const name = yield* inModel(statement, 2)
      if (!isWord(statement.words[name.end], "VERSION"))
        return yield* syntaxError(statement, "expected VERSION <name> after the model")
      const version = yield* versionAt(statement, name.end + 1)
      const registry = yield* registryOf(context)
      const answer = answerRegistryErrors(statement)
      // The version must be there; its functions are its manifest's methods, as on Snowflake (its
      // model spec is not read, so a spoilt one is reported by the client's reader, not here).
      const listed = yield* answer(registry.showVersions(name.text))
      const row = listed.find((v) => v.name === version)
      if (row === undefined) {
        // Says which versions there are.
        yield* answer(registry.getVersion(name.text, Identifier.quote(version)))
        return yield* failure(statement, "002003", "02000", `Model version ${version} does not exist.`)
      }
      const folder = LocalLayout.versionDir(
        context.home,
        { database: row.databaseName, schema: row.schemaName, name: row.modelName },
        row.name
      )
      const text = yield* Effect.promise(() =>
        readFile(join(folder, ModelVersionFiles.MANIFEST), "utf8").catch(() => "")
      )
      let methods: ReadonlyArray<ManifestMethod> = []
      try {
        const parsed = Yaml.parse(text) as { methods?: ReadonlyArray<ManifestMethod> } | null
        methods = Array.isArray(parsed?.methods) ? parsed.methods : []
      } catch {
        // An unreadable manifest lists no function; the client then reads the manifest and says why.
      }
      const field = (f: { readonly name?: string; readonly type?: string }) =>
        [f.name, f.type].filter((part) => part !== undefined).join(" ")
      return rows(
        [
          ["name", "text"],
          ["arguments", "text"],
          ["return_type", "text"],
          ["language", "text"]
        ],
        methods.map((m) => {
          const returns =
            m.type === "TABLE_FUNCTION" ? `TABLE (${(m.outputs ?? []).map(field).join(", ")})` : "OBJECT"
          const args = (m.inputs ?? []).map((input) => input.type ?? "").join(", ")
          return [m.name, `${m.name}(${args}) RETURN ${returns}`, returns, "PYTHON"]
        })
      )
    })
}

/** `FROM @stage/folder` at word `index`: the staged folder's local path. */
const stagedFolder = (statement: Statement, context: StatementContext, index: number) =>
  Effect.gen(function* () {
    if (!isWord(statement.words[index], "FROM"))
      return yield* syntaxError(statement, "expected FROM @stage/folder")
    const fromToken = statement.tokens.indexOf(statement.words[index]!)
    const argument = argumentAt(statement.tokens, fromToken + 1)
    if (argument === undefined) return yield* syntaxError(statement, "FROM takes @stage/folder")
    if (/^model\b/i.test(argument.text))
      return yield* failure(
        statement,
        "0A000",
        "0A000",
        "CREATE MODEL … FROM MODEL is not supported by the emulator; log the version from a stage."
      )
    const location = StageLocation.asDirectory(yield* stageLocation(argument.text, context))
    yield* requireStage(statement, context, location)
    const workspace = yield* context.workspace
    return yield* workspace.account.stagePath(location)
  })

/** Log the version folder staged at `FROM …` (word `fromIndex`) as `version` of `model`. */
const logFromStage = (
  statement: Statement,
  context: StatementContext,
  registry: ModelRegistryShape,
  model: string,
  version: string,
  fromIndex: number
) =>
  Effect.gen(function* () {
    const folder = yield* stagedFolder(statement, context, fromIndex)
    const answer = answerRegistryErrors(statement)
    const resolved = yield* answer(Identifier.parseFullyQualified(model, registry.scope))
    const options = yield* answer(
      VersionFolder.readVersionFolder(folder, Identifier.formatQualified(resolved), version)
    )
    yield* answer(registry.logModel({ ...options, name: model, version: Identifier.quote(version) }))
  })

export const createModel: StatementHandler = {
  kind: "CREATE MODEL",
  matches: ({ keywords }) => /^CREATE (OR REPLACE )?MODEL\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      if (statement.keywords.startsWith("CREATE OR REPLACE"))
        return yield* failure(
          statement,
          "0A000",
          "0A000",
          "CREATE OR REPLACE MODEL is not supported by the emulator."
        )
      const ifNotExists = isWord(statement.words[2], "IF")
      const name = yield* modelAt(statement, ifNotExists ? 5 : 2)
      if (!isWord(statement.words[name.end], "WITH") || !isWord(statement.words[name.end + 1], "VERSION"))
        return yield* syntaxError(statement, "expected WITH VERSION <name> FROM @stage/folder")
      const version = yield* versionAt(statement, name.end + 2)
      const registry = yield* registryOf(context)
      const exists = yield* Effect.as(registry.getModel(name.text), true).pipe(
        Effect.catchTag("ModelNotFound", () => Effect.succeed(false)),
        answerRegistryErrors(statement)
      )
      if (exists) {
        if (ifNotExists) return status(`${name.text} already exists, statement succeeded.`)
        return yield* failure(
          statement,
          "002002",
          "42710",
          `SQL compilation error:\nObject '${name.text}' already exists. Add a version with ALTER MODEL … ADD VERSION.`
        )
      }
      yield* logFromStage(statement, context, registry, name.text, version, name.end + 3)
      return status(`Model ${name.text} successfully created.`)
    })
}

export const alterModel: StatementHandler = {
  kind: "ALTER MODEL",
  matches: ({ keywords }) => /^ALTER MODEL\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      const words = statement.words
      const ifExists = isWord(words[2], "IF")
      const name = yield* modelAt(statement, ifExists ? 4 : 2)
      const registry = yield* registryOf(context)
      const answer = answerRegistryErrors(statement)
      const at = name.end
      if (isWord(words[at], "ADD") && isWord(words[at + 1], "VERSION")) {
        const version = yield* versionAt(statement, at + 2)
        yield* answer(registry.getModel(name.text))
        yield* logFromStage(statement, context, registry, name.text, version, at + 3)
        return status("Statement executed successfully.")
      }
      if (
        isWord(words[at], "SET") &&
        isWord(words[at + 1], "DEFAULT_VERSION") &&
        isSymbol(words[at + 2], "=")
      ) {
        const version = yield* versionAt(statement, at + 3)
        yield* answer(registry.setDefaultVersion(name.text, Identifier.quote(version)))
        return status("Statement executed successfully.")
      }
      if (isWord(words[at], "DROP") && isWord(words[at + 1], "VERSION")) {
        const version = yield* versionAt(statement, at + 2)
        const model = yield* answer(registry.getModel(name.text))
        if (model.defaultVersion === version && model.versions.includes(version))
          return yield* failure(
            statement,
            "002003",
            "42601",
            `SQL compilation error:\nCannot drop the default version ${version} of model ${name.text}; set another default version first (or DROP MODEL).`
          )
        yield* answer(registry.deleteVersion(name.text, Identifier.quote(version)))
        return status("Statement executed successfully.")
      }
      if (isWord(words[at], "MODIFY") && isWord(words[at + 1], "VERSION") && isWord(words[at + 3], "SET")) {
        const version = yield* versionAt(statement, at + 2)
        const setting = words[at + 4]
        const value = words[at + 6]
        if (!isSymbol(words[at + 5], "=") || value?.kind !== "string")
          return yield* syntaxError(statement, "expected SET COMMENT = '…' or SET METADATA = '{…}'")
        const workspace = yield* context.workspace
        const modify = LocalRegistry.modifyVersion(workspace.account, registry.scope)
        if (isWord(setting, "COMMENT")) {
          yield* answer(modify(name.text, Identifier.quote(version), { comment: value.value }))
          return status("Statement executed successfully.")
        }
        if (isWord(setting, "METADATA")) {
          const metadata = yield* Effect.try({
            try: () => JSON.parse(value.value) as Record<string, Json>,
            catch: () => syntaxError(statement, "METADATA takes a JSON object")
          })
          yield* answer(modify(name.text, Identifier.quote(version), { metadata }))
          return status("Statement executed successfully.")
        }
      }
      return yield* failure(
        statement,
        "0A000",
        "0A000",
        "This ALTER MODEL is not supported by the emulator (it takes ADD VERSION … FROM, SET DEFAULT_VERSION, DROP VERSION, MODIFY VERSION … SET COMMENT | METADATA)."
      )
    })
}

export const dropModel: StatementHandler = {
  kind: "DROP MODEL",
  matches: ({ keywords }) => /^DROP MODEL\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      const ifExists = isWord(statement.words[2], "IF")
      const name = yield* modelAt(statement, ifExists ? 4 : 2)
      const registry = yield* registryOf(context)
      const dropped = yield* Effect.as(registry.deleteModel(name.text), true).pipe(
        Effect.catchTag("ModelNotFound", (e) => (ifExists ? Effect.succeed(false) : Effect.fail(e))),
        answerRegistryErrors(statement)
      )
      return status(
        dropped
          ? `${name.text} successfully dropped.`
          : `Drop statement executed successfully (${name.text} already dropped).`
      )
    })
}
