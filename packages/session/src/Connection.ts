/**
 * A DuckDB connection as Effects: every statement's failure becomes a SqlError naming the statement
 * (marked `refused` when DuckDB refused the statement itself), and interrupting a statement waits for
 * DuckDB to stop it. `openDuckDb` is one operation's instance: an in-memory main database, closed with
 * its scope.
 */
import { randomUUID } from "node:crypto"
import {
  type DuckDBConnection,
  type DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBResultReader,
  type DuckDBType,
  type DuckDBValue
} from "@duckdb/node-api"
import { SqlError } from "@runbatch/spec"
import { Effect, type Scope, Stream } from "effect"

export interface Column {
  readonly name: string
  readonly type: DuckDBType
}

/** What an operation runs its statements with; every failure becomes a SqlError naming the statement. */
export interface Connection {
  /** Run `sql` (one or more statements) for its effect. */
  readonly run: (sql: string) => Effect.Effect<void, SqlError>
  /** Run a query and read all its rows. */
  readonly all: (
    sql: string,
    params?: ReadonlyArray<DuckDBValue>
  ) => Effect.Effect<DuckDBResultReader, SqlError>
  /** Run a query and read at least `rows` rows of it (or all, if fewer), without computing the rest. */
  readonly first: (sql: string, rows: number) => Effect.Effect<DuckDBResultReader, SqlError>
  /**
   * Run a query whose rows are computed as they are pulled, a DuckDB chunk (up to 2,048 rows) at a
   * time, while the connection is open. Beware: a failure while chunks are fetched ends them as the
   * end of the result does (DuckDB's node bindings cannot report it), so stream only what cannot fail
   * and count it, as SpooledQuery does.
   */
  readonly stream: (sql: string) => Effect.Effect<StreamedResult, SqlError>
  /** A query's columns, as written (no renaming of colliding names), without running it. */
  readonly columns: (sql: string) => Effect.Effect<ReadonlyArray<Column>, SqlError>
}

/** A query's columns, and its rows chunk by chunk as they are pulled (no chunk of no rows). */
export interface StreamedResult {
  readonly columns: ReadonlyArray<Column>
  readonly chunks: Stream.Stream<DuckDBDataChunk, SqlError>
}

/** An error's message, whatever was thrown. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** DuckDB's own kinds of error for a statement it refused before running it (its message's prefix). */
const REFUSED = /^(Parser|Binder|Catalog) Error/

/** A statement DuckDB failed, marked `refused` when the statement itself was at fault. */
export const sqlError = (statement: string, error: unknown): SqlError => {
  const reason = messageOf(error)
  return new SqlError({ statement, reason, refused: REFUSED.test(reason) })
}

/** `text` as a SQL string literal. */
export const sqlString = (text: string): string => `'${text.replace(/'/g, "''")}'`

/**
 * A DuckDB call as an Effect. Interrupting it interrupts the query and waits for DuckDB to stop, so
 * the connection is never closed (and its file lock never released) under a running statement.
 */
export const call = <A>(
  connection: DuckDBConnection,
  statement: string,
  run: () => Promise<A>
): Effect.Effect<A, SqlError> =>
  Effect.callback<A, SqlError>((resume) => {
    const pending = run()
    pending.then(
      (value) => resume(Effect.succeed(value)),
      (error) => resume(Effect.fail(sqlError(statement, error)))
    )
    return Effect.promise(() => {
      connection.interrupt()
      return pending.then(
        () => undefined,
        () => undefined
      )
    })
  })

/** `connection`'s statements as Effects. */
export const connectionOf = (connection: DuckDBConnection): Connection => ({
  run: (sql) => call(connection, sql, () => connection.run(sql)).pipe(Effect.asVoid),
  all: (sql, params) =>
    call(connection, sql, () =>
      params === undefined ? connection.runAndReadAll(sql) : connection.runAndReadAll(sql, [...params])
    ),
  first: (sql, rows) => call(connection, sql, () => connection.streamAndReadUntil(sql, rows)),
  stream: (sql) =>
    Effect.map(
      call(connection, sql, () => connection.stream(sql)),
      (result) => ({
        columns: result.columnNames().map((name, i) => ({ name, type: result.columnType(i) })),
        // Each fetch is a call of its own, so stopping the stream waits for DuckDB as a statement does.
        chunks: Stream.unfold(undefined, () =>
          Effect.map(
            call(connection, sql, () => result.fetchChunk()),
            (chunk) => (chunk === null || chunk.rowCount === 0 ? undefined : ([chunk, undefined] as const))
          )
        )
      })
    ),
  columns: (sql) =>
    call(connection, sql, async () => {
      const prepared = await connection.prepare(sql)
      try {
        return Array.from({ length: prepared.columnCount }, (_, i) => ({
          name: prepared.columnName(i),
          type: prepared.columnType(i)
        }))
      } finally {
        prepared.destroySync()
      }
    })
})

/** A DuckDB instance with `config` and a connection to it, both closed when the scope closes. */
export const openDuckDb = (
  config: Readonly<Record<string, string>>
): Effect.Effect<
  { readonly raw: DuckDBConnection; readonly connection: Connection },
  SqlError,
  Scope.Scope
> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const instance = await DuckDBInstance.create(":memory:", config)
        try {
          return { instance, connection: await instance.connect() }
        } catch (error) {
          instance.closeSync()
          throw error
        }
      },
      catch: (error) => new SqlError({ statement: "open DuckDB", reason: messageOf(error) })
    }),
    ({ instance, connection }) =>
      Effect.sync(() => {
        connection.closeSync()
        instance.closeSync()
      })
  ).pipe(Effect.map(({ connection }) => ({ raw: connection, connection: connectionOf(connection) })))

/** A name no user relation or temporary table uses. */
export const uniqueName = (prefix: string): string => `${prefix}_${randomUUID().replace(/-/g, "")}`
