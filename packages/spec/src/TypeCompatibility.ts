/**
 * Can an input column feed a signature feature? Numeric widening always can; DOUBLE → FLOAT and
 * integer → narrower integer can with a range check at run time (as can a ragged list into a fixed
 * length); string ↔ number, bool ↔ number and everything else is refused at plan time, with a fix.
 */
import { Effect } from "effect"
import * as DataType from "./DataType.ts"
import { IncompatibleColumnType } from "./errors/SignatureErrors.ts"
import { describeType, type Feature, type FeatureSpec, isGroup, type Shape } from "./Signature.ts"

/** A run-time check the runtime must apply to every value of the column. */
export type RuntimeCheck = "range" | "length"

export type Compatibility =
  | { readonly kind: "exact" }
  | { readonly kind: "widen" }
  | { readonly kind: "checked"; readonly checks: ReadonlyArray<RuntimeCheck> }

const EXACT: Compatibility = { kind: "exact" }
const WIDEN: Compatibility = { kind: "widen" }

const combine = (parts: ReadonlyArray<Compatibility>): Compatibility => {
  const checks = new Set<RuntimeCheck>()
  let widened = false
  for (const part of parts) {
    if (part.kind === "checked") for (const check of part.checks) checks.add(check)
    if (part.kind === "widen") widened = true
  }
  if (checks.size > 0) return { kind: "checked", checks: [...checks].sort() }
  return widened ? WIDEN : EXACT
}

/** How a scalar column type feeds a scalar feature type, or why it cannot (the fix to suggest). */
const scalar = (from: DataType.DataType, to: DataType.DataType): Compatibility | { readonly fix: string } => {
  if (from === to) return EXACT
  if (DataType.isInteger(from) && DataType.isInteger(to)) {
    const a = DataType.integerInfo(from)
    const b = DataType.integerInfo(to)
    return a.min >= b.min && a.max <= b.max ? WIDEN : { kind: "checked", checks: ["range"] }
  }
  if (DataType.isInteger(from) && DataType.isFloat(to)) return WIDEN
  if (from === "FLOAT" && to === "DOUBLE") return WIDEN
  if (from === "DOUBLE" && to === "FLOAT") return { kind: "checked", checks: ["range"] }
  if (DataType.isFloat(from) && DataType.isInteger(to)) {
    return { fix: `Round or cast it in the input query, e.g. CAST(ROUND(col) AS ${sqlType(to)}).` }
  }
  if (from === "STRING" && DataType.isNumeric(to)) {
    return {
      fix: `Numbers stored as text are not converted silently; cast it in the input query, e.g. CAST(col AS ${sqlType(to)}).`
    }
  }
  if (DataType.isNumeric(from) && to === "STRING") {
    return {
      fix: "Cast it in the input query, e.g. CAST(col AS VARCHAR), or log the model with a numeric feature."
    }
  }
  if (from === "BOOL" && DataType.isNumeric(to)) {
    return { fix: `Cast it in the input query, e.g. CAST(col AS ${sqlType(to)}) (true → 1).` }
  }
  if (DataType.isNumeric(from) && to === "BOOL") {
    return { fix: "Compare it in the input query, e.g. (col <> 0) AS col." }
  }
  if (from === "STRING" && to === "BYTES") {
    return {
      fix: "If the column holds stage paths of files, add column handling for it: {input_format: full_stage_path, convert_to: raw_bytes}."
    }
  }
  if (from === "BYTES" && to === "STRING") {
    return {
      fix: "Encode it in the input query (e.g. BASE64_ENCODE(col)), or log the model with a BYTES feature."
    }
  }
  if (to === "OBJECT" && from === "OBJECT") return EXACT
  return { fix: `Convert it in the input query so it holds ${to} values.` }
}

const sqlType = (type: DataType.DataType): string => {
  switch (type) {
    case "INT8":
      return "TINYINT"
    case "INT16":
      return "SMALLINT"
    case "INT32":
      return "INTEGER"
    case "FLOAT":
      return "FLOAT"
    case "DOUBLE":
      return "DOUBLE"
    default:
      return DataType.isInteger(type) ? "BIGINT" : type
  }
}

/** Dimension by dimension: fixed feature lengths need equal or checked column lengths. */
const shapes = (
  column: Shape | undefined,
  feature: Shape | undefined
): Compatibility | { readonly fix: string } => {
  if (feature === undefined && column === undefined) return EXACT
  if (feature === undefined)
    return {
      fix: "The column holds lists but the feature is a single value; pick an element or aggregate the list in the input query."
    }
  if (column === undefined)
    return {
      fix: `The feature takes a list of shape [${feature.join(", ")}]; build one in the input query (e.g. ARRAY_CONSTRUCT(a, b, c)).`
    }
  if (column.length !== feature.length) {
    return {
      fix: `The column has ${column.length} dimension(s) and the feature ${feature.length}; reshape it in the input query.`
    }
  }
  const parts: Array<Compatibility> = []
  for (let i = 0; i < feature.length; i++) {
    const want = feature[i]!
    const have = column[i]!
    if (want === -1 || want === have) continue
    if (have === -1) parts.push({ kind: "checked", checks: ["length"] })
    else return { fix: `Dimension ${i} has length ${have} but the feature needs ${want}.` }
  }
  return combine(parts)
}

const isFix = (x: Compatibility | { readonly fix: string }): x is { readonly fix: string } => "fix" in x

/**
 * How `column` (an input column, described as a feature) feeds `feature`. `columnName` and
 * `featureName` name them in errors (they may differ in case, or be nested `a.b` paths).
 */
export const check = (
  column: Feature,
  feature: Feature,
  names: { readonly column: string; readonly feature: string } = {
    column: column.name,
    feature: feature.name
  }
): Effect.Effect<Compatibility, IncompatibleColumnType> => {
  const refuse = (fix: string) =>
    Effect.fail(
      new IncompatibleColumnType({
        column: names.column,
        columnType: describeType(column),
        feature: names.feature,
        featureType: describeType(feature),
        fix
      })
    )
  const shape = shapes(column.shape, feature.shape)
  if (isFix(shape)) return refuse(shape.fix)
  if (isGroup(feature)) {
    if (!isGroup(column))
      return refuse("The feature is a struct; build one in the input query (OBJECT_CONSTRUCT or a STRUCT).")
    return Effect.gen(function* () {
      const parts: Array<Compatibility> = [shape]
      for (const child of feature.specs) {
        const matches = column.specs.filter((c) => c.name.toUpperCase() === child.name.toUpperCase())
        if (matches.length !== 1) {
          return yield* refuse(
            matches.length === 0
              ? `The struct column has no field "${child.name}".`
              : `The struct column has several fields named "${child.name}" (differing only by case).`
          )
        }
        parts.push(
          yield* check(matches[0]!, child, {
            column: `${names.column}.${matches[0]!.name}`,
            feature: `${names.feature}.${child.name}`
          })
        )
      }
      return combine(parts)
    })
  }
  if (isGroup(column)) {
    return feature.dtype === "OBJECT"
      ? Effect.succeed(combine([shape, WIDEN]))
      : refuse(`The column is a struct; pick its field in the input query (col:field).`)
  }
  const element = scalar((column as FeatureSpec).dtype, feature.dtype)
  if (isFix(element)) return refuse(element.fix)
  return Effect.succeed(combine([shape, element]))
}
