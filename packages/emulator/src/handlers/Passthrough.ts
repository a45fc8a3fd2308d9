/**
 * The statements the emulator passes to the local account's DuckDB (rewritten by DuckDbDialect):
 * queries (`SELECT`, `WITH`, `VALUES`), DML (`INSERT`, `UPDATE`, `DELETE`, `MERGE`) and the DDL of
 * tables, views and schemas. Queries answer with their rows; DML and DDL with Snowflake's status row
 * (`number of rows inserted` / `deleted`: the tuples of `INSERT … VALUES`, otherwise the target table
 * counted before and after — exact unless another client writes to it at the same time).
 * `TRANSIENT`, `VOLATILE` and `TEMPORARY` tables are created as ordinary tables: every DuckDB
 * operation of the local account is its own instance, where a temporary table would not outlive it.
 * Temporary (and volatile) ones are dropped when their session ends (TemporaryObjects).
 */
import { rm } from "node:fs/promises"
import { Identifier, LocalLayout } from "@runbatch/spec"
import { Effect } from "effect"
import { toDuckDb } from "../DuckDbDialect.ts"
import { readsHistory, withHistory } from "../QueryHistoryTable.ts"
import { column } from "../RowTypes.ts"
import type { Workspace } from "../SessionSql.ts"
import { isSymbol, isWord, type Token } from "../SqlTokens.ts"
import { readsStagedFiles, withStagedFiles } from "../StagedFilesTable.ts"
import { STATEMENT_TYPE, type Statement, type StatementContext, type StatementHandler } from "../Statement.ts"
import { rows, status } from "../StatementRows.ts"
import { forgetTemporary, rememberTemporary } from "../TemporaryObjects.ts"
import { nameAt } from "./SessionStatements.ts"

const QUERY = /^(SELECT|WITH|VALUES)\b/
const DML = /^(INSERT|UPDATE|DELETE|MERGE)\b/
const DDL =
  /^(CREATE (OR REPLACE )?((LOCAL|GLOBAL) )?((TEMP|TEMPORARY|VOLATILE|TRANSIENT) )?(TABLE|VIEW|SCHEMA)|DROP (TABLE|VIEW|SCHEMA)|ALTER (TABLE|VIEW)|TRUNCATE)\b/

/** Words Snowflake allows before TABLE that DuckDB does not know (or would make short-lived). */
const TABLE_MODIFIERS = new Set(["LOCAL", "GLOBAL", "TEMP", "TEMPORARY", "VOLATILE", "TRANSIENT"])

/** The statement's tokens for DuckDB: history tables in place, table modifiers dropped. */
const duckDbTokens = (statement: Statement, context: StatementContext): ReadonlyArray<Token> => {
  const tokens = readsHistory(statement.tokens)
    ? withHistory(statement.tokens, context.history.entries)
    : statement.tokens
  if (!statement.keywords.startsWith("CREATE ")) return tokens
  let seenTable = false
  return tokens.filter((token) => {
    if (seenTable || token.kind !== "word") return true
    const upper = token.text.toUpperCase()
    if (upper === "TABLE") seenTable = true
    return !TABLE_MODIFIERS.has(upper)
  })
}

export const duckDbText = (statement: Statement, context: StatementContext): string =>
  toDuckDb(duckDbTokens(statement, context), context.literals, context.names)

/** The object a DDL or DML statement names (after TABLE/VIEW/SCHEMA/INTO/FROM, past IF [NOT] EXISTS). */
const targetOf = (words: ReadonlyArray<Token>, after: ReadonlyArray<string>): string | undefined => {
  const at = words.findIndex((token) => after.some((word) => isWord(token, word)))
  if (at === -1) return undefined
  let from = at + 1
  if (isWord(words[from], "IF")) from += isWord(words[from + 1], "NOT") ? 3 : 2
  const name = nameAt(words, from).text
  return name === "" ? undefined : name
}

const lastPart = (name: string): string =>
  Effect.runSync(
    Identifier.parseQualified(name).pipe(
      Effect.map((parts) => parts.name),
      Effect.orElseSucceed(() => name)
    )
  )

/** The rows of `table` now, or undefined when it cannot be counted (it does not exist yet). */
const countRows = (workspace: Workspace, table: string, context: StatementContext) =>
  workspace.sql
    .query(`SELECT COUNT(*) AS N FROM ${toDuckDb(tokensOfName(table), new Map(), context.names)}`)
    .pipe(
      Effect.map((result) => Number(result.getChildAt(0)?.get(0) ?? 0)),
      Effect.orElseSucceed(() => undefined)
    )

const tokensOfName = (name: string): ReadonlyArray<Token> =>
  Identifier.splitParts(name).flatMap(
    (part, i): Array<Token> => [
      ...(i === 0 ? [] : [{ kind: "symbol", text: "." } as const]),
      part.startsWith('"') ? { kind: "quoted", text: part } : { kind: "word", text: part }
    ]
  )

/**
 * The rows of `INSERT … VALUES (…), (…)`: its top-level tuples (or the rows array binds expanded it
 * to); undefined for any other INSERT.
 */
const valuesRows = (statement: Statement): number | undefined => {
  if (statement.valuesRows !== undefined) return statement.valuesRows
  const words = statement.words
  const at = words.findIndex((token) => isWord(token, "VALUES"))
  if (at === -1) return undefined
  let depth = 0
  let tuples = 0
  for (const token of words.slice(at + 1)) {
    if (isSymbol(token, "(")) {
      if (depth === 0) tuples++
      depth++
    } else if (isSymbol(token, ")")) depth--
    else if (depth === 0 && !isSymbol(token, ",")) return undefined
  }
  return tuples === 0 ? undefined : tuples
}

const dmlResult = (label: string, changed: number | undefined, statementTypeId: number) =>
  changed === undefined
    ? status("Statement executed successfully.")
    : rows(
        [column(`number of rows ${label}`, "fixed", { precision: 38, nullable: false })],
        [[String(changed)]],
        statementTypeId
      )

const ddlStatus = (statement: Statement): string => {
  const words = statement.words
  const target = targetOf(words, ["TABLE", "VIEW", "SCHEMA"])
  const name = target === undefined ? "" : lastPart(target)
  if (statement.keywords.startsWith("CREATE")) {
    const kind =
      ["TABLE", "VIEW", "SCHEMA"].find((word) => words.some((token) => isWord(token, word))) ?? "TABLE"
    return `${kind.charAt(0)}${kind.slice(1).toLowerCase()} ${name} successfully created.`
  }
  if (statement.keywords.startsWith("DROP")) return `${name} successfully dropped.`
  return "Statement executed successfully."
}

const CREATE_TABLE = /^CREATE (OR REPLACE )?((LOCAL|GLOBAL) )?((TEMP|TEMPORARY|VOLATILE|TRANSIENT) )?TABLE\b/

/** The table a CREATE or DROP TABLE statement names, resolved against the session; none if unreadable. */
const tableNamed = (statement: Statement, context: StatementContext) => {
  const target = targetOf(statement.words, ["TABLE"])
  return target === undefined
    ? Effect.succeedNone
    : Effect.option(
        Identifier.parseFullyQualified(target, {
          database: context.session.database,
          schema: context.session.schema
        })
      )
}

/** A TEMPORARY table just created is dropped with its session; one dropped or replaced is forgotten. */
const trackTemporaryTable = (statement: Statement, context: StatementContext, workspace: Workspace) =>
  Effect.gen(function* () {
    const create = CREATE_TABLE.exec(statement.keywords)
    if (create === null && !statement.keywords.startsWith("DROP TABLE")) return
    const name = yield* tableNamed(statement, context)
    if (name._tag === "None") return
    const qualified = Identifier.quoteQualified(name.value)
    const key = `TABLE ${qualified}`
    if (create !== null && create[5] !== undefined && create[5] !== "TRANSIENT")
      yield* rememberTemporary(
        context.session,
        key,
        Effect.ignore(workspace.sql.execute(`DROP TABLE IF EXISTS ${qualified}`))
      )
    else forgetTemporary(context.session, key)
  })

/** A dropped or replaced table takes its table stage's files with it, as on Snowflake. */
const dropTableStage = (statement: Statement, context: StatementContext) =>
  Effect.gen(function* () {
    const replaced = CREATE_TABLE.exec(statement.keywords)?.[1] !== undefined
    if (!replaced && !statement.keywords.startsWith("DROP TABLE")) return
    const name = yield* tableNamed(statement, context)
    if (name._tag === "None") return
    const folder = LocalLayout.stageDir(context.home, {
      kind: "table",
      ...name.value,
      stage: name.value.name
    })
    yield* Effect.promise(() => rm(folder, { recursive: true, force: true }))
  })

export const passthrough: StatementHandler = {
  kind: "SQL for DuckDB",
  matches: ({ keywords }) => QUERY.test(keywords) || DML.test(keywords) || DDL.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      const staged = readsStagedFiles(statement.tokens)
        ? { ...statement, tokens: yield* withStagedFiles(statement, statement.tokens, context) }
        : statement
      const duckDb = duckDbText(staged, context)
      if (QUERY.test(statement.keywords))
        return { _tag: "Query", duckDb, describeOnly: context.describeOnly } as const
      const workspace = yield* context.workspace
      if (context.describeOnly) return status("Statement executed successfully.")
      const counted = statement.keywords.startsWith("INSERT")
        ? { target: targetOf(statement.words, ["INTO"]), label: "inserted", type: STATEMENT_TYPE.insert }
        : statement.keywords.startsWith("DELETE")
          ? { target: targetOf(statement.words, ["FROM"]), label: "deleted", type: STATEMENT_TYPE.delete }
          : undefined
      // INSERT … VALUES says how many rows it adds: no counting (each count is a DuckDB operation).
      const tuples = statement.keywords.startsWith("INSERT") ? valuesRows(statement) : undefined
      if (tuples !== undefined) {
        yield* workspace.sql.execute(duckDb)
        return dmlResult("inserted", tuples, STATEMENT_TYPE.insert)
      }
      const before =
        counted?.target === undefined ? undefined : yield* countRows(workspace, counted.target, context)
      yield* workspace.sql.execute(duckDb)
      if (counted !== undefined) {
        const after =
          counted.target === undefined ? undefined : yield* countRows(workspace, counted.target, context)
        const changed = before === undefined || after === undefined ? undefined : Math.abs(after - before)
        return dmlResult(counted.label, changed, counted.type)
      }
      if (DML.test(statement.keywords)) return status("Statement executed successfully.")
      yield* trackTemporaryTable(statement, context, workspace)
      yield* dropTableStage(statement, context)
      return status(ddlStatus(statement))
    })
}
