/**
 * What the Snowflake StageStore's operations share: the logged-in session, how a location becomes a
 * checked stage location (the same grammar as the local store: no `..`, no percent-encoded dots or
 * slashes, no backslash, no NUL), how it is written in SQL (a string literal with every identifier
 * quoted, so names with quotes, spaces or unicode survive), and how a failed statement is reported.
 */
import {
  FileLocation,
  Identifier,
  InvalidStageLocation,
  StageFileError,
  StageLocation,
  type StageLocation as StageLocationType
} from "@runbatch/spec"
import { Effect } from "effect"
import type { StatementError } from "../SnowflakeClient.ts"
import type { SnowflakeSessionShape } from "../SnowflakeSession.ts"

export interface SnowflakeStage {
  readonly session: SnowflakeSessionShape
  readonly context: { readonly database: string; readonly schema: string }
}

/**
 * A stage location on an internal stage: a named stage, the user stage `@~` or a table stage `@%T`. Model version files (`snow://model/…`) are listed and
 * read through the model registry on Snowflake, not through this store.
 */
export const parseStage = (
  stage: SnowflakeStage,
  text: string
): Effect.Effect<StageLocationType.StageLocation, InvalidStageLocation> =>
  Effect.flatMap(FileLocation.parse(text, stage.context), (file) =>
    file.kind === "stage"
      ? Effect.succeed(file.location)
      : Effect.fail(
          new InvalidStageLocation({
            input: text,
            reason:
              "model version files (snow://model/…) are not read through the Snowflake stage store; use the model registry."
          })
        )
  )

/** A stage file location that may be written: not a folder. */
export const parseFile = (
  stage: SnowflakeStage,
  text: string,
  what: "read" | "written"
): Effect.Effect<StageLocationType.StageLocation, InvalidStageLocation> =>
  Effect.flatMap(parseStage(stage, text), (location) =>
    location.isDirectory
      ? Effect.fail(
          new InvalidStageLocation({
            input: text,
            reason: `it names a folder (it ends with / or is the stage root); a file is ${what}, so name one.`
          })
        )
      : Effect.succeed(location)
  )

export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

export const sqlLiteral = StageLocation.toSqlLiteral

/** The location with every identifier quoted (`@"ML"."PUBLIC"."S"/dir/`), before string quoting. */
export const quotedLocation = (location: StageLocationType.StageLocation): string =>
  sqlLiteral(location).slice(1, -1).replace(/''/g, "'").replace(/\\\\/g, "\\")

export const display = StageLocation.format

/** The stage itself, as a folder location. */
export const stageRoot = (location: StageLocationType.StageLocation): StageLocationType.StageLocation => ({
  ...location,
  path: "",
  isDirectory: true
})

/** The folder holding a file (`dir/` of `dir/a.txt`; the stage root of `a.txt`). */
export const parentFolder = (location: StageLocationType.StageLocation): StageLocationType.StageLocation => {
  const cut = location.path.lastIndexOf("/")
  return { ...location, path: cut < 0 ? "" : location.path.slice(0, cut), isDirectory: true }
}

export const baseName = (location: StageLocationType.StageLocation): string =>
  location.path.slice(location.path.lastIndexOf("/") + 1)

/** Snowflake's 002003: the stage does not exist or the role may not use it. */
export const isStageMissing = (error: StatementError): boolean =>
  error._tag === "SqlError" && /\b002003\b/.test(error.reason)

const missingDetail = (location: StageLocationType.StageLocation): string =>
  location.kind === "table"
    ? `the table ${Identifier.formatQualified({ database: location.database, schema: location.schema, name: location.stage })} of the table stage ${display(stageRoot(location))} does not exist or this role may not use it; a table stage exists while its table does, so create the table first (CREATE TABLE …) or grant privileges on it`
    : `the stage ${display(stageRoot(location))} does not exist or this role may not use it; create it (CREATE STAGE … ENCRYPTION = (TYPE = 'SNOWFLAKE_SSE')) or grant READ and WRITE on it`

/** A read of a file on an external stage: GET moves files of internal stages only. */
export const externalStageRead = (location: StageLocationType.StageLocation): StageFileError =>
  new StageFileError({
    location: display(location),
    problem: "unreadable",
    detail: `${display(stageRoot(location))} is an external stage, and Snowflake does not support GET on external stages (error 091003); read parquet files there through SQL (Sql.readParquet("${display(location)}")), or read the file from its cloud storage`
  })

/** Snowflake's 091003 "Failure using stage area": GET or PUT on an external stage, among others. */
export const isStageAreaFailure = (error: StatementError): boolean =>
  error._tag === "SqlError" && /\b091003\b/.test(error.reason)

/** A failed statement on `location` as a StageFileError (a missing stage is `not_found`). */
export const statementFailed =
  (location: StageLocationType.StageLocation, problem: "unreadable" | "unwritable") =>
  (error: StatementError): StageFileError =>
    isStageMissing(error)
      ? new StageFileError({
          location: display(location),
          problem: "not_found",
          detail: missingDetail(location)
        })
      : new StageFileError({ location: display(location), problem, detail: error.message })
