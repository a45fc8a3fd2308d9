/**
 * PUT of one local file onto a stage folder, as it is (AUTO_COMPRESS = FALSE; no SOURCE_COMPRESSION,
 * whose `NONE` crashes snowflake-sdk 3.4.1) and never over a file already there (OVERWRITE = FALSE).
 * snowflake-sdk's LOCAL_FS transfer (the emulator's) sets `process.umask(0)` and leaves it so: the
 * process's own umask is put back afterwards, whatever the outcome.
 */
import { Effect } from "effect"
import type { SnowflakeClient, StatementError, StatementResult } from "./SnowflakeClient.ts"
import { snowflakeString } from "./SnowflakeString.ts"

/** A file transfer statement (PUT or GET) with the process's umask put back afterwards. */
export const keepingUmask = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.suspend(() => {
    const umask = process.umask()
    return effect.pipe(Effect.ensuring(Effect.sync(() => process.umask(umask))))
  })

/**
 * PUT `localPath` (absolute) into `stageLocation` (`@DB.SCHEMA.STAGE[/folder/]`); the driver's rows
 * (`status` is `SKIPPED` when Snowflake kept a file already there).
 */
export const putFile = (
  client: SnowflakeClient,
  localPath: string,
  stageLocation: string
): Effect.Effect<StatementResult, StatementError> =>
  keepingUmask(
    client.run(
      `PUT ${snowflakeString(`file://${localPath}`)} ${snowflakeString(stageLocation)} AUTO_COMPRESS = FALSE OVERWRITE = FALSE`
    )
  )
