/**
 * One snowflake-sdk connection as Effects: log in (scoped: destroyed when the scope closes), run a
 * statement for its rows as text, describe one, stream one's rows. Values are always fetched as text
 * (`fetchAsString` for every type, rows as arrays) so `SnowflakeColumns` parses them exactly; the
 * session's output formats are set right after login. Interrupting a statement cancels it.
 */
import { SnowflakeConnectFailed, type SnowflakeDriverMissing, SqlError } from "@runbatch/spec"
import { Effect, type Scope } from "effect"
import type SnowflakeSdk from "snowflake-sdk"
import type { SnowflakeColumn } from "../SnowflakeColumns.ts"
import { loadDriver } from "./Driver.ts"
import {
  connectionLabel,
  describeConnection,
  type SnowflakeConnection,
  toDriverOptions
} from "./SnowflakeConnection.ts"

type DriverConnection = SnowflakeSdk.Connection
type DriverStatement = SnowflakeSdk.RowStatement

const FETCH_AS_STRING: Array<SnowflakeSdk.DataType> = [
  "String",
  "Boolean",
  "Number",
  "Date",
  "JSON",
  "Buffer"
]

/** Snowflake's codes for a statement it refused to compile: it needs fixing, not retrying. */
const REFUSED_CODES: ReadonlySet<string> = new Set([
  "001003", // SQL compilation error: syntax error
  "002003", // object does not exist or not authorized
  "000904", // invalid identifier
  "002140", // unknown function
  "002043" // object does not exist (schema-level)
])

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | undefined)?.code
  return code === undefined || code === null ? undefined : String(code)
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === "string" ? error : JSON.stringify(error)

/** A driver failure of `statement`, with Snowflake's code and SQL state when it gave them. */
export const toSqlError = (statement: string, error: unknown): SqlError => {
  const code = codeOf(error)
  const sqlState = (error as { sqlState?: unknown } | undefined)?.sqlState
  const details = [
    code === undefined ? undefined : `code ${code}`,
    typeof sqlState === "string" && sqlState !== "" ? `SQL state ${sqlState}` : undefined
  ].filter((d) => d !== undefined)
  return new SqlError({
    statement,
    reason: `${messageOf(error)}${details.length > 0 ? ` (Snowflake ${details.join(", ")})` : ""}`,
    ...(code !== undefined && REFUSED_CODES.has(code) ? { refused: true } : {})
  })
}

export interface StatementResult {
  readonly columns: ReadonlyArray<SnowflakeColumn>
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>
}

export interface StreamingStatement {
  readonly columns: ReadonlyArray<SnowflakeColumn>
  readonly statement: DriverStatement
}

export interface SnowflakeClient {
  /** The connection's name and description, for messages. */
  readonly label: string
  readonly description: string
  /** Run a statement; its columns and rows as text. */
  readonly run: (sql: string) => Effect.Effect<StatementResult, SqlError>
  /** Compile a statement without running it: its columns. */
  readonly describe: (sql: string) => Effect.Effect<ReadonlyArray<SnowflakeColumn>, SqlError>
  /** Run a query with a streamed result: its columns once it completes, and the statement to stream rows from. */
  readonly startStream: (sql: string) => Effect.Effect<StreamingStatement, SqlError>
}

const columnsOf = (statement: DriverStatement | undefined): Array<SnowflakeColumn> =>
  (statement?.getColumns() ?? []).map((column) => ({
    name: column.getName(),
    type: column.getType(),
    scale: column.getScale(),
    nullable: column.isNullable()
  }))

/** Cancel `statement`, ignoring the answer (it may have finished meanwhile). */
export const cancelStatement = (statement: DriverStatement): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    try {
      statement.cancel(() => resume(Effect.void))
    } catch {
      resume(Effect.void)
    }
  }).pipe(Effect.timeoutOption("10 seconds"), Effect.asVoid)

const execute = <A>(
  connection: DriverConnection,
  sql: string,
  options: Partial<SnowflakeSdk.StatementOption>,
  done: (statement: DriverStatement, rows: Array<Array<string | null>> | undefined) => A
): Effect.Effect<A, SqlError> =>
  Effect.callback<A, SqlError>((resume) => {
    let finished = false
    let statement: DriverStatement | undefined
    try {
      statement = connection.execute({
        sqlText: sql,
        fetchAsString: FETCH_AS_STRING,
        rowMode: "array",
        ...options,
        complete: (error, completed, rows) => {
          finished = true
          if (error) resume(Effect.fail(toSqlError(sql, error)))
          else resume(Effect.succeed(done(completed as DriverStatement, rows as Array<Array<string | null>>)))
        }
      } as SnowflakeSdk.StatementOption) as DriverStatement
    } catch (error) {
      finished = true
      resume(Effect.fail(toSqlError(sql, error)))
    }
    return Effect.suspend(() =>
      finished || statement === undefined ? Effect.void : cancelStatement(statement)
    )
  })

const destroy = (connection: DriverConnection): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    if (!connection.isUp()) return resume(Effect.void)
    try {
      connection.destroy(() => resume(Effect.void))
    } catch {
      resume(Effect.void)
    }
  }).pipe(Effect.timeoutOption("10 seconds"), Effect.asVoid)

/** Log in with `connection`; the session ends (destroyed) when the scope closes. */
export const connectClient = (
  connection: SnowflakeConnection
): Effect.Effect<SnowflakeClient, SnowflakeConnectFailed | SnowflakeDriverMissing, Scope.Scope> =>
  Effect.gen(function* () {
    const driver = yield* loadDriver
    const label = connectionLabel(connection)
    const description = describeConnection(connection)
    const failed = (error: unknown) => {
      const code = codeOf(error)
      return new SnowflakeConnectFailed({
        connection: label,
        description,
        reason: messageOf(error),
        ...(code === undefined ? {} : { code })
      })
    }
    const client = yield* Effect.acquireRelease(
      Effect.callback<DriverConnection, SnowflakeConnectFailed>((resume) => {
        try {
          const created = driver.createConnection({
            ...toDriverOptions(connection),
            // A SQL NULL fetched as text is the string 'NULL' unless told otherwise (a process-wide
            // setting of the driver, made by every connection that names it).
            representNullAsStringNull: false
          } as SnowflakeSdk.ConnectionOptions)
          // connectAsync resolves even when the login fails; the callback form reports it.
          created.connect((error) => resume(error ? Effect.fail(failed(error)) : Effect.succeed(created)))
        } catch (error) {
          resume(Effect.fail(failed(error)))
        }
      }),
      destroy
    )
    return {
      label,
      description,
      run: (sql) =>
        execute(client, sql, {}, (statement, rows) => ({ columns: columnsOf(statement), rows: rows ?? [] })),
      describe: (sql) => execute(client, sql, { describeOnly: true }, (statement) => columnsOf(statement)),
      startStream: (sql) =>
        execute(client, sql, { streamResult: true }, (statement) => ({
          columns: columnsOf(statement),
          statement
        }))
    } satisfies SnowflakeClient
  })
