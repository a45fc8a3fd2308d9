/**
 * Arrow rows as plain JSON (plugin-api's `plainValue`: 64-bit integers as numbers, bytes as base64),
 * for comparing results in tests and benchmarks with `toEqual`.
 */
import { plainValue } from "@runbatch/plugin-api"
import type * as Arrow from "apache-arrow"

/** The rows of a table or batch as plain objects, sorted by the column `sortBy` when given. */
export const plainRows = (
  rows: Arrow.Table | Arrow.RecordBatch,
  sortBy?: string
): Array<Record<string, unknown>> => {
  const plain = rows.toArray().map((row) => plainValue(row) as Record<string, unknown>)
  return sortBy === undefined ? plain : plain.sort((a, b) => Number(a[sortBy]) - Number(b[sortBy]))
}
