/**
 * The Sql service: SQL text in, relations out, results as Arrow. `Sql.layerLocal` runs on the embedded
 * local account (DuckDB, one database file per Snowflake database, opened per operation so the CLI,
 * a library session and running jobs coexist); a Snowflake layer will implement the same shape.
 *
 * Names follow Snowflake's rules (`my_table` is `MY_TABLE`; `"My Table"` keeps its case), with one
 * local limit: names that differ only by case are refused, because DuckDB cannot keep them apart.
 * Lookups (`table`, users' SQL) match names case-insensitively, as DuckDB does.
 *
 * `Sql.layerSnowflake(connection)` runs the same shape on a Snowflake account through snowflake-sdk (an
 * optional peer dependency, imported only when that layer is built); see `SnowflakeSql.ts`.
 */

import { LocalAccount, type LocalAccountOptions } from "@runbatch/account"
import type {
  CaseCollision,
  DatabaseBusy,
  InvalidIdentifier,
  InvalidSpec,
  InvalidStageLocation,
  LocalFileError,
  Signature,
  SnowflakeStatementError,
  SqlError,
  StageFileError,
  TableExists,
  TableNotFound
} from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Context, Effect, Layer, type Stream } from "effect"
import type { CsvOptions } from "./CsvOptions.ts"
import { type LocalSqlOptions, makeLocalSql } from "./LocalSql.ts"
import type { Relation } from "./Relation.ts"
import { makeSnowflakeSql } from "./SnowflakeSql.ts"
import type { SnowflakeConnection } from "./snowflake/SnowflakeConnection.ts"
import {
  SnowflakeSession,
  type SnowflakeSessionError,
  type SnowflakeSqlOptions
} from "./snowflake/SnowflakeSession.ts"

export type { SnowflakeSqlOptions } from "./snowflake/SnowflakeSession.ts"

export interface SessionContext {
  readonly database: string
  readonly schema: string
}

/** Where `createTable` takes its rows from. */
export type TableSource =
  | { readonly kind: "parquet"; readonly paths: ReadonlyArray<string> }
  | { readonly kind: "csv"; readonly path: string; readonly options?: CsvOptions }
  | { readonly kind: "relation"; readonly relation: Relation }

export interface CreateTableOptions {
  /** `error` (default): refuse an existing table. `replace`: replace it. */
  readonly mode?: "error" | "replace"
}

export interface SqlShape {
  readonly backend: "local" | "snowflake"
  /** The current database and schema: unqualified names resolve here. */
  readonly context: SessionContext
  /**
   * Run a query as written; its rows as an Arrow table. For small results (listings, previews, counts).
   * Locally it reads the current database and every database it names as `DB.`, read-only.
   */
  readonly query: (
    sql: string
  ) => Effect.Effect<Arrow.Table, SqlError | SnowflakeStatementError | DatabaseBusy>
  /**
   * Run a query as written; its rows as Arrow record batches (locally of up to 2,048 rows), typed as
   * `query` types them: a result of any size in bounded memory. A result of no rows is one batch of no
   * rows, which carries the columns. `limit` (0 or absent for all) stops the query after that many
   * rows. Locally the query runs to its end first, spooled to a parquet file in the session's folder
   * (DuckDB's node bindings cannot report a failure in the middle of a streamed result), and the
   * databases stay attached read-only until the stream ends; each run of the stream runs the query.
   */
  readonly streamQuery: (
    sql: string,
    options?: { readonly limit?: number }
  ) => Stream.Stream<Arrow.RecordBatch, SqlError | SnowflakeStatementError | DatabaseBusy>
  /**
   * Run statements as written for their effect (DDL, DML). The current database and schema are
   * created on first use; other databases it names as `DB.` are written to if they exist.
   */
  readonly execute: (sql: string) => Effect.Effect<void, SqlError | SnowflakeStatementError | DatabaseBusy>
  /** A table or view, by name (`T`, `S.T`, `DB.S.T`), checked to exist. */
  readonly table: (
    name: string
  ) => Effect.Effect<
    Relation,
    TableNotFound | InvalidIdentifier | SqlError | SnowflakeStatementError | DatabaseBusy | CaseCollision
  >
  /** A query's rows (run as written; a trailing semicolon is dropped). Errors surface when it is evaluated. */
  readonly sql: (query: string) => Relation
  /**
   * Parquet files under a stage location, as LIST finds them (`@S/dir/` a folder, `@S/dir` a
   * prefix, so `@S/dir/x.parquet` names that file), optionally filtered by `pattern`, a regular
   * expression matching the whole path inside the stage. Files named `_…` or `.…` (markers,
   * manifests) are skipped. No files: StageFileError "not_found".
   */
  readonly readParquet: (
    location: string,
    options?: { readonly pattern?: string }
  ) => Effect.Effect<
    Relation,
    InvalidStageLocation | StageFileError | CaseCollision | SqlError | SnowflakeStatementError | DatabaseBusy
  >
  /**
   * Rows given in memory (plain objects keyed by column name), typed by `schema`. Values that do not
   * fit their feature fail with InvalidSpec naming the row and column.
   */
  readonly createDataFrame: (
    rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
    schema: ReadonlyArray<Signature.Feature>
  ) => Effect.Effect<
    Relation,
    SqlError | SnowflakeStatementError | DatabaseBusy | CaseCollision | LocalFileError | InvalidSpec
  >
  /**
   * Create a table from local parquet or CSV files, or from a relation. A CSV file (`.csv`, `.tsv`,
   * gzip-compressed `.csv.gz`) is read with its dialect sniffed unless `options` say otherwise
   * (delimiter, NULL strings, decimal comma, header; bad options: InvalidSpec). The database
   * and schema are created on first use. Returns its qualified name and row count. Mode `error`
   * refuses an existing table (TableExists); a table whose name differs only by case
   * is refused in both modes (CaseCollision).
   */
  readonly createTable: (
    name: string,
    source: TableSource,
    options?: CreateTableOptions
  ) => Effect.Effect<
    { readonly table: string; readonly rows: number },
    | SqlError
    | SnowflakeStatementError
    | DatabaseBusy
    | CaseCollision
    | InvalidIdentifier
    | InvalidSpec
    | LocalFileError
    | TableNotFound
    | TableExists
  >
  /**
   * Drop a table (or view): TableNotFound, with the closest names, when it does not exist — unless
   * `ifExists`, which answers false then. True when something was dropped.
   */
  readonly dropTable: (
    name: string,
    options?: { readonly ifExists?: boolean }
  ) => Effect.Effect<
    boolean,
    SqlError | SnowflakeStatementError | DatabaseBusy | InvalidIdentifier | TableNotFound | CaseCollision
  >
  /** Tables in a schema (default: the current one), as `DB.SCHEMA.NAME`. */
  readonly listTables: (
    schema?: string
  ) => Effect.Effect<
    ReadonlyArray<string>,
    SqlError | SnowflakeStatementError | DatabaseBusy | InvalidIdentifier
  >
}

/** What building a Snowflake Sql can fail with: opening its session. */
export type SnowflakeSqlError = SnowflakeSessionError

export class Sql extends Context.Service<Sql, SqlShape>()("@runbatch/session/Sql") {
  /** The embedded local account's Sql over the LocalAccount in context. */
  static readonly layerLocal = (options: LocalSqlOptions = {}): Layer.Layer<Sql, never, LocalAccount> =>
    Layer.effect(
      Sql,
      Effect.gen(function* () {
        return yield* makeLocalSql(yield* LocalAccount, options)
      })
    )

  /** LocalAccount and its Sql together, from one options object (`{home, database, schema, threads}`). */
  static readonly layerLocalAccount = (
    options: LocalAccountOptions & LocalSqlOptions = {}
  ): Layer.Layer<Sql | LocalAccount> => {
    const { threads, lockWaitMillis, ...account } = options
    return Sql.layerLocal({
      ...(threads === undefined ? {} : { threads }),
      ...(lockWaitMillis === undefined ? {} : { lockWaitMillis })
    }).pipe(Layer.provideMerge(LocalAccount.layer(account)))
  }

  /**
   * A Snowflake account's Sql: one connection (a resolved `SnowflakeConnection`, see
   * `resolveConnection`, or options given directly), logged in when the layer is built and logged out
   * when it is released. snowflake-sdk is imported then, not before; missing, it fails with
   * SnowflakeDriverMissing. A failed login is SnowflakeConnectFailed, naming the connection, never a
   * secret. Plain http only to this machine (InsecureTransport otherwise).
   */
  static readonly layerSnowflake = (
    connection: SnowflakeConnection | SnowflakeSqlOptions
  ): Layer.Layer<Sql, SnowflakeSqlError> =>
    Sql.layerSnowflakeSession.pipe(Layer.provide(SnowflakeSession.layer(connection)))

  /** The Sql of the SnowflakeSession in context (one login shared with the account's other services). */
  static readonly layerSnowflakeSession: Layer.Layer<Sql, never, SnowflakeSession> = Layer.effect(
    Sql,
    Effect.gen(function* () {
      return makeSnowflakeSql(yield* SnowflakeSession)
    })
  )
}
