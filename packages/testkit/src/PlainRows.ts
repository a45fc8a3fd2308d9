/**
 * Arrow values as plain JSON (64-bit integers as numbers), for comparing results in tests and
 * benchmarks with `toEqual` and `JSON.stringify`.
 */
import type * as Arrow from "apache-arrow"

/** A value read from Arrow (a row, a struct, a list) as plain JSON. */
export const plainValue = (value: unknown): unknown =>
  value === null || value === undefined
    ? null
    : JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? Number(v) : v)))

/** The rows of a table or batch as plain objects, sorted by the column `sortBy` when given. */
export const plainRows = (
  rows: Arrow.Table | Arrow.RecordBatch,
  sortBy?: string
): Array<Record<string, unknown>> => {
  const plain = rows.toArray().map((row) => plainValue(row) as Record<string, unknown>)
  return sortBy === undefined ? plain : plain.sort((a, b) => Number(a[sortBy]) - Number(b[sortBy]))
}
