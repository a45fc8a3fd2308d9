/**
 * `listStageFiles`: the files under a stage location as a relation of one STRING column of full stage
 * locations (`@ML.PUBLIC.IMAGES/cats/1.png`), sorted, ready to be a job's input for file models (an
 * encoder reads each file). It mirrors `snowflake.ml.utils.stage_file.list_stage_files`:
 * `LIST <location> [PATTERN = '<regex>']`, rebuilt into full paths, handed to `createDataFrame`; the
 * column is `FILE_PATH` unless `columnName` says otherwise; a location without `@` gets one. Files
 * on an external stage are refused (InvalidStageLocation) before any job starts: a file column is
 * read with GET, which Snowflake does not support on external stages.
 */
import {
  type CaseCollision,
  type DatabaseBusy,
  type EffectRunner,
  Identifier,
  type InvalidIdentifier,
  type InvalidSpec,
  InvalidStageLocation,
  type LocalFileError,
  type SnowflakeStatementError,
  type SqlError,
  StageLocation
} from "@runbatch/spec"
import { OutputLayout, type StageError, StageStore } from "@runbatch/stage-io"
import { Effect } from "effect"
import type { Relation } from "./Relation.ts"
import { Sql } from "./Sql.ts"
import { RelationPromise } from "./SqlPromise.ts"

export interface ListStageFilesOptions {
  /** A regex that must match the whole path inside the stage, as `LIST … PATTERN` (e.g. `.*\.png`). */
  readonly pattern?: string
  /** The column's name, an identifier as written (`file_path` is `FILE_PATH`); default `FILE_PATH`. */
  readonly columnName?: string
}

export type ListStageFilesError =
  | StageError
  | InvalidIdentifier
  | SqlError
  | SnowflakeStatementError
  | DatabaseBusy
  | CaseCollision
  | LocalFileError
  | InvalidSpec

export const DEFAULT_COLUMN = "FILE_PATH"

/** The original prepends `@` when it is missing; model file locations keep their scheme. */
const withAt = (location: string): string => {
  const trimmed = location.trim()
  return trimmed.startsWith("@") || /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `@${trimmed}`
}

export const listStageFiles = (
  location: string,
  options: ListStageFilesOptions = {}
): Effect.Effect<Relation, ListStageFilesError, Sql | StageStore> =>
  Effect.gen(function* () {
    const column = yield* Identifier.resolve(options.columnName ?? DEFAULT_COLUMN)
    const store = yield* StageStore
    const sql = yield* Sql
    const entries = yield* store.list(withAt(location), {
      withoutMd5: true,
      ...(options.pattern === undefined ? {} : { pattern: options.pattern })
    })
    // LIST names an external stage's files by their cloud URL.
    if (entries.some((entry) => StageLocation.isUrlListName(entry.name)))
      return yield* new InvalidStageLocation({
        input: location,
        reason:
          "it is on an external stage, whose files a job cannot read: file columns are read with GET, which Snowflake does not support on external stages (error 091003). Copy the files onto an internal stage (COPY FILES INTO @stage FROM @external_stage/path/), or read parquet files there with readParquet."
      })
    return yield* sql.createDataFrame(
      entries
        .filter((entry) => !OutputLayout.isStageReserved(entry.path))
        .map((entry) => ({ [column]: entry.location })),
      [{ name: column, dtype: "STRING", nullable: false }]
    )
  })

/**
 * The Promise face: `runner` is whatever runs the session's effects (a `ManagedRuntime` providing
 * `Sql` and `StageStore`; the runbatch facade's session holds one). The relation comes back with
 * Promise methods, as `SqlPromise` gives them.
 */
export const listStageFilesPromise = async (
  runner: EffectRunner<Sql | StageStore>,
  location: string,
  options: ListStageFilesOptions = {}
): Promise<RelationPromise> =>
  new RelationPromise(await runner.runPromise(listStageFiles(location, options)), runner)
