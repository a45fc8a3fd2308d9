/**
 * The Sql service: SQL text in, relations out, results as Arrow. `Sql.layerLocal` runs on the embedded
 * local account (DuckDB, one database file per Snowflake database, opened per operation so the CLI,
 * a library session and running jobs coexist); a Snowflake layer will implement the same shape.
 *
 * Names follow Snowflake's rules (`my_table` is `MY_TABLE`; `"My Table"` keeps its case), with one
 * local limit: names that differ only by case are refused, because DuckDB cannot keep them apart.
 */
import type {
  CaseCollision,
  DatabaseBusy,
  InvalidIdentifier,
  InvalidStageLocation,
  LocalFileError,
  Signature,
  SqlError,
  StageFileError,
  TableNotFound
} from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Context, type Effect } from "effect"
import type { Relation } from "./Relation.ts"

export interface SessionContext {
  readonly database: string
  readonly schema: string
}

/** Where `createTable` takes its rows from. */
export type TableSource =
  | { readonly kind: "parquet"; readonly paths: ReadonlyArray<string> }
  | { readonly kind: "csv"; readonly path: string }
  | { readonly kind: "relation"; readonly relation: Relation }

export interface CreateTableOptions {
  /** `error` (default): refuse an existing table. `replace`: replace it. */
  readonly mode?: "error" | "replace"
}

export interface SqlShape {
  readonly backend: "local" | "snowflake"
  /** The current database and schema: unqualified names resolve here. */
  readonly context: SessionContext
  /** Run a query; its rows as an Arrow table. For small results (listings, previews, counts). */
  readonly query: (sql: string) => Effect.Effect<Arrow.Table, SqlError | DatabaseBusy>
  /** Run a statement for its effect (DDL, DML). Databases and schemas named in it are created on use. */
  readonly execute: (sql: string) => Effect.Effect<void, SqlError | DatabaseBusy>
  /** A table, by name (`T`, `S.T`, `DB.S.T`), checked to exist. */
  readonly table: (
    name: string
  ) => Effect.Effect<Relation, TableNotFound | InvalidIdentifier | SqlError | DatabaseBusy | CaseCollision>
  /** A query's rows. Errors surface when it is evaluated. */
  readonly sql: (query: string) => Relation
  /** Parquet files under a stage folder (or one file), optionally filtered by a LIST-style regex. */
  readonly readParquet: (
    location: string,
    options?: { readonly pattern?: string }
  ) => Effect.Effect<
    Relation,
    InvalidStageLocation | StageFileError | CaseCollision | SqlError | DatabaseBusy
  >
  /** Rows given in memory, typed by `schema`. */
  readonly createDataFrame: (
    rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
    schema: ReadonlyArray<Signature.Feature>
  ) => Effect.Effect<Relation, SqlError | DatabaseBusy | CaseCollision | LocalFileError>
  /** Create a table from local parquet or CSV files, or from a relation. Returns its qualified name. */
  readonly createTable: (
    name: string,
    source: TableSource,
    options?: CreateTableOptions
  ) => Effect.Effect<
    { readonly table: string; readonly rows: number },
    SqlError | DatabaseBusy | CaseCollision | InvalidIdentifier | LocalFileError | TableNotFound
  >
  /** Tables in a schema (default: the current one), as `DB.SCHEMA.NAME`. */
  readonly listTables: (
    schema?: string
  ) => Effect.Effect<ReadonlyArray<string>, SqlError | DatabaseBusy | InvalidIdentifier>
}

export class Sql extends Context.Service<Sql, SqlShape>()("@runbatch/session/Sql") {}
