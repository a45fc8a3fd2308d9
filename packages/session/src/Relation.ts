/**
 * A relation: rows the session can produce (a table, a query, parquet files on a stage, rows given in
 * memory), described by SQL text and evaluated lazily. It is what a job reads: `runBatch(relation, …)`
 * checks its schema against the model's signature, then materialises it once as parquet files.
 */
import type {
  CaseCollision,
  DatabaseBusy,
  InvalidStageLocation,
  LocalFileError,
  Sharding,
  Signature,
  SnowflakeStatementError,
  SqlError,
  StageFileError,
  StageFileExists,
  StageLocation
} from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import type { Effect } from "effect"

/** What can go wrong evaluating a relation. */
export type RelationError =
  | SqlError
  | SnowflakeStatementError
  | DatabaseBusy
  | CaseCollision
  | StageFileError
  | StageFileExists
  | InvalidStageLocation
  | LocalFileError

export interface MaterializeOptions {
  /**
   * Aim for about this many shards (replicas × workers × a few), so every worker of every replica
   * gets work; row groups are sized to allow it.
   */
  readonly targetShards: number
  /**
   * Parquet compression of the staged files; default snappy: the replicas read it about twice as
   * fast as zstd (10.7 vs 22.7 ms per 65,536 rows of 14 columns here), for files about 17% larger.
   */
  readonly compression?: "zstd" | "snappy" | "uncompressed"
  /**
   * The most parquet bytes a shard holds; default Sharding's 256 MiB. On Snowflake it is the unload's
   * MAX_FILE_SIZE (a shard is one unloaded file, so it also sets how many there are).
   */
  readonly maxShardBytes?: number
}

/** Parquet files written once under the target folder, and the shards they split into. */
export interface Materialized {
  readonly location: StageLocation.StageLocation
  /** Paths relative to `location`, with their row groups' row counts. */
  readonly files: ReadonlyArray<Sharding.InputFile>
  readonly shards: ReadonlyArray<Sharding.Shard>
  readonly rows: number
  readonly schema: ReadonlyArray<Signature.Feature>
}

export interface Relation {
  /** For messages: `table ML.PUBLIC.WINES`, `query`, `parquet @ML.PUBLIC.DATA/x/`, `data frame (3 rows)`. */
  readonly description: string
  /** A SELECT producing the rows, in the session engine's dialect. */
  readonly sql: string
  /** Column names and their signature types (lists as shapes, structs as groups), in order. */
  readonly schema: Effect.Effect<ReadonlyArray<Signature.Feature>, RelationError>
  readonly count: Effect.Effect<number, RelationError>
  /**
   * The rows (or the first `limit`) as an Arrow table typed as `schema` says (see the type table in
   * docs/packages/session.md); for previews and small results: it goes through JavaScript values.
   */
  readonly collect: (options?: { readonly limit?: number }) => Effect.Effect<Arrow.Table, RelationError>
  /**
   * Write the rows once as parquet files into a stage folder that must not exist yet or be empty (a
   * job's private input folder; else StageFileExists), and enumerate shards: about `targetShards`,
   * never more, covering every row once. No rows: one schema-only file and zero shards.
   */
  readonly materialize: (
    target: StageLocation.StageLocation,
    options: MaterializeOptions
  ) => Effect.Effect<Materialized, RelationError>
}
