/**
 * External stages, as an emulator convenience: `CREATE STAGE X URL = 's3://bucket/path/'` (with
 * STORAGE_INTEGRATION or CREDENTIALS, which are accepted and ignored) makes a named stage whose files
 * are a local folder — the stage's usual folder under the home, `stages/<DB>/<SCHEMA>/<X>/`, filled by
 * hand or with `runbatch stage put` on the local account — and records the URL in
 * `external-stages/<DB>/<SCHEMA>/<X>/url`. No cloud storage is ever reached. LIST names its files by
 * URL (the reference's C2), DESCRIBE and SHOW STAGES report the URL and type EXTERNAL, SELECT … FROM
 * @X reads them, and GET and PUT are refused as on Snowflake.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { EmulatorSqlError, LocalLayout, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import type { Statement } from "./Statement.ts"

type StageName = Pick<StageLocation.StageLocation, "kind" | "database" | "schema" | "stage">

/** Cloud URLs a Snowflake external stage may point at. */
const CLOUD_URL = /^(s3|s3gov|s3china|gcs|azure):\/\/[^/\s]+(\/.*)?$/i

/** The URL as the stage keeps it: with a trailing slash, so LIST's names are the URL and the path. */
export const normaliseUrl = (url: string): string | undefined =>
  CLOUD_URL.test(url) ? (url.endsWith("/") ? url : `${url}/`) : undefined

/** The URL `stage` was created with, or undefined for an internal stage. */
export const externalUrl = (home: string, stage: StageName): Effect.Effect<string | undefined> =>
  stage.kind !== "named"
    ? Effect.succeed(undefined)
    : Effect.promise(() =>
        readFile(LocalLayout.externalStageUrlFile(home, stage), "utf8").then(
          (url) => url,
          () => undefined
        )
      )

export const recordExternal = (home: string, stage: StageName, url: string): Effect.Effect<void> =>
  Effect.promise(async () => {
    const file = LocalLayout.externalStageUrlFile(home, stage)
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, url)
  })

export const forgetExternal = (home: string, stage: StageName): Effect.Effect<void> =>
  Effect.promise(() =>
    rm(dirname(LocalLayout.externalStageUrlFile(home, stage)), { recursive: true, force: true })
  )

/**
 * GET or PUT on an external stage: Snowflake moves files only to and from internal stages. The code
 * 091003 ("Failure using stage area") is Snowflake's; the wording after it is the emulator's
 * (unverified on a real account).
 */
export const transferRefused = (
  statement: Statement,
  command: "GET" | "PUT",
  location: StageLocation.StageLocation,
  url: string
) =>
  new EmulatorSqlError({
    statement: statement.text,
    code: "091003",
    sqlState: "22000",
    reason: `Failure using stage area. Cause: [${command} is not supported on the external stage ${StageLocation.formatStage(location)} (${url}); ${command === "GET" ? "read its files in SQL (SELECT $1 FROM @stage/path (FILE_FORMAT => …)) or from the cloud storage itself" : "write to the cloud storage itself"}.]`
  })
