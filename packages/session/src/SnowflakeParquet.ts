/**
 * `readParquet` on Snowflake: parquet files on a stage as one relation, read where they are, in SQL —
 *
 *   SELECT $1:"COL"::TYPE AS "COL", … FROM @stage/path (FILE_FORMAT => '<parquet format>', PATTERN => '…')
 *
 * The files are the stage's — internal, or external (whose files GET cannot fetch): LIST of the location (PATTERN as given, matching the whole path
 * inside the stage), without names starting with `_` or `.` (markers, manifests). Their columns and
 * each column's expression come from INFER_SCHEMA over them (at most the first INFER_FILES files), and
 * the relation's PATTERN names exactly those files. The parquet file format is a TEMPORARY one the
 * session creates on first use, in its current schema.
 */
import {
  Identifier,
  type InvalidStageLocation,
  SqlError,
  StageFileError,
  StageLocation
} from "@runbatch/spec"
import { Effect } from "effect"
import type { Relation } from "./Relation.ts"
import type { SnowflakeSqlSession } from "./SnowflakeSources.ts"
import type { StatementError } from "./snowflake/SnowflakeClient.ts"
import { snowflakeString } from "./snowflake/SnowflakeString.ts"
import { listedPaths } from "./snowflake/StageListNames.ts"

/** Files INFER_SCHEMA reads for the columns: parquet files of one folder share them. */
export const INFER_FILES = 100

const isDataFile = (path: string): boolean => !/^[_.]/.test(path.slice(path.lastIndexOf("/") + 1))

/** A regular expression matching exactly `text`. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** An unquoted stage reference for FROM: `@DB.SCHEMA.STAGE/path/` (names quoted only where needed). */
export const fromReference = (location: StageLocation.StageLocation) =>
  /\s|'/.test(location.path)
    ? Effect.fail(
        new SqlError({
          statement: `SELECT … FROM ${StageLocation.format(location)}`,
          reason:
            "a stage path with spaces or quotes cannot be read in SQL on Snowflake: rename the folder or files."
        })
      )
    : Effect.succeed(StageLocation.format(location))

export const readStagedParquet = (
  session: SnowflakeSqlSession,
  parquetFormat: Effect.Effect<string, StatementError>
) =>
  Effect.fn("Sql.readParquet")(function* (location: string, options: { readonly pattern?: string } = {}) {
    const { client, context } = session
    const parsed: StageLocation.StageLocation = yield* StageLocation.parse(location, context)
    const display = StageLocation.format(parsed)
    const literalLocation = StageLocation.toSqlLiteral(parsed)
    const listed = yield* client.run(
      `LIST ${literalLocation}${options.pattern === undefined ? "" : ` PATTERN = ${snowflakeString(options.pattern)}`}`
    )
    const nameAt = listed.columns.findIndex((c) => c.name.toLowerCase() === "name")
    const listedNames = listed.rows.map((row) => row[nameAt] ?? "")
    const paths = (yield* listedPaths(client, parsed, listedNames)).paths.filter(isDataFile).toSorted()
    if (paths.length === 0)
      return yield* new StageFileError({
        location: display,
        problem: "not_found",
        detail:
          options.pattern === undefined
            ? "no files"
            : `no files match the pattern ${JSON.stringify(options.pattern)}`
      })
    // Paths relative to the location: INFER_SCHEMA's FILES, and the relation's PATTERN.
    const folder = parsed.isDirectory
      ? parsed.path
      : parsed.path.slice(0, Math.max(0, parsed.path.lastIndexOf("/")))
    const prefix = folder === "" ? "" : `${folder}/`
    const relative = paths.map((path) => (path.startsWith(prefix) ? path.slice(prefix.length) : path))
    const format = yield* parquetFormat
    const inferred = yield* client.run(
      `SELECT COLUMN_NAME, EXPRESSION FROM TABLE(INFER_SCHEMA(LOCATION => ${snowflakeString(
        StageLocation.format({ ...parsed, path: folder, isDirectory: true })
      )}, FILE_FORMAT => ${snowflakeString(format)}, FILES => (${relative
        .slice(0, INFER_FILES)
        .map(snowflakeString)
        .join(", ")}))) ORDER BY ORDER_ID`
    )
    const columns = inferred.rows.map(([name, expression]) => ({
      name: name ?? "",
      expression: expression ?? ""
    }))
    const from = yield* fromReference({ ...parsed, path: folder, isDirectory: true })
    // Matched against the file's whole path: whatever comes before the location, then one of the files.
    const pattern = `(.*/)?(${relative.map(literal).join("|")})`
    const relation: Relation = session.relation(
      `parquet ${display}`,
      `SELECT ${columns.map((c) => `${c.expression} AS ${Identifier.quote(c.name)}`).join(", ")} FROM ${from} (FILE_FORMAT => ${snowflakeString(format)}, PATTERN => ${snowflakeString(pattern)})`
    )
    return relation
  })

/**
 * The session's parquet file format: created on first use (TEMPORARY: it ends with the session), and
 * again after a failed attempt.
 */
export const parquetFormatOf = (
  session: Pick<SnowflakeSqlSession, "client" | "context">
): Effect.Effect<string, StatementError> => {
  const { database, schema } = session.context
  const target = { database, schema, name: "RUNBATCH_PARQUET" }
  const statement = `CREATE TEMPORARY FILE FORMAT IF NOT EXISTS ${Identifier.quoteQualified(target)} TYPE = PARQUET`
  let created = false
  return Effect.suspend(() => {
    if (created) return Effect.succeed(Identifier.formatQualified(target))
    if (database === "" || schema === "")
      return Effect.fail(
        new SqlError({
          statement,
          reason:
            "reading staged parquet on Snowflake needs a file format in the current schema, and this session has none: give the connection a database and schema."
        })
      )
    return session.client.run(statement).pipe(
      Effect.tap(() => Effect.sync(() => (created = true))),
      Effect.as(Identifier.formatQualified(target))
    )
  })
}

export type ReadParquetError = InvalidStageLocation | StageFileError | StatementError
