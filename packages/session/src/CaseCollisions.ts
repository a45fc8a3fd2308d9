/**
 * Names that differ only by case. Snowflake keeps `"a"` and `"A"` apart; DuckDB matches even quoted
 * names case-insensitively and silently renames the second column (`A` → `A_1`) when it reads a file
 * or writes one, so the embedded account finds such names itself and refuses them (CaseCollision)
 * before anything is created or written.
 */
import { CaseCollision, Signature } from "@runbatch/spec"
import { Effect } from "effect"

/** Groups of names equal ignoring case (exact repeats included), in order of first appearance. */
export const findCaseCollisions = (names: Iterable<string>): Array<Array<string>> => {
  const groups = new Map<string, Array<string>>()
  for (const name of names) {
    const key = name.toUpperCase()
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [name])
    else group.push(name)
  }
  return [...groups.values()].filter((group) => group.length > 1)
}

/** Fail with CaseCollision for the first group of `names` that differ only by case. */
export const refuseCaseCollisions = (
  names: Iterable<string>,
  what: string,
  source: string
): Effect.Effect<void, CaseCollision> => {
  const [first] = findCaseCollisions(names)
  return first === undefined ? Effect.void : Effect.fail(new CaseCollision({ what, names: first, source }))
}

/** The same for features, and for the fields of every struct (feature group) inside them. */
export const refuseFeatureCollisions = (
  features: ReadonlyArray<Signature.Feature>,
  source: string,
  what = "column"
): Effect.Effect<void, CaseCollision> =>
  Effect.gen(function* () {
    yield* refuseCaseCollisions(
      features.map((f) => f.name),
      what,
      source
    )
    for (const feature of features) {
      if (Signature.isGroup(feature)) {
        yield* refuseFeatureCollisions(feature.specs, source, `field (in ${feature.name})`)
      }
    }
  })
