/**
 * `strict_nulls`: a NULL feeding a feature the signature declares `nullable: false` fails its row.
 * Opt-in, since the original scores such rows (the NULL reaches the model as its missing value) and
 * a version logged by snowflake-ml-python says `nullable: false` for every feature of a YAML or
 * `from_dict` signature by default.
 */
import { Signature } from "@runbatch/spec"
import type * as Arrow from "apache-arrow"

/** The rows of `column` holding NULL, when `feature` is not nullable (none otherwise). */
export const nullRows = (column: Arrow.Vector, feature: Signature.Feature): ReadonlyArray<number> => {
  if (Signature.isGroup(feature) || feature.nullable || column.nullCount === 0) return []
  const rows: Array<number> = []
  for (let row = 0; row < column.length; row++) if (!column.isValid(row)) rows.push(row)
  return rows
}

/** The row's error (its column is named beside it: `X: NULL, but …`). */
export const message = (feature: string): string =>
  `NULL, but the feature "${feature}" is not nullable and strict_nulls is on; fill or filter the NULLs in the input, or run without strict_nulls to score the row as the model takes a missing value.`
