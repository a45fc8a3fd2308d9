/**
 * `REMOVE` on Snowflake with the StageStore's prefix semantics: `@S/out` removes `out/…`, `out2/…`
 * and `out.txt`, `@S/out/` only `out/…` (a folder is named with its trailing slash), as Snowflake's
 * REMOVE matches. One file alone is removed with an anchored PATTERN, so `dir/a.txt` never takes
 * `dir/a.txt2` with it. Returns how many files went.
 */
import type { StageLocation } from "@runbatch/spec"
import type { StageStoreShape } from "@runbatch/stage-io"
import { Effect } from "effect"
import { parseStage, type SnowflakeStage, sqlLiteral, statementFailed } from "./SnowflakeStage.ts"
import { exactPattern } from "./SnowflakeStageRead.ts"

const removed = (stage: SnowflakeStage, location: StageLocation.StageLocation, sql: string) =>
  stage.session.client.run(sql).pipe(
    Effect.map((result) => result.rows.length),
    Effect.mapError(statementFailed(location, "unwritable"))
  )

/** Remove the one file at a file location. */
export const removeExactly = (stage: SnowflakeStage, location: StageLocation.StageLocation) =>
  removed(stage, location, `REMOVE ${sqlLiteral(location)} PATTERN = ${exactPattern(location)}`)

export const remove =
  (stage: SnowflakeStage): StageStoreShape["remove"] =>
  (text) =>
    Effect.flatMap(parseStage(stage, text), (location) =>
      removed(stage, location, `REMOVE ${sqlLiteral(location)}`)
    )
