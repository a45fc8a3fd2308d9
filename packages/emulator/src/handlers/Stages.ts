/**
 * Stages of the local account as Snowflake objects: a stage exists when its folder
 * (`stages/<DB>/<SCHEMA>/<STAGE>/`) does. `CREATE STAGE` makes the folder (`OR REPLACE` empties it,
 * as Snowflake drops a replaced stage's files), `DROP STAGE` removes it, `DESCRIBE STAGE` and
 * `SHOW STAGES` describe them; a TEMPORARY stage is removed when its session ends (TemporaryObjects).
 * Statements on a stage that does not exist fail with Snowflake's 002003, where the local account's
 * own API would create it on first write.
 */
import { mkdir, readdir, rm, stat } from "node:fs/promises"
import { EmulatorSqlError, LocalLayout, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { column } from "../RowTypes.ts"
import { isWord } from "../SqlTokens.ts"
import type { Statement, StatementContext, StatementHandler } from "../Statement.ts"
import { epochText, rows, status } from "../StatementRows.ts"
import { forgetTemporary, rememberTemporary } from "../TemporaryObjects.ts"
import { nameAt } from "./SessionStatements.ts"
import { syntaxError } from "./StageSyntax.ts"

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

/** Fails with 002003 unless the stage exists. */
export const requireStage = (statement: Statement, context: StatementContext, stage: StageName) =>
  Effect.flatMap(isFolder(folderOf(context.home, stage)), (exists) =>
    exists ? Effect.void : Effect.fail(stageMissing(statement, stage))
  )

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

const indexOfWord = (statement: Statement, word: string) => statement.words.findIndex((t) => isWord(t, word))

export const createStage: StatementHandler = {
  kind: "CREATE STAGE",
  matches: ({ keywords }) => /^CREATE (OR REPLACE )?((TEMP|TEMPORARY) )?STAGE\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      const { stage } = yield* stageNamed(statement, context, indexOfWord(statement, "STAGE") + 1)
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
          ["STAGE_LOCATION", "URL", "String", "", ""],
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
        Effect.promise(() => stat(stage.path).then((s) => ({ ...stage, created: s.birthtime })))
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
            "",
            "N",
            "N",
            context.session.role,
            "",
            null,
            "INTERNAL",
            null,
            null,
            null,
            "ROLE",
            "N"
          ])
      )
    })
}
