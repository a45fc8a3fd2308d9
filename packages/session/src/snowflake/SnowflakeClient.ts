/**
 * One snowflake-sdk connection as Effects: log in (scoped: destroyed when the scope closes; a login
 * that takes longer than `loginTimeoutMillis` fails), run a statement for its rows as text, describe
 * one, stream one's rows. Values are always fetched as text (`fetchAsString` for every type, rows as
 * arrays) so `SnowflakeColumns` parses them exactly; the session's output formats are set right after
 * login. `runAsync` and `startStream` run a statement asynchronously (AsyncQuery: no request held
 * open, cancelled by query id); `run` and `describe` in one request, which costs a round trip less
 * for runbatch's own short statements (a poll and a fetch are two more). Interrupting any statement
 * cancels it, a statement timeout is enforced here as well as by Snowflake, and failures are typed
 * by Snowflake's code (StatementErrors).
 */

import type { Readable } from "node:stream"
import {
  SnowflakeConnectFailed,
  type SnowflakeDriverMissing,
  type SnowflakeStatementError,
  type SqlError,
  StatementTimedOut
} from "@runbatch/spec"
import { Duration, Effect, type Scope } from "effect"
import type SnowflakeSdk from "snowflake-sdk"
import type { SnowflakeColumn } from "../SnowflakeColumns.ts"
import { DriverFailure, runAsync } from "./AsyncQuery.ts"
import { loadDriver } from "./Driver.ts"
import {
  connectionLabel,
  describeConnection,
  type SnowflakeConnection,
  toDriverOptions
} from "./SnowflakeConnection.ts"
import { codeOf, messageOf, type StatementErrorContext, toStatementError } from "./StatementErrors.ts"

export { toSqlError } from "./StatementErrors.ts"

type DriverConnection = SnowflakeSdk.Connection
type DriverStatement = SnowflakeSdk.RowStatement

/** What a statement on the connection fails with. */
export type StatementError = SqlError | SnowflakeStatementError

export const DEFAULT_LOGIN_TIMEOUT_MILLIS = 60_000

/**
 * How much longer than the statement timeout runbatch waits before cancelling the statement itself:
 * Snowflake's own cancel (000630) normally comes first.
 */
export const STATEMENT_TIMEOUT_GRACE_MILLIS = 2_000

const FETCH_AS_STRING: Array<SnowflakeSdk.DataType> = [
  "String",
  "Boolean",
  "Number",
  "Date",
  "JSON",
  "Buffer"
]

const TEXT_ROWS = { fetchAsString: FETCH_AS_STRING, rowMode: "array" } as const

export interface StatementResult {
  readonly columns: ReadonlyArray<SnowflakeColumn>
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>
}

/**
 * The part of snowflake-sdk's RowStatement runbatch uses on a streamed statement, named here: the
 * declarations runbatch publishes never name the optional driver's types, so an app without
 * snowflake-sdk installed still compiles against them.
 */
export interface RowsStatement {
  readonly streamRows: () => Readable
  readonly cancel: (callback: (error: unknown) => void) => void
}

export interface StreamingStatement {
  readonly columns: ReadonlyArray<SnowflakeColumn>
  readonly statement: RowsStatement
}

export interface RunOptions {
  readonly parameters?: Readonly<Record<string, string | number | boolean>>
}

export interface SnowflakeClient {
  /** The connection's name and description, for messages. */
  readonly label: string
  readonly description: string
  /**
   * Run a short statement in one request; its columns and rows as text. `parameters` apply to this
   * statement only (sent in the request, as `SHOW_MODEL_DETAILS_IN_SHOW_VERSIONS_IN_MODEL` must be).
   */
  readonly run: (sql: string, options?: RunOptions) => Effect.Effect<StatementResult, StatementError>
  /** Run a statement that may be long asynchronously (submit, poll, fetch); its columns and rows as text. */
  readonly runAsync: (sql: string) => Effect.Effect<StatementResult, StatementError>
  /** Compile a statement without running it: its columns. */
  readonly describe: (sql: string) => Effect.Effect<ReadonlyArray<SnowflakeColumn>, StatementError>
  /** Run a query with a streamed result: its columns once it completes, and the statement to stream rows from. */
  readonly startStream: (sql: string) => Effect.Effect<StreamingStatement, StatementError>
}

const columnsOf = (statement: DriverStatement | undefined): Array<SnowflakeColumn> =>
  (statement?.getColumns() ?? []).map((column) => ({
    name: column.getName(),
    type: column.getType(),
    scale: column.getScale(),
    nullable: column.isNullable()
  }))

/** Cancel `statement`, ignoring the answer (it may have finished meanwhile). */
export const cancelStatement = (statement: RowsStatement): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    try {
      statement.cancel(() => resume(Effect.void))
    } catch {
      resume(Effect.void)
    }
  }).pipe(Effect.timeoutOption("10 seconds"), Effect.asVoid)

/** Run a statement in one request (the driver polls one still running after ~45 s). */
const executeSync = (
  connection: DriverConnection,
  options: Partial<SnowflakeSdk.StatementOption>
): Effect.Effect<{ statement: DriverStatement; rows: Array<unknown> | undefined }, DriverFailure> =>
  Effect.callback((resume) => {
    let finished = false
    let statement: DriverStatement | undefined
    try {
      statement = connection.execute({
        ...options,
        complete: (error, completed, rows) => {
          finished = true
          if (error) resume(Effect.fail(new DriverFailure(error)))
          else resume(Effect.succeed({ statement: completed as DriverStatement, rows }))
        }
      } as SnowflakeSdk.StatementOption) as DriverStatement
    } catch (error) {
      finished = true
      resume(Effect.fail(new DriverFailure(error)))
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

const seconds = (millis: number): string => `${Number((millis / 1000).toFixed(1))} s`

/** Log in with `connection`; the session ends (destroyed) when the scope closes. */
export const connectClient = (
  connection: SnowflakeConnection
): Effect.Effect<
  SnowflakeClient,
  SnowflakeConnectFailed | SnowflakeDriverMissing | StatementError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const driver = yield* loadDriver
    const label = connectionLabel(connection)
    const description = describeConnection(connection)
    const { loginTimeoutMillis, statementTimeoutSeconds, ...driverOptions } = toDriverOptions(connection)
    const loginTimeout = loginTimeoutMillis ?? DEFAULT_LOGIN_TIMEOUT_MILLIS
    const failed = (error: unknown) => {
      const code = codeOf(error)
      return new SnowflakeConnectFailed({
        connection: label,
        description,
        reason: messageOf(error),
        ...(code === undefined ? {} : { code })
      })
    }
    const login = Effect.callback<DriverConnection, SnowflakeConnectFailed>((resume) => {
      let created: DriverConnection | undefined
      try {
        created = driver.createConnection({
          ...driverOptions,
          // A SQL NULL fetched as text is the string 'NULL' unless told otherwise (a process-wide
          // setting of the driver, made by every connection that names it).
          representNullAsStringNull: false
        } as SnowflakeSdk.ConnectionOptions)
        // connectAsync resolves even when the login fails; the callback form reports it.
        const connecting = created
        connecting.connect((error) => resume(error ? Effect.fail(failed(error)) : Effect.succeed(connecting)))
      } catch (error) {
        resume(Effect.fail(failed(error)))
      }
      // Given up on (the login timeout): the driver ends the session should the login still succeed.
      return Effect.sync(() => {
        try {
          created?.destroy(() => undefined)
        } catch {
          // Nothing to end.
        }
      })
    }).pipe(
      Effect.timeoutOrElse({
        duration: Duration.millis(loginTimeout),
        orElse: () =>
          Effect.fail(
            new SnowflakeConnectFailed({
              connection: label,
              description,
              reason: `the login got no answer within ${seconds(loginTimeout)} (loginTimeoutMillis). Check that the host is right and reachable from here (a proxy or firewall may hold the request), or raise loginTimeoutMillis`
            })
          )
      })
    )
    // Not acquireRelease: a login that hangs must stay interruptible (by its timeout).
    const client = yield* Effect.uninterruptibleMask((restore) =>
      Effect.tap(restore(login), (created) => Effect.addFinalizer(() => destroy(created)))
    )
    const errorContext: StatementErrorContext = {
      connection: label,
      role: connection.options.role,
      statementTimeoutSeconds
    }
    const typed =
      (sql: string) =>
      (failure: DriverFailure): StatementError =>
        toStatementError(errorContext, sql, failure.error)
    /** Past the statement timeout (and a grace), runbatch cancels the statement itself. */
    const bounded = <A>(sql: string, effect: Effect.Effect<A, StatementError>) =>
      statementTimeoutSeconds === undefined
        ? effect
        : effect.pipe(
            Effect.timeoutOrElse({
              duration: Duration.millis(statementTimeoutSeconds * 1000 + STATEMENT_TIMEOUT_GRACE_MILLIS),
              orElse: () =>
                Effect.fail(
                  new StatementTimedOut({
                    connection: label,
                    statement: sql,
                    timeoutSeconds: statementTimeoutSeconds
                  })
                )
            })
          )
    const runAsText = (sql: string, mode: "sync" | "async" | "stream", options: RunOptions = {}) =>
      bounded(
        sql,
        (mode === "sync"
          ? executeSync(client, {
              sqlText: sql,
              ...TEXT_ROWS,
              ...(options.parameters === undefined ? {} : { parameters: { ...options.parameters } })
            })
          : runAsync(client, {
              sqlText: sql,
              ...TEXT_ROWS,
              ...(mode === "stream" ? { streamResult: true } : {})
            })
        ).pipe(Effect.mapError(typed(sql)))
      )
    const toResult = ({
      statement,
      rows
    }: {
      statement: DriverStatement
      rows: Array<unknown> | undefined
    }) => ({
      columns: columnsOf(statement),
      rows: (rows ?? []) as Array<Array<string | null>>
    })

    if (statementTimeoutSeconds !== undefined) {
      const sql = `ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = ${Math.max(0, Math.floor(statementTimeoutSeconds))}`
      yield* executeSync(client, { sqlText: sql }).pipe(Effect.mapError(typed(sql)))
    }
    return {
      label,
      description,
      run: (sql, options) => Effect.map(runAsText(sql, "sync", options), toResult),
      runAsync: (sql) => Effect.map(runAsText(sql, "async"), toResult),
      describe: (sql) =>
        executeSync(client, { sqlText: sql, ...TEXT_ROWS, describeOnly: true }).pipe(
          Effect.mapBoth({ onFailure: typed(sql), onSuccess: ({ statement }) => columnsOf(statement) })
        ),
      startStream: (sql) =>
        Effect.map(runAsText(sql, "stream"), ({ statement }) => ({
          columns: columnsOf(statement),
          statement
        }))
    } satisfies SnowflakeClient
  })
