/**
 * `LIST … PATTERN = '<regex>'` as runbatch applies it: a JavaScript regular expression that must match
 * the whole path inside the stage (`cats/1.png`), as Snowflake anchors LIST patterns and `RLIKE`.
 * The usual patterns of the original (`.*\.jpg`, `.*data_[0-9]+[.]parquet`) mean the same here.
 */

import { Effect } from "effect"
import { InvalidStageLocation } from "./errors/SpecErrors.ts"

export type PathMatcher = (path: string) => boolean

/** A matcher for `pattern` (everything when undefined); an invalid regex fails with InvalidStageLocation. */
export const compile = (
  location: string,
  pattern: string | undefined
): Effect.Effect<PathMatcher, InvalidStageLocation> => {
  if (pattern === undefined) return Effect.succeed(() => true)
  try {
    const regex = new RegExp(`^(?:${pattern})$`)
    return Effect.succeed((path) => regex.test(path))
  } catch (error) {
    return Effect.fail(
      new InvalidStageLocation({
        input: location,
        reason: `the pattern ${JSON.stringify(pattern)} is not a valid regular expression (${(error as Error).message}).`
      })
    )
  }
}
