/**
 * Named file formats: `CREATE [OR REPLACE] [TEMP|TEMPORARY] FILE FORMAT [IF NOT EXISTS] name
 * [TYPE = PARQUET | CSV | JSON …]` and `DROP FILE FORMAT [IF EXISTS] name`. Queries over staged files
 * (`FROM @stage (FILE_FORMAT => 'name')`, `INFER_SCHEMA(… FILE_FORMAT => 'name')`: StageTables.ts) look
 * them up. They are kept in memory, per served home: a temporary one until its session ends, others
 * until the emulator stops (a restarted emulator forgets them — recreate them, as runbatch does).
 */
import { EmulatorSqlError, Identifier } from "@runbatch/spec"
import { Effect, Scope } from "effect"
import { isWord } from "../SqlTokens.ts"
import type { Statement, StatementContext, StatementHandler } from "../Statement.ts"
import { status } from "../StatementRows.ts"
import { nameAt } from "./SessionStatements.ts"
import { optionsFrom, syntaxError } from "./StageSyntax.ts"

export interface FileFormat {
  /** `PARQUET`, `CSV`, … as given by TYPE (Snowflake's default is CSV). */
  readonly type: string
  /** The session a temporary format belongs to. */
  readonly session?: number
}

/**
 * Formats by home, then by `DB.SCHEMA.NAME` as Identifier.formatQualified writes it; a temporary one
 * under its session's id too (`<id>:DB.SCHEMA.NAME`): only its session sees it, before permanent ones.
 */
const formats = new Map<string, Map<string, FileFormat>>()

const formatsOf = (home: string): Map<string, FileFormat> => {
  const known = formats.get(home) ?? new Map<string, FileFormat>()
  formats.set(home, known)
  return known
}

const temporaryKey = (context: StatementContext, key: string) => `${context.session.id}:${key}`

/** The key `key` is stored under for this session: its temporary format's, else the permanent one's. */
const storedKey = (context: StatementContext, key: string): string | undefined => {
  const known = formatsOf(context.home)
  if (known.has(temporaryKey(context, key))) return temporaryKey(context, key)
  return known.has(key) ? key : undefined
}

/** `name` resolved against the session's database and schema, as its key. */
const keyOf = (name: string, context: StatementContext) =>
  Effect.map(
    Identifier.parseFullyQualified(name, {
      database: context.session.database,
      schema: context.session.schema
    }),
    Identifier.formatQualified
  )

/** The format a statement names (`FILE_FORMAT => 'name'`), or Snowflake's 002003 naming it. */
export const fileFormatNamed = (statement: Statement, context: StatementContext, name: string) =>
  Effect.gen(function* () {
    const key = yield* keyOf(name, context).pipe(
      Effect.catch((error) => syntaxError(statement, error.message))
    )
    const stored = storedKey(context, key)
    const format = stored === undefined ? undefined : formatsOf(context.home).get(stored)
    if (stored === undefined || format === undefined)
      return yield* new EmulatorSqlError({
        statement: statement.text,
        code: "002003",
        sqlState: "02000",
        reason: `SQL compilation error:\nFile format '${key}' does not exist or not authorized. Create it with CREATE FILE FORMAT ${key} TYPE = PARQUET.`
      })
    return { key, stored, format }
  })

const indexOfWord = (statement: Statement, word: string) => statement.words.findIndex((t) => isWord(t, word))

export const createFileFormat: StatementHandler = {
  kind: "CREATE FILE FORMAT",
  matches: ({ keywords }) => /^CREATE (OR REPLACE )?((TEMP|TEMPORARY) )?FILE FORMAT\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      let at = indexOfWord(statement, "FORMAT") + 1
      const ifNotExists = isWord(statement.words[at], "IF")
      if (ifNotExists) at += 3
      const name = nameAt(statement.words, at)
      if (name.text === "") return yield* syntaxError(statement, "the file format's name is missing")
      const key = yield* keyOf(name.text, context).pipe(
        Effect.catch((error) => syntaxError(statement, error.message))
      )
      const options = yield* optionsFrom(statement, statement.words, name.end)
      const known = formatsOf(context.home)
      const short = key.slice(key.lastIndexOf(".") + 1)
      const temporary = / (TEMP|TEMPORARY) /.test(` ${statement.keywords} `)
      const stored = temporary ? temporaryKey(context, key) : key
      if (known.has(stored)) {
        if (ifNotExists) return status(`${short} already exists, statement succeeded.`)
        if (!statement.keywords.includes(" OR REPLACE "))
          return yield* new EmulatorSqlError({
            statement: statement.text,
            code: "002002",
            sqlState: "42710",
            reason: `SQL compilation error:\nObject '${key}' already exists.`
          })
      }
      known.set(stored, {
        type: options.get("TYPE") ?? "CSV",
        ...(temporary ? { session: context.session.id } : {})
      })
      if (temporary)
        yield* Scope.addFinalizer(
          context.session.scope,
          Effect.sync(() => known.delete(stored))
        )
      return status(`File format ${short} successfully created.`)
    })
}

export const dropFileFormat: StatementHandler = {
  kind: "DROP FILE FORMAT",
  matches: ({ keywords }) => keywords.startsWith("DROP FILE FORMAT"),
  run: (statement, context) =>
    Effect.gen(function* () {
      const ifExists = isWord(statement.words[3], "IF")
      const name = nameAt(statement.words, ifExists ? 5 : 3)
      if (name.text === "") return yield* syntaxError(statement, "the file format's name is missing")
      if (ifExists) {
        const key = yield* keyOf(name.text, context).pipe(
          Effect.catch((error) => syntaxError(statement, error.message))
        )
        const short = key.slice(key.lastIndexOf(".") + 1)
        const stored = storedKey(context, key)
        return stored !== undefined && formatsOf(context.home).delete(stored)
          ? status(`${short} successfully dropped.`)
          : status(`Drop statement executed successfully (${short} already dropped).`)
      }
      const { key, stored } = yield* fileFormatNamed(statement, context, name.text)
      formatsOf(context.home).delete(stored)
      return status(`${key.slice(key.lastIndexOf(".") + 1)} successfully dropped.`)
    })
}
