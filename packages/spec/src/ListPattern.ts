/**
 * `LIST … PATTERN = '<regex>'` as runbatch applies it: a regular expression that must match the whole
 * path inside the stage (`cats/1.png`), as Snowflake anchors LIST patterns and `RLIKE`. The usual
 * patterns of the original (`.*\.jpg`, `.*data_[0-9]+[.]parquet`) mean the same here.
 *
 * Patterns come from users, so they run on RE2 (re2js, pure JavaScript), whose matching takes time
 * linear in the path whatever the pattern: `.*(a+)+c`, which JavaScript's backtracking engine takes
 * minutes over on a 41-character name, answers at once, as Snowflake's PATTERN does. RE2 has no
 * backreferences or lookaround (Snowflake's regular expressions have neither); such a pattern is
 * refused as invalid.
 */

import { Effect } from "effect"
import { RE2JS } from "re2js"
import { InvalidStageLocation } from "./errors/SpecErrors.ts"

export type PathMatcher = (path: string) => boolean

/** A matcher for `pattern` (everything when undefined); an invalid regex fails with InvalidStageLocation. */
export const compile = (
  location: string,
  pattern: string | undefined
): Effect.Effect<PathMatcher, InvalidStageLocation> => {
  if (pattern === undefined) return Effect.succeed(() => true)
  try {
    const regex = RE2JS.compile(`^(?:${pattern})$`)
    return Effect.succeed((path) => regex.matches(path))
  } catch (error) {
    return Effect.fail(
      new InvalidStageLocation({
        input: location,
        reason: `the pattern ${JSON.stringify(pattern)} is not a valid regular expression (${(error as Error).message}).`
      })
    )
  }
}
