/**
 * `runbatch results` exports in bounded memory: 2M rows as CSV and as JSON peak within a few MiB of
 * 262,144 rows, and under 300 MiB (see ../exportPeak.ts). The parts are written as jobs write them
 * (row groups of 131,072 rows), once for both formats.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, it } from "@effect/vitest"
import { expectFlatPeak, LARGE, SMALL } from "../exportPeak.ts"
import { writeResultsFolder } from "../resultsFolder.ts"

const PARTS = 8
const location = (rows: number) => `@ML.PUBLIC.RESULTS/rows-${rows}/`
const home = mkdtempSync(join(tmpdir(), "runbatch-export-memory-"))

describe("runbatch results, exporting many rows", () => {
  beforeAll(async () => {
    await writeResultsFolder(home, { location: location(SMALL), parts: 1, partRows: SMALL })
    await writeResultsFolder(home, { location: location(LARGE), parts: PARTS, partRows: LARGE / PARTS })
  })
  afterAll(() => rmSync(home, { recursive: true, force: true }))

  it.each(["csv", "json"] as const)("--format %s: 2M rows peak as 262,144 do", async (format) => {
    await expectFlatPeak(home, format, 4, (rows) => ["--database", "ML", "results", location(rows)])
  })
})
