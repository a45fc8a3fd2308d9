/**
 * `runbatch results` exporting a few hundred thousand rows, as the real command in a child process:
 * through a pipe whose reader is far slower than the writer every row arrives, in order, as CSV and
 * as one JSON array; `--output` writes a file that appears only once complete; a part damaged after
 * the job stops the export with exit code 1. (Memory is measured in docs/performance.md, not here.)
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalLayout } from "@runbatch/spec"
import { runCli, runCliPiped, slowReader } from "../cli.ts"
import { label, writeResultsFolder } from "../resultsFolder.ts"
import { localSession, tempHome } from "../support.ts"

const PARTS = 3
const PART_ROWS = 100_000
const ROWS = PARTS * PART_ROWS
const OUT = "@ML.PUBLIC.RESULTS/export/"
const g = ["--database", "ML", "--schema", "PUBLIC"]

/** Row i of the export as CSV: id, then x (NaN every 1000th row), then label, then NULL or i/2. */
const csvRow = (i: number) =>
  `${i},${i % 1000 === 1 ? "NaN" : i * 0.5},${i % 5 === 0 ? `"a, ""b"" ${i}"` : `r${i}`},${i % 7 === 0 ? "" : i / 2}`

/** A finished output folder of ROWS rows in PARTS parts, written by the committer as a job would. */
const produce = (home: string) =>
  writeResultsFolder(home, { location: OUT, parts: PARTS, partRows: PART_ROWS, rowGroupSize: 30_000 })

const expectedCsv = (rows: number) =>
  `${["id,x,label,half", ...Array.from({ length: rows }, (_, i) => csvRow(i))].join("\n")}\n`

const checkJson = (text: string, rows: number) => {
  const parsed = JSON.parse(text) as Array<{
    id: number
    x: number | string
    label: string
    half: number | null
  }>
  expect(parsed).toHaveLength(rows)
  const wrong = parsed.findIndex(
    (row, i) =>
      row.id !== i ||
      row.x !== (i % 1000 === 1 ? "NaN" : i * 0.5) ||
      row.label !== label(i) ||
      row.half !== (i % 7 === 0 ? null : i / 2)
  )
  expect(wrong, "the first row that differs").toBe(-1)
}

const partFile = (home: string, shard: number) =>
  join(
    LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }),
    "export",
    `part-00000${shard}-0.parquet`
  )

describe("runbatch results, exporting", () => {
  it("streams every row as CSV and as JSON through a pipe to a slow reader", async () => {
    const home = tempHome()
    await produce(home)
    const csv = await runCliPiped(home, [...g, "results", OUT, "--format", "csv"], "stdout", slowReader)
    expect(csv.stderr).toBe("")
    expect(csv.code).toBe(0)
    expect(csv.read.toString() === expectedCsv(ROWS), "every CSV row, in order").toBe(true)

    const json = await runCliPiped(
      home,
      [...g, "--json", "results", OUT, "--limit", "0"],
      "stdout",
      slowReader
    )
    expect(json.stderr).toBe("")
    expect(json.code).toBe(0)
    checkJson(json.read.toString(), ROWS)

    // --limit ends the export after its rows, inside a part and a row group.
    const some = await runCli(home, [...g, "results", OUT, "--format", "json", "--limit", "123457"])
    expect(some.code, some.stderr).toBe(0)
    checkJson(some.stdout, 123_457)
  })

  it("--output writes a file that appears complete or not at all, and never replaces one unasked", async () => {
    const home = tempHome()
    await produce(home)
    const file = join(home, "export.csv")
    const wrote = await runCli(home, [...g, "results", OUT, "--output", file])
    expect(wrote.code, wrote.stderr).toBe(0)
    expect(wrote.stdout).toBe(`300,000 row(s) written to ${file}.\n`)
    expect(readFileSync(file, "utf8") === expectedCsv(ROWS)).toBe(true)

    const refused = await runCli(home, [...g, "results", OUT, "--output", file, "--limit", "1"])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("ExportFileExists")
    expect(readFileSync(file, "utf8") === expectedCsv(ROWS), "the file as it was").toBe(true)

    const json = join(home, "export.json")
    expect((await runCli(home, [...g, "results", OUT, "--output", json, "--limit", "10"])).code).toBe(0)
    checkJson(readFileSync(json, "utf8"), 10)
    const forced = await runCli(home, [...g, "results", OUT, "--output", json, "--force", "--limit", "3"])
    expect(forced.code, forced.stderr).toBe(0)
    checkJson(readFileSync(json, "utf8"), 3)

    // A byte of the last part flipped (same size): the export stops at that part with ResultsCorrupt;
    // stdout had the rows of the parts before it, and --output leaves no file.
    const bytes = readFileSync(partFile(home, 2))
    bytes[1000] = bytes[1000]! ^ 0xff
    rmSync(partFile(home, 2))
    writeFileSync(partFile(home, 2), bytes)
    const damaged = await runCli(home, [...g, "results", OUT, "--format", "csv"])
    expect(damaged.code).toBe(1)
    expect(damaged.stderr).toContain("ResultsCorrupt")
    expect(damaged.stdout === expectedCsv(2 * PART_ROWS), "the rows of the parts before it").toBe(true)
    const none = join(home, "none.csv")
    const failed = await runCli(home, [...g, "results", OUT, "--output", none])
    expect(failed.code).toBe(1)
    expect(existsSync(none)).toBe(false)
    expect(readdirSync(home).filter((name) => name.endsWith(".tmp"))).toEqual([])
  })

  it("session.streamResults yields the rows as record batches of a row group, and stops when asked", async () => {
    const home = tempHome()
    await produce(home)
    const session = localSession(home)
    const sizes: Array<number> = []
    let next = 0
    for await (const batch of session.streamResults(OUT)) {
      const ids = batch.getChild("id")!.toArray() as Int32Array
      expect(ids[0]).toBe(next)
      next += batch.numRows
      sizes.push(batch.numRows)
    }
    expect(next).toBe(ROWS)
    expect(Math.max(...sizes)).toBe(30_000)
    let seen = 0
    for await (const batch of session.streamResults(OUT)) {
      seen += batch.numRows
      if (seen >= 30_000) break
    }
    expect(seen).toBe(30_000)
    await expect(session.streamResults("@ML.PUBLIC.RESULTS/none/").next()).rejects.toMatchObject({
      _tag: "StageFileError",
      problem: "not_found"
    })
  })
})
