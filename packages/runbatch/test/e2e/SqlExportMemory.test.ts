/**
 * `runbatch sql` exports in bounded memory: a query of 2M rows as CSV and as JSON peaks within a few
 * MiB of one of 262,144 rows, and under 300 MiB (see ../exportPeak.ts): its rows stream from DuckDB a
 * chunk at a time. Before, the whole result was read first: 881 MiB for 1M rows, 3.7 GiB for 5M.
 */
import { describe, it } from "@effect/vitest"
import { expectFlatPeak } from "../exportPeak.ts"
import { tempHome } from "../support.ts"

const query = (rows: number) =>
  `SELECT range AS id, range * 0.5 AS x, 'label-' || (range % 1000) AS label FROM range(${rows})`

describe("runbatch sql, exporting many rows", () => {
  it.each(["csv", "json"] as const)("--format %s: 2M rows peak as 262,144 do", async (format) => {
    await expectFlatPeak(tempHome(), format, 3, (rows) => ["sql", query(rows), "--limit", "0"])
  })
})
