/**
 * `materialize` on Snowflake: the relation's rows unloaded once into the job's input folder,
 *
 *   COPY INTO @stage/<folder>/ FROM (<query>) FILE_FORMAT = (TYPE = PARQUET) HEADER = TRUE
 *     MAX_FILE_SIZE = <bytes> DETAILED_OUTPUT = TRUE
 *
 * A shard is one unloaded file: the client cannot read the files' footers (their row groups) without
 * downloading every file, so each file is listed as one row-group entry of its ROW_COUNT and becomes
 * one shard; MAX_FILE_SIZE bounds a shard's bytes. How options map (docs/snowflake.md, Materialising
 * input): `maxShardBytes` is MAX_FILE_SIZE; `targetShards` cannot be honoured — the number of files
 * follows from the data's size and the warehouse's threads, neither known before the unload;
 * `compression` is Snowflake's default for parquet (snappy) whatever is asked. Running the COPY needs
 * a warehouse: without one the client fails with NoActiveWarehouse.
 */
import { Sharding, type Signature, SqlError, StageFileExists, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import type { Materialized, MaterializeOptions, RelationError } from "./Relation.ts"
import { fromReference } from "./SnowflakeParquet.ts"
import type { SnowflakeClient, StatementResult } from "./snowflake/SnowflakeClient.ts"
import { listedPaths } from "./snowflake/StageListNames.ts"

/** MAX_FILE_SIZE when none is asked: the most bytes a shard holds (Sharding's limit). */
export const DEFAULT_MAX_FILE_SIZE = Sharding.DEFAULT_SHARD_LIMITS.maxBytes

/** The unload statement for `sql` into `folder` (an unquoted stage reference ending in `/`). */
export const unloadStatement = (sql: string, folder: string, maxFileSize: number): string =>
  `COPY INTO ${folder} FROM (\n${sql}\n) FILE_FORMAT = (TYPE = PARQUET) HEADER = TRUE MAX_FILE_SIZE = ${maxFileSize} DETAILED_OUTPUT = TRUE`

/** The MAX_FILE_SIZE for `options`: a whole number of bytes, at least 1. */
export const maxFileSizeOf = (options: MaterializeOptions): number =>
  options.maxShardBytes !== undefined && Number.isFinite(options.maxShardBytes)
    ? Math.max(1, Math.floor(options.maxShardBytes))
    : DEFAULT_MAX_FILE_SIZE

/** Refuse a folder holding any file: a job's input folder is written once, by one writer. */
const checkEmptyFolder = (client: SnowflakeClient, location: StageLocation.StageLocation) =>
  Effect.gen(function* () {
    const listed = yield* client.run(`LIST ${StageLocation.toSqlLiteral(location)}`)
    const nameAt = listed.columns.findIndex((c) => c.name.toLowerCase() === "name")
    const { paths } = yield* listedPaths(
      client,
      location,
      listed.rows.map((row) => row[nameAt] ?? "")
    )
    const [first] = paths.toSorted()
    if (first !== undefined)
      return yield* new StageFileExists({
        location: StageLocation.format({ ...location, path: first, isDirectory: false })
      })
  })

/**
 * The unloaded files from DETAILED_OUTPUT's rows (FILE_NAME, FILE_SIZE, ROW_COUNT — unverified on a
 * real account), their paths relative to the folder whether FILE_NAME is given relative to the stage
 * or to the folder.
 */
export const unloadedFiles = (
  statement: string,
  folder: StageLocation.StageLocation,
  result: StatementResult
): Effect.Effect<Array<Sharding.InputFile>, SqlError> => {
  const at = (name: string) => result.columns.findIndex((c) => c.name.toUpperCase() === name)
  const [name, size, count] = [at("FILE_NAME"), at("FILE_SIZE"), at("ROW_COUNT")]
  if (name === -1 || size === -1 || count === -1)
    return Effect.fail(
      new SqlError({
        statement,
        reason: `COPY INTO … DETAILED_OUTPUT = TRUE answered columns ${result.columns
          .map((c) => c.name)
          .join(", ")}, not FILE_NAME, FILE_SIZE, ROW_COUNT: the unload's files cannot be enumerated.`
      })
    )
  const prefix = folder.path === "" ? "" : `${folder.path}/`
  return Effect.succeed(
    result.rows
      .map((row): Sharding.InputFile => {
        const file = row[name] ?? ""
        const rows = Number(row[count] ?? 0)
        return {
          path: file.startsWith(prefix) ? file.slice(prefix.length) : file,
          bytes: Number(row[size] ?? 0),
          rowGroups: rows === 0 ? [] : [rows]
        }
      })
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  )
}

export const materializeOnSnowflake = (
  client: SnowflakeClient,
  sql: string,
  schema: Effect.Effect<ReadonlyArray<Signature.Feature>, RelationError>,
  target: StageLocation.StageLocation,
  options: MaterializeOptions
): Effect.Effect<Materialized, RelationError> =>
  Effect.gen(function* () {
    const location = StageLocation.asDirectory(target)
    const features = yield* schema
    yield* checkEmptyFolder(client, location)
    const statement = unloadStatement(sql, yield* fromReference(location), maxFileSizeOf(options))
    const files = yield* unloadedFiles(statement, location, yield* client.runAsync(statement))
    // Each file is one row-group entry, so enumeration gives one shard per file holding rows.
    const shards = Sharding.enumerate(files, files.length, {
      maxRows: Number.POSITIVE_INFINITY,
      maxBytes: Number.POSITIVE_INFINITY
    })
    const rows = files.reduce((sum, file) => sum + (file.rowGroups[0] ?? 0), 0)
    return { location, files, shards, rows, schema: features } satisfies Materialized
  })
