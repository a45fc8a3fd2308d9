/**
 * The Sql service on the embedded local account: DuckDB files under `<home>/warehouse/`, stages under
 * `<home>/stages/`, a session folder under `<home>/tmp/` for data frames (removed when the session's
 * scope closes). Names resolve with Snowflake's rules against the account's current database and
 * schema; every generated statement quotes every identifier, so no name can change a statement.
 */
import { randomUUID } from "node:crypto"
import { rm } from "node:fs/promises"
import { join } from "node:path"
import { ensureDir, type LocalAccountShape } from "@runbatch/account"
import { SqlError } from "@runbatch/spec"
import { Effect, type Scope, Stream } from "effect"
import { type Connection, messageOf } from "./Connection.ts"
import { createTable } from "./CreateTable.ts"
import { tableFromReader } from "./DuckDbValues.ts"
import { makeRelation, type RelationPlan } from "./LocalRelation.ts"
import { collisionAsSqlError, type LocalSession } from "./LocalSession.ts"
import { createDataFrame, readParquet } from "./LocalSources.ts"
import { dropTable, listTables, table } from "./LocalTables.ts"
import { spooledRows } from "./SpooledQuery.ts"
import type { SqlShape } from "./Sql.ts"
import { explainUnknownTable } from "./UnknownTable.ts"
import { makeWarehouse } from "./Warehouse.ts"

export interface LocalSqlOptions {
  /** DuckDB worker threads per operation; default one per core. */
  readonly threads?: number
  /**
   * How long an operation waits for a database file another process (a job, the CLI) holds locked,
   * retrying with jittered backoff, before it fails with DatabaseBusy; default 30 s.
   */
  readonly lockWaitMillis?: number
}

export const DEFAULT_LOCK_WAIT_MILLIS = 30_000

/** Users' SQL as a relation: without its trailing semicolon, since it becomes a subquery (count, COPY). */
const asSubquery = (query: string): string => query.trim().replace(/(;\s*)+$/, "")

/** The rows of a query as an Arrow table (types as `ColumnType.fromDuckDb` maps them). */
const readAll = (connection: Connection, sql: string) =>
  Effect.flatMap(connection.all(sql), (reader) =>
    Effect.try({
      try: () => tableFromReader(reader, reader.currentRowCount),
      catch: (error) => new SqlError({ statement: sql, reason: messageOf(error) })
    })
  )

/** The Sql service over `account`; the session folder for data frames lives as long as the scope. */
export const makeLocalSql = (
  account: LocalAccountShape,
  options: LocalSqlOptions = {}
): Effect.Effect<SqlShape, never, Scope.Scope> =>
  Effect.gen(function* () {
    const context = { database: account.database, schema: account.schema }
    const warehouse = makeWarehouse({
      home: account.home,
      database: account.database,
      schema: account.schema,
      lockWaitMillis: options.lockWaitMillis ?? DEFAULT_LOCK_WAIT_MILLIS,
      ...(options.threads === undefined ? {} : { threads: options.threads })
    })
    const sessionDir = join(account.home, "tmp", `session-${process.pid}-${randomUUID().slice(0, 8)}`)
    yield* Effect.addFinalizer(() =>
      Effect.promise(() => rm(sessionDir, { recursive: true, force: true }).catch(() => undefined))
    )
    const relation = (plan: RelationPlan) =>
      makeRelation(account, warehouse, plan, (error) => explainUnknownTable(session)(error))
    const session: LocalSession = { account, context, warehouse, sessionDir, relation }

    const sql: SqlShape = {
      backend: "local",
      context,

      query: (text) =>
        warehouse
          .use({ userSql: { sql: text, writable: false } }, (connection) => readAll(connection, text))
          .pipe(
            Effect.catchTag("CaseCollision", (e) => Effect.fail(collisionAsSqlError(text)(e))),
            Effect.catchTag("SqlError", explainUnknownTable(session))
          ),

      // The query runs (and its names bind) inside `open`: a failure has released the databases by the
      // time explainUnknownTable looks at them.
      streamQuery: (text, options = {}) =>
        Stream.unwrap(
          warehouse
            .open({ userSql: { sql: text, writable: false } }, (connection) =>
              Effect.andThen(
                ensureDir(sessionDir).pipe(
                  Effect.mapError((e) => new SqlError({ statement: text, reason: e.message }))
                ),
                spooledRows(connection, asSubquery(text), {
                  file: join(sessionDir, `query-${randomUUID()}.parquet`),
                  ...(options.limit === undefined || options.limit <= 0 ? {} : { limit: options.limit })
                })
              )
            )
            .pipe(
              Effect.catchTag("CaseCollision", (e) => Effect.fail(collisionAsSqlError(text)(e))),
              Effect.catchTag("SqlError", explainUnknownTable(session))
            )
        ),

      execute: (text) =>
        warehouse
          .use({ userSql: { sql: text, writable: true } }, (connection) => connection.run(text))
          .pipe(
            Effect.catchTag("CaseCollision", (e) => Effect.fail(collisionAsSqlError(text)(e))),
            Effect.catchTag("SqlError", explainUnknownTable(session))
          ),

      sql: (query) => {
        const text = asSubquery(query)
        return relation({
          description: "query",
          sql: text,
          access: { userSql: { sql: text, writable: false } }
        })
      },

      table: table(session),
      readParquet: readParquet(session),
      createDataFrame: createDataFrame(session),
      createTable: createTable(session),
      dropTable: dropTable(session),
      listTables: listTables(session)
    }
    return sql
  })
