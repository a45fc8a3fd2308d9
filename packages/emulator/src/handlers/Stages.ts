/**
 * Stages of the local account as Snowflake objects: a stage exists when its folder
 * (`stages/<DB>/<SCHEMA>/<STAGE>/`) does. `CREATE STAGE` makes the folder (`OR REPLACE` empties it,
 * as Snowflake drops a replaced stage's files), `DROP STAGE` removes it, `DESCRIBE STAGE` and
 * `SHOW STAGES` describe them; a TEMPORARY stage is removed when its session ends (TemporaryObjects).
 * Statements on a stage that does not exist fail with Snowflake's 002003, where the local account's
 * own API would create it on first write. The user stage `@~` always exists; a table stage `@%T`
 * exists while its table does; neither is created or dropped on its own.
 */
import { mkdir, readdir, rm, stat } from "node:fs/promises"
import { EmulatorSqlError, Identifier, LocalLayout, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { externalUrl, forgetExternal, normaliseUrl, recordExternal } from "../ExternalStages.ts"
import { column } from "../RowTypes.ts"
import { isWord } from "../SqlTokens.ts"
import type { Statement, StatementContext, StatementHandler } from "../Statement.ts"
import { epochText, rows, status } from "../StatementRows.ts"
import { forgetTemporary, rememberTemporary } from "../TemporaryObjects.ts"
import { nameAt } from "./SessionStatements.ts"
import { optionsFrom, syntaxError } from "./StageSyntax.ts"

export type StageName = Pick<StageLocation.StageLocation, "kind" | "database" | "schema" | "stage">

export const stageDisplay = (stage: StageName): string => StageLocation.formatStage(stage)

export const stageMissing = (statement: Statement, stage: StageName) =>
  new EmulatorSqlError({
    statement: statement.text,
    code: "002003",
    sqlState: "02000",
    reason: `SQL compilation error:\nStage '${stageDisplay(stage)}' does not exist or not authorized. Create it with CREATE STAGE ${stageDisplay(stage)}.`
  })

const folderOf = (home: string, stage: StageName) => LocalLayout.stageDir(home, stage)

const isFolder = (path: string) =>
  Effect.promise(() =>
    stat(path).then(
      (s) => s.isDirectory(),
      () => false
    )
  )

/** Snowflake's 002003 for a table stage whose table does not exist (message unverified on a real account). */
export const tableMissing = (statement: Statement, stage: StageName) =>
  new EmulatorSqlError({
    statement: statement.text,
    code: "002003",
    sqlState: "02000",
    reason: `SQL compilation error:\nTable '${Identifier.formatQualified({ database: stage.database, schema: stage.schema, name: stage.stage })}' does not exist or not authorized. A table stage (@%TABLE) exists while its table does; create the table first.`
  })

/**
 * Fails with 002003 unless the stage exists: a named stage once created, the user stage always, a
 * table stage while its table exists.
 */
export const requireStage = (
  statement: Statement,
  context: StatementContext,
  stage: StageName
): Effect.Effect<void, EmulatorSqlError> => {
  if (stage.kind === "user") return Effect.void
  if (stage.kind === "table")
    return Effect.flatMap(context.workspaceFor(stage.database, stage.schema), (workspace) =>
      workspace.sql
        .table(
          Identifier.quoteQualified({ database: stage.database, schema: stage.schema, name: stage.stage })
        )
        .pipe(
          Effect.asVoid,
          Effect.mapError(() => tableMissing(statement, stage))
        )
    )
  return Effect.flatMap(isFolder(folderOf(context.home, stage)), (exists) =>
    exists ? Effect.void : Effect.fail(stageMissing(statement, stage))
  )
}

/** The stage a statement names after its leading keywords (`CREATE STAGE [IF NOT EXISTS] name`). */
const stageNamed = (statement: Statement, context: StatementContext, from: number) =>
  Effect.gen(function* () {
    const words = statement.words
    let at = from
    if (isWord(words[at], "IF")) at += isWord(words[at + 1], "NOT") ? 3 : 2
    const name = nameAt(words, at)
    if (name.text === "") return yield* syntaxError(statement, "the stage name is missing")
    const location = yield* StageLocation.parse(`@${name.text}`, {
      database: context.session.database,
      schema: context.session.schema
    })
    // The user stage and table stages are never created or dropped on their own.
    if (location.kind !== "named") return yield* syntaxError(statement, `'${name.text}' is not a stage name`)
    return { stage: location satisfies StageName, end: name.end }
  })

/**
 * `URL = 's3://…'` of CREATE STAGE: an external stage (STORAGE_INTEGRATION and CREDENTIALS are
 * accepted and ignored). Options are only read when URL is there, so any other CREATE STAGE is taken
 * as it always was.
 */
const urlOption = (statement: Statement, end: number) =>
  Effect.gen(function* () {
    if (!statement.words.some((word) => isWord(word, "URL"))) return undefined
    const written = (yield* optionsFrom(statement, statement.words, end)).get("URL")
    const url = written === undefined ? undefined : normaliseUrl(written)
    if (url === undefined)
      return yield* syntaxError(
        statement,
        `the stage URL ${JSON.stringify(written ?? "")} is not a cloud storage URL: write URL = 's3://bucket/path/' (or gcs://, azure://)`
      )
    return url
  })

const indexOfWord = (statement: Statement, word: string) => statement.words.findIndex((t) => isWord(t, word))

export const createStage: StatementHandler = {
  kind: "CREATE STAGE",
  matches: ({ keywords }) => /^CREATE (OR REPLACE )?((TEMP|TEMPORARY) )?STAGE\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      const { stage, end } = yield* stageNamed(statement, context, indexOfWord(statement, "STAGE") + 1)
      const url = yield* urlOption(statement, end)
      const folder = folderOf(context.home, stage)
      const replace = statement.keywords.includes(" OR REPLACE ")
      const ifNotExists = isWord(statement.words[indexOfWord(statement, "STAGE") + 1], "IF")
      // Through the account: a folder on the way that is a symbolic link is refused.
      yield* (yield* context.workspace).account.stagePath({ ...stage, path: "", isDirectory: true })
      if (yield* isFolder(folder)) {
        if (ifNotExists) return status(`${stage.stage} already exists, statement succeeded.`)
        if (!replace)
          return yield* new EmulatorSqlError({
            statement: statement.text,
            code: "002002",
            sqlState: "42710",
            reason: `SQL compilation error:\nObject '${stageDisplay(stage)}' already exists. Use CREATE OR REPLACE STAGE to replace it (its files are removed) or CREATE STAGE IF NOT EXISTS.`
          })
        yield* Effect.promise(() => rm(folder, { recursive: true, force: true }))
      }
      yield* Effect.promise(() => mkdir(folder, { recursive: true }))
      yield* url === undefined
        ? forgetExternal(context.home, stage)
        : recordExternal(context.home, stage, url)
      const key = `STAGE ${stageDisplay(stage)}`
      if (/ (TEMP|TEMPORARY) STAGE\b/.test(` ${statement.keywords}`))
        yield* rememberTemporary(
          context.session,
          key,
          Effect.promise(() => rm(folder, { recursive: true, force: true }))
        )
      else forgetTemporary(context.session, key)
      return status(`Stage area ${stage.stage} successfully created.`)
    })
}

export const dropStage: StatementHandler = {
  kind: "DROP STAGE",
  matches: ({ keywords }) => keywords.startsWith("DROP STAGE"),
  run: (statement, context) =>
    Effect.gen(function* () {
      const { stage } = yield* stageNamed(statement, context, 2)
      const folder = folderOf(context.home, stage)
      yield* (yield* context.workspace).account.stagePath({ ...stage, path: "", isDirectory: true })
      if (!(yield* isFolder(folder))) {
        if (isWord(statement.words[2], "IF"))
          return status(`Drop statement executed successfully (${stage.stage} already dropped).`)
        return yield* stageMissing(statement, stage)
      }
      yield* Effect.promise(() => rm(folder, { recursive: true, force: true }))
      yield* forgetExternal(context.home, stage)
      forgetTemporary(context.session, `STAGE ${stageDisplay(stage)}`)
      return status(`${stage.stage} successfully dropped.`)
    })
}

export const describeStage: StatementHandler = {
  kind: "DESCRIBE STAGE",
  matches: ({ keywords }) => /^(DESC|DESCRIBE) STAGE\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      const { stage } = yield* stageNamed(statement, context, 2)
      yield* requireStage(statement, context, stage)
      const url = yield* externalUrl(context.home, stage)
      return rows(
        [
          ["parent_property", "text"],
          ["property", "text"],
          ["property_type", "text"],
          ["property_value", "text"],
          ["property_default", "text"]
        ],
        [
          ["STAGE_FILE_FORMAT", "TYPE", "String", "CSV", "CSV"],
          // An external stage's URL as a JSON list (the format is unverified on a real account).
          ["STAGE_LOCATION", "URL", "String", url === undefined ? "" : JSON.stringify([url]), ""],
          ["DIRECTORY", "ENABLE", "Boolean", "false", "false"]
        ]
      )
    })
}

/** Folder names below `path`, decoded to the identifiers they stand for; none if it is missing. */
export const foldersIn = (path: string) =>
  Effect.promise(() =>
    readdir(path, { withFileTypes: true }).then(
      (entries) =>
        entries
          .filter((e) => e.isDirectory())
          .map((e) => ({ name: LocalLayout.fromSegment(e.name), path: `${path}/${e.name}` })),
      () => []
    )
  )

export const createdOn = column("created_on", "timestamp_ltz", { scale: 3 })

export const showStages: StatementHandler = {
  kind: "SHOW STAGES",
  matches: ({ keywords }) => /^SHOW (TERSE )?STAGES\b/.test(keywords),
  run: (_statement, context) =>
    Effect.gen(function* () {
      const { database, schema } = context.session
      const schemaDir = `${LocalLayout.stagesDir(context.home)}/${LocalLayout.segment(database)}/${LocalLayout.segment(schema)}`
      const stages = yield* foldersIn(schemaDir)
      const found = yield* Effect.forEach(stages, (stage) =>
        Effect.gen(function* () {
          const created = yield* Effect.promise(() => stat(stage.path).then((s) => s.birthtime))
          const url = yield* externalUrl(context.home, { kind: "named", database, schema, stage: stage.name })
          return { ...stage, created, url }
        })
      )
      return rows(
        [
          createdOn,
          ["name", "text"],
          ["database_name", "text"],
          ["schema_name", "text"],
          ["url", "text"],
          ["has_credentials", "text"],
          ["has_encryption_key", "text"],
          ["owner", "text"],
          ["comment", "text"],
          ["region", "text"],
          ["type", "text"],
          ["cloud", "text"],
          ["storage_integration", "text"],
          ["endpoint", "text"],
          ["owner_role_type", "text"],
          ["directory_enabled", "text"]
        ],
        found
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((stage) => [
            epochText(stage.created),
            stage.name,
            database,
            schema,
            stage.url ?? "",
            "N",
            "N",
            context.session.role,
            "",
            null,
            stage.url === undefined ? "INTERNAL" : "EXTERNAL",
            null,
            null,
            null,
            "ROLE",
            "N"
          ])
      )
    })
}
