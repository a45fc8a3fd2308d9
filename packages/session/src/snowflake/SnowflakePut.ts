/**
 * PUT of one local file onto a stage folder, as it is (AUTO_COMPRESS = FALSE; no SOURCE_COMPRESSION,
 * whose `NONE` crashes snowflake-sdk 3.4.1) and never over a file already there (OVERWRITE = FALSE).
 * snowflake-sdk's LOCAL_FS transfer (the emulator's) sets `process.umask(0)` and leaves it so: the
 * process's own umask is put back afterwards, whatever the outcome.
 */
import { Effect } from "effect"
import type { SnowflakeClient, StatementError } from "./SnowflakeClient.ts"
import { snowflakeString } from "./SnowflakeString.ts"

/** PUT `localPath` (absolute) into `stageLocation` (`@DB.SCHEMA.STAGE[/folder/]`). */
export const putFile = (
  client: SnowflakeClient,
  localPath: string,
  stageLocation: string
): Effect.Effect<void, StatementError> =>
  Effect.suspend(() => {
    const umask = process.umask()
    return client
      .run(
        `PUT ${snowflakeString(`file://${localPath}`)} ${snowflakeString(stageLocation)} AUTO_COMPRESS = FALSE OVERWRITE = FALSE`
      )
      .pipe(Effect.asVoid, Effect.ensuring(Effect.sync(() => process.umask(umask))))
  })
