/**
 * Match an input schema against a signature the way Snowflake's batch runtime does, but up front:
 * names compared case-insensitively, column order free, extra columns passed through untouched. Two
 * columns that differ only by case are refused when a feature would match both; a missing feature
 * lists the closest column names; every pairing is type-checked (TypeCompatibility).
 */
import { Effect } from "effect"
import {
  AmbiguousColumn,
  IncompatibleColumnType,
  MissingFeatureColumn,
  OutputColumnConflict,
  UnknownColumn
} from "./errors/SignatureErrors.ts"
import { closestNames } from "./internal/closest.ts"
import { describeType, type Feature, isGroup } from "./Signature.ts"
import * as TypeCompatibility from "./TypeCompatibility.ts"

/** One feature fed by one column: what dry runs and plans show. */
export interface ColumnMapping {
  readonly feature: string
  readonly column: string
  readonly featureType: string
  readonly columnType: string
  readonly compatibility: TypeCompatibility.Compatibility
}

export interface ColumnMatch {
  readonly mappings: ReadonlyArray<ColumnMapping>
  /** Input columns no feature uses; they are passed through to the output like every column. */
  readonly unused: ReadonlyArray<string>
}

/** The single column matching `name` case-insensitively; ambiguity is an error, absence is undefined. */
export const findColumn = (
  columns: ReadonlyArray<Feature>,
  name: string
): Effect.Effect<Feature | undefined, AmbiguousColumn> => {
  const matches = columns.filter((c) => c.name.toUpperCase() === name.toUpperCase())
  if (matches.length > 1)
    return Effect.fail(new AmbiguousColumn({ feature: name, columns: matches.map((c) => c.name) }))
  return Effect.succeed(matches[0])
}

/**
 * Match `features` to `columns`. `effectiveTypes` replaces a column's type by what column handling
 * turns it into (a path column encoded to BYTES), keyed by the column's exact name.
 */
export const match = (
  columns: ReadonlyArray<Feature>,
  features: ReadonlyArray<Feature>,
  options: { readonly effectiveTypes?: ReadonlyMap<string, Feature> } = {}
): Effect.Effect<ColumnMatch, MissingFeatureColumn | AmbiguousColumn | IncompatibleColumnType> =>
  Effect.gen(function* () {
    const mappings: Array<ColumnMapping> = []
    const used = new Set<string>()
    for (const feature of features) {
      const column = yield* findColumn(columns, feature.name)
      if (column === undefined) {
        const names = columns.map((c) => c.name)
        return yield* new MissingFeatureColumn({
          feature: feature.name,
          closest: closestNames(feature.name, names),
          columns: names
        })
      }
      const handled = options.effectiveTypes?.get(column.name)
      const effective = handled ?? column
      const compatibility = yield* TypeCompatibility.check({ ...effective, name: column.name }, feature, {
        column: column.name,
        feature: feature.name
      }).pipe(
        // Column handling was given: the fix is another conversion, not to add one.
        Effect.mapError((error) =>
          handled === undefined
            ? error
            : new IncompatibleColumnType({
                ...error,
                fix: `The column handling given for it already reads its files, as ${describeType(handled)}; the feature takes ${describeType(feature)}. ${handlingFix(feature, column.name)}`
              })
        )
      )
      used.add(column.name)
      mappings.push({
        feature: feature.name,
        column: column.name,
        featureType: describeType(feature),
        columnType: describeType(effective),
        compatibility
      })
    }
    return { mappings, unused: columns.map((c) => c.name).filter((name) => !used.has(name)) }
  })

/** Which conversion feeds the feature (in the library's words; the CLI says them as flags). */
const handlingFix = (feature: Feature, column: string): string =>
  !isGroup(feature) && feature.dtype === "BYTES"
    ? `Use convert_to: raw_bytes for "${column}".`
    : !isGroup(feature) && feature.dtype === "STRING"
      ? `Use convert_to: base64 (or base64_data_url) for "${column}".`
      : "No column handling gives that type: log the model with a BYTES or STRING feature for the files."

/** Model outputs are written beside every input column, so their names must not collide. */
export const checkOutputNames = (
  columns: ReadonlyArray<Feature>,
  outputs: ReadonlyArray<Feature>
): Effect.Effect<void, OutputColumnConflict> => {
  for (const output of outputs) {
    const column = columns.find((c) => c.name.toUpperCase() === output.name.toUpperCase())
    if (column !== undefined)
      return Effect.fail(new OutputColumnConflict({ output: output.name, column: column.name }))
  }
  return Effect.void
}

/** Resolve a column named by the job (column handling, partition column) to the input's spelling. */
export const resolveNamedColumn = (
  columns: ReadonlyArray<Feature>,
  name: string,
  usedBy: string
): Effect.Effect<Feature, UnknownColumn | AmbiguousColumn> =>
  Effect.flatMap(findColumn(columns, name), (column) =>
    column === undefined
      ? Effect.fail(
          new UnknownColumn({
            column: name,
            usedBy,
            closest: closestNames(
              name,
              columns.map((c) => c.name)
            )
          })
        )
      : Effect.succeed(column)
  )
