/**
 * The OAuth token Snowpark Container Services mounts in every service container, beside the
 * `SNOWFLAKE_ACCOUNT` / `SNOWFLAKE_HOST` variables it injects: the container's way to log in as the
 * service. The file is re-read for every connection (Snowflake refreshes it), and held as a `Redacted`.
 */
import { readFile, stat } from "node:fs/promises"
import { LocalFileError } from "@runbatch/spec"
import { Effect, Redacted } from "effect"

export const DEFAULT_SPCS_TOKEN_FILE = "/snowflake/session/token"

/** Whether `file` exists as a file: true inside an SPCS container. */
export const spcsTokenPresent = (file: string): Effect.Effect<boolean> =>
  Effect.promise(() =>
    stat(file).then(
      (stats) => stats.isFile(),
      () => false
    )
  )

export const readSpcsToken = (file: string): Effect.Effect<Redacted.Redacted<string>, LocalFileError> =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (error) =>
      new LocalFileError({
        path: file,
        reason: `the SPCS session token cannot be read: ${error instanceof Error ? error.message : String(error)}`
      })
  }).pipe(
    Effect.flatMap((text) =>
      text.trim() === ""
        ? Effect.fail(new LocalFileError({ path: file, reason: "the SPCS session token file is empty." }))
        : Effect.succeed(Redacted.make(text.trim()))
    )
  )
