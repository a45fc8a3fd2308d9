/**
 * Where a job's rows come from — the `X` of `runBatch(X, …)`: a table, a query, parquet files on a
 * stage, one row per file of a stage folder (`listStageFiles`), or rows given in memory. A source is a
 * description, resolved to a session relation only when a job is planned, so it can be built before a
 * session exists and reused.
 */
import { listStageFiles, type Relation, Sql } from "@runbatch/session"
import { type JobFile, MissingFeatureColumn, NoFilesMatched, type Signature } from "@runbatch/spec"
import type { StageStore } from "@runbatch/stage-io"
import { Effect } from "effect"

/** What a job file can name (JobFile.JobSource), or rows given in memory. */
export type InputSource =
  | JobFile.JobSource
  | {
      readonly kind: "rows"
      readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>>
      readonly schema: ReadonlyArray<Signature.Feature>
    }

export const table = (name: string): InputSource => ({ kind: "table", table: name })
export const query = (sql: string): InputSource => ({ kind: "query", query: sql })
export const parquet = (location: string, options: { readonly pattern?: string } = {}): InputSource => ({
  kind: "parquet",
  location,
  ...options
})
/**
 * One row per file under a stage location, its full stage path in `column` (default FILE_PATH). A
 * location and pattern that list no file are refused (NoFilesMatched) unless `allowEmpty`.
 */
export const files = (
  location: string,
  options: { readonly pattern?: string; readonly column?: string; readonly allowEmpty?: boolean } = {}
): InputSource => ({ kind: "files", location, ...options })
export const rows = (
  data: ReadonlyArray<Readonly<Record<string, unknown>>>,
  schema: ReadonlyArray<Signature.Feature>
): InputSource => ({ kind: "rows", rows: data, schema })

/** The `source` block of a job file. */
export const fromJobSource = (source: JobFile.JobSource): InputSource => source

/** The session relation a source describes. */
export const relationOf = (source: InputSource) =>
  Effect.gen(function* () {
    const sql = yield* Sql
    switch (source.kind) {
      case "table":
        return yield* sql.table(source.table)
      case "query":
        return sql.sql(source.query)
      case "parquet":
        return yield* sql.readParquet(
          source.location,
          source.pattern === undefined ? {} : { pattern: source.pattern }
        )
      case "files": {
        const listed = yield* listStageFiles(source.location, {
          ...(source.pattern === undefined ? {} : { pattern: source.pattern }),
          ...(source.column === undefined ? {} : { columnName: source.column })
        })
        // A job over a folder with no matching file would end DONE with nothing: most likely a
        // misspelt folder or pattern, so it is refused unless asked for.
        if (source.allowEmpty !== true && (yield* listed.count) === 0) {
          return yield* new NoFilesMatched({
            location: source.location,
            ...(source.pattern === undefined ? {} : { pattern: source.pattern })
          })
        }
        return listed
      }
      case "rows":
        return yield* sql.createDataFrame(source.rows, source.schema)
    }
  }) satisfies Effect.Effect<Relation, unknown, Sql | StageStore>

/**
 * The source as a person names it: a files source is `files under @S/path/ (matching RE)`, not the
 * in-memory rows listing them; the others as their relation describes itself.
 */
export const describe = (source: InputSource, relation: Relation): string =>
  source.kind === "files"
    ? `files under ${source.location}${source.pattern === undefined ? "" : ` matching ${source.pattern}`}`
    : relation.description

/**
 * A planning error told for the source: a files input has one column, the files' paths, named by
 * `column` (FILE_PATH by default), so a missing feature is fixed by naming that column after it.
 */
export const refine = <E>(source: InputSource, error: E): E =>
  source.kind === "files" && error instanceof MissingFeatureColumn && error.fix === undefined
    ? (new MissingFeatureColumn({
        feature: error.feature,
        closest: error.closest,
        columns: error.columns,
        fix: `The files' paths are in the column ${source.column ?? "FILE_PATH"}; name it after the feature: files(location, { column: "${error.feature}" }).`
      }) as E)
    : error
