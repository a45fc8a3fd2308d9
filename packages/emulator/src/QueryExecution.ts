/**
 * One query-request, start to end: the text lexed and checked to hold one statement, the binds turned
 * into literals (array binds of `INSERT … VALUES (?, ?)` into one row of values per bound row; other
 * statements run once per row), the statement run by its handler, the history kept, and the answer
 * built: a row response (`rowtype`, `rowset`, `total`, `returned`, `parameters`, chunks), PUT/GET
 * transfer instructions, or a Snowflake error.
 */
import { EmulatorSqlError } from "@runbatch/spec"
import { Cause, Duration, Effect, Exit } from "effect"
import { type Bindings, literalsOfRow, rowCount } from "./Bindings.ts"
import type { SessionNames } from "./DuckDbDialect.ts"
import { toDuckDb } from "./DuckDbDialect.ts"
import { type QueryHistory, redact } from "./QueryHistory.ts"
import { describe, queryRows, rowTypeOfColumns } from "./QueryRows.ts"
import type { ResultChunks } from "./ResultChunks.ts"
import type { RunningQueries } from "./RunningQueries.ts"
import { type ParameterValue, toWire } from "./SessionParameters.ts"
import { workspaceOf } from "./SessionSql.ts"
import type { SessionState } from "./Sessions.ts"
import { CANCELLED, type SnowflakeError, snowflakeErrorOf, timedOut } from "./SnowflakeErrors.ts"
import {
  isSymbol,
  isWord,
  LexError,
  significant,
  splitStatements,
  type Token,
  tokenize
} from "./SqlTokens.ts"
import {
  STATEMENT_TYPE,
  type Statement,
  type StatementContext,
  type StatementResult,
  statementOf
} from "./Statement.ts"
import { type GateOptions, stopped } from "./StatementGate.ts"
import { runStatement } from "./StatementTable.ts"

export interface QueryRequest {
  readonly sqlText: string
  readonly bindings?: Bindings
  readonly describeOnly?: boolean
  /** Submitted with asyncExec: answered at once with the query id, polled for. */
  readonly asyncExec?: boolean
  /** Statement-level parameters: they apply to this statement's response only. */
  readonly parameters?: Readonly<Record<string, ParameterValue>>
}

export interface Emulated extends GateOptions {
  readonly home: string
  readonly account: string
  readonly history: QueryHistory
  readonly chunks: ResultChunks
  readonly threads?: number
  readonly queries: Pick<RunningQueries, "abort">
}

/** What a query-request answers: Snowflake's `data` on success, or its error. */
export type QueryOutcome =
  | { readonly _tag: "Success"; readonly data: Readonly<Record<string, unknown>>; readonly rows: number }
  | { readonly _tag: "Failure"; readonly error: SnowflakeError }

const lexFailure = (sqlText: string, error: LexError) =>
  new EmulatorSqlError({
    statement: sqlText,
    code: "001003",
    sqlState: "42000",
    reason: `SQL compilation error:\nsyntax error at position ${error.offset}: ${error.reason}.`
  })

/**
 * The one statement of `sqlText`, or Snowflake's errors for none and for several. Its text is the
 * redacted one (QueryHistory.redact), so no error message repeats a secret's or a user's literals.
 */
const oneStatement = (original: string): Effect.Effect<Statement, EmulatorSqlError> =>
  Effect.gen(function* () {
    const sqlText = redact(original)
    const tokens = yield* Effect.try({
      try: () => tokenize(original),
      catch: (error) =>
        error instanceof LexError
          ? lexFailure(sqlText, error)
          : lexFailure(sqlText, new LexError(String(error), 0))
    })
    const statements = splitStatements(tokens)
    if (statements.length === 0)
      return yield* new EmulatorSqlError({
        statement: sqlText,
        code: "000900",
        sqlState: "42000",
        reason: "Empty SQL statement."
      })
    if (statements.length > 1)
      return yield* new EmulatorSqlError({
        statement: sqlText,
        code: "000008",
        sqlState: "0A000",
        reason: `Actual statement count ${statements.length} did not match the desired statement count 1. Send one statement per request.`
      })
    return statementOf(sqlText, statements[0]!)
  })

/**
 * `INSERT … VALUES (…)` with array binds: the one tuple repeated for every bound row, as a raw token,
 * so all rows go in one statement. Undefined for any other statement.
 */
const expandValues = (
  statement: Statement,
  bindings: Bindings,
  rows: number,
  names: SessionNames
): Effect.Effect<Statement | undefined, EmulatorSqlError> =>
  Effect.gen(function* () {
    if (!statement.keywords.startsWith("INSERT")) return undefined
    const tokens = statement.tokens
    const values = tokens.findIndex((t) => isWord(t, "VALUES"))
    if (values === -1) return undefined
    let open = values + 1
    while (open < tokens.length && !significant(tokens[open]!)) open++
    if (!isSymbol(tokens[open], "(")) return undefined
    let depth = 0
    let close = open
    for (; close < tokens.length; close++) {
      if (isSymbol(tokens[close], "(")) depth++
      if (isSymbol(tokens[close], ")") && --depth === 0) break
    }
    // One tuple, and nothing after it: otherwise each row runs on its own.
    if (tokens.slice(close + 1).some(significant)) return undefined
    const tuple = tokens.slice(open, close + 1)
    const rendered: Array<string> = []
    for (let row = 0; row < rows; row++)
      rendered.push(toDuckDb(tuple, yield* literalsOfRow(statement.text, bindings, row), names))
    const expanded: Array<Token> = [...tokens.slice(0, open), { kind: "raw", text: rendered.join(",\n") }]
    return { ...statement, tokens: expanded, words: expanded.filter(significant), valuesRows: rows }
  })

const namesOf = (session: SessionState, account: string): SessionNames => ({
  database: session.database,
  schema: session.schema,
  warehouse: session.warehouse,
  role: session.role,
  user: session.user,
  account,
  sessionId: String(session.id)
})

/** `data` fields every answer carries: the query id, the parameters, the session's final state. */
const common = (
  session: SessionState,
  queryId: string,
  parameters: Readonly<Record<string, ParameterValue>> | undefined
) => ({
  queryId,
  parameters: toWire(new Map([...session.parameters, ...Object.entries(parameters ?? {})])),
  finalDatabaseName: session.database,
  finalSchemaName: session.schema,
  finalWarehouseName: session.warehouse ?? null,
  finalRoleName: session.role,
  databaseProvider: null,
  version: 1,
  queryResultFormat: "json"
})

/** The `data` of an answer to `result` (its rows encoded), and how many rows it has. */
const answer = (result: StatementResult, context: StatementContext) =>
  Effect.gen(function* () {
    switch (result._tag) {
      case "Rows":
        return {
          data: {
            rowtype: result.rowtype,
            rowset: result.rows,
            total: result.rows.length,
            returned: result.rows.length,
            statementTypeId: result.statementTypeId
          },
          rows: result.rows.length
        }
      case "Transfer":
        return { data: { ...result.data, rowtype: [], rowset: [], total: 0, returned: 0 }, rows: 0 }
      case "Query": {
        const workspace = yield* context.workspace
        const columns = yield* describe(workspace.sql, result.duckDb)
        const encoded = result.describeOnly
          ? { rowset: [], chunks: [], total: 0 }
          : yield* queryRows(workspace.sql, context.chunks, context.queryId, result.duckDb, columns)
        return {
          data: {
            rowtype: rowTypeOfColumns(columns),
            rowset: encoded.rowset,
            ...(encoded.chunks.length === 0 ? {} : { chunks: encoded.chunks, chunkHeaders: {} }),
            total: encoded.total,
            returned: encoded.total,
            statementTypeId: STATEMENT_TYPE.select
          },
          rows: encoded.total
        }
      }
    }
  })

const tagOf = (value: ParameterValue | undefined): string | undefined =>
  value === undefined || value === "" ? undefined : String(value)

/** The session's STATEMENT_TIMEOUT_IN_SECONDS when set above 0 (Snowflake's 0 means none). */
const timeoutOf = (session: SessionState): number | undefined => {
  const value = Number(session.parameters.get("STATEMENT_TIMEOUT_IN_SECONDS") ?? 0)
  return Number.isFinite(value) && value > 0 ? value : undefined
}

const asFailure = (error: SnowflakeError) => ({
  code: error.code,
  sqlState: error.sqlState,
  reason: error.message
})

/**
 * Run one query-request in `session` as `queryId`. Never fails: a failure is a Snowflake error in
 * the outcome; an interruption (cancel) is recorded as ABORTED.
 */
export const executeQuery = (
  emulated: Emulated,
  session: SessionState,
  queryId: string,
  request: QueryRequest
): Effect.Effect<QueryOutcome> => {
  const names = namesOf(session, emulated.account)
  emulated.history.start({
    queryId,
    sql: request.sqlText,
    sessionId: session.id,
    user: session.user,
    role: session.role,
    warehouse: session.warehouse,
    database: session.database,
    schema: session.schema,
    asyncExec: request.asyncExec === true,
    queryTag: tagOf(request.parameters?.["QUERY_TAG"] ?? session.parameters.get("QUERY_TAG")),
    startTime: new Date()
  })
  const workspaceOptions = emulated.threads === undefined ? {} : { threads: emulated.threads }
  const run = Effect.gen(function* () {
    const statement = yield* oneStatement(request.sqlText)
    const refusal = stopped(statement, session, emulated, request.describeOnly === true)
    if (refusal !== undefined) return yield* refusal
    const bindings = request.bindings ?? {}
    const rows = yield* rowCount(statement.text, bindings)
    const expanded = rows > 1 ? yield* expandValues(statement, bindings, rows, names) : undefined
    const contextFor = (literals: ReadonlyMap<number, string>): StatementContext => ({
      home: emulated.home,
      account: emulated.account,
      session,
      queryId,
      literals,
      describeOnly: request.describeOnly === true,
      workspace: Effect.suspend(() =>
        workspaceOf(emulated.home, session, session.database, session.schema, workspaceOptions)
      ),
      workspaceFor: (database, schema) =>
        workspaceOf(emulated.home, session, database, schema, workspaceOptions),
      names,
      history: emulated.history,
      chunks: emulated.chunks,
      parameter: (name) =>
        request.parameters?.[name.toUpperCase()] ?? session.parameters.get(name.toUpperCase()),
      cancelQuery: (id) => emulated.queries.abort({ queryId: id })
    })
    if (expanded !== undefined)
      return yield* Effect.flatMap(runStatement(expanded, contextFor(new Map())), (r) =>
        answer(r, contextFor(new Map()))
      )
    let last: { data: Record<string, unknown>; rows: number } | undefined
    for (let row = 0; row < rows; row++) {
      const context = contextFor(yield* literalsOfRow(statement.text, bindings, row))
      last = yield* Effect.flatMap(runStatement(statement, context), (result) => answer(result, context))
    }
    return last!
  })
  const timeout = timeoutOf(session)
  const bounded =
    timeout === undefined
      ? run
      : run.pipe(
          Effect.timeoutOrElse({
            duration: Duration.seconds(timeout),
            orElse: () =>
              Effect.fail(
                new EmulatorSqlError({ statement: request.sqlText, ...asFailure(timedOut(timeout)) })
              )
          })
        )
  return Effect.exit(bounded).pipe(
    Effect.map((exit): QueryOutcome => {
      if (Exit.isSuccess(exit)) {
        emulated.history.finish(queryId, { status: "SUCCESS", rows: exit.value.rows })
        return {
          _tag: "Success",
          data: { ...common(session, queryId, request.parameters), ...exit.value.data },
          rows: exit.value.rows
        }
      }
      const failure = Cause.findErrorOption(exit.cause)
      const error: SnowflakeError =
        failure._tag === "Some"
          ? snowflakeErrorOf(failure.value)
          : Cause.hasInterruptsOnly(exit.cause)
            ? CANCELLED
            : {
                code: "100132",
                sqlState: "P0000",
                message: `The emulator failed: ${Cause.pretty(exit.cause).split("\n")[0]}`
              }
      emulated.history.finish(queryId, {
        status: error === CANCELLED ? "ABORTED" : "FAILED_WITH_ERROR",
        errorCode: error.code,
        errorMessage: error.message,
        sqlState: error.sqlState
      })
      return { _tag: "Failure", error }
    }),
    // A cancel interrupts this fiber: the statement is recorded as aborted.
    Effect.onInterrupt(() =>
      Effect.sync(() =>
        emulated.history.finish(queryId, {
          status: "ABORTED",
          errorCode: CANCELLED.code,
          errorMessage: CANCELLED.message,
          sqlState: CANCELLED.sqlState
        })
      )
    )
  )
}
