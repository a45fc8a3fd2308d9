/**
 * The runbatch command writing into pipes, as in `runbatch … | head`: every byte reaches a reader that
 * keeps reading, however slowly, and the exit code is the command's; a reader that goes away stops the
 * command quietly with exit code 141 (128 + SIGPIPE), as Unix tools end. Each case writes over 10 MB
 * (a pipe holds 64 KiB), so nothing passes by fitting in the pipe at once.
 */
import { spawn } from "node:child_process"
import { closeSync, openSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { TestEngine } from "@runbatch/testkit"
import { bin, prepareHome, type Reader, runCli, runCliPiped, slowReader } from "../cli.ts"
import { jobDir, tempHome } from "../support.ts"

const ROWS = 100_000
const PAD = "x".repeat(100)
/** 100,000 rows of ~107 bytes: 10.7 MB as CSV, 14 MB as JSON. */
const QUERY = `SELECT range AS i, repeat('x', 100) AS pad FROM range(${ROWS})`
const expectedCsv = `${["i,pad", ...Array.from({ length: ROWS }, (_, i) => `${i},${PAD}`)].join("\n")}\n`

const formats = {
  csv: ["sql", QUERY, "--limit", "0", "--format", "csv"],
  json: ["--json", "sql", QUERY, "--limit", "0"]
} as const

const head = (bytes: number): Reader => ({ command: "head", args: ["-c", String(bytes)] })
const cat: Reader = { command: "cat", args: [] }

const checkAll = (format: keyof typeof formats, read: Buffer) => {
  if (format === "csv") {
    expect(read.length).toBe(Buffer.byteLength(expectedCsv))
    expect(read.toString() === expectedCsv, "the CSV as written").toBe(true)
  } else {
    const rows = JSON.parse(read.toString()) as Array<{ i: number; pad: string }>
    expect(rows).toHaveLength(ROWS)
    expect(rows.every((row, i) => row.i === i && row.pad === PAD)).toBe(true)
  }
}

describe("the runbatch command through a pipe", () => {
  it.each(["csv", "json"] as const)("%s: every byte reaches cat, exit 0", async (format) => {
    const run = await runCliPiped(tempHome(), formats[format], "stdout", cat)
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    checkAll(format, run.read)
  })

  it.each(["csv", "json"] as const)("%s: every byte reaches a slow reader, exit 0", async (format) => {
    const run = await runCliPiped(tempHome(), formats[format], "stdout", slowReader)
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    checkAll(format, run.read)
  })

  it.each(["csv", "json"] as const)("%s into head -c 1000: exit 141, nothing on stderr", async (format) => {
    const run = await runCliPiped(tempHome(), formats[format], "stdout", head(1000))
    expect(run.stderr).toBe("")
    expect(run.signal).toBe(null)
    expect(run.code).toBe(141)
    expect(run.read.length).toBe(1000)
    if (format === "csv") expect(run.read.toString()).toBe(expectedCsv.slice(0, 1000))
  })

  it("a failure whose message is long (1 MB) reaches a slow reader on stderr whole; --json's error too", async () => {
    const million = "x".repeat(1_000_000)
    const sql = `SELECT CAST(repeat('x', 1000000) AS INTEGER)`
    const run = await runCliPiped(tempHome(), ["--json", "sql", sql], "stderr", slowReader)
    expect(run.code).toBe(1)
    const message = run.read.toString()
    expect(message.startsWith("runbatch: SQL failed: Conversion Error")).toBe(true)
    expect(message.includes(`'${million}'`), "the message's whole text").toBe(true)
    expect(message.endsWith("(SqlError: see docs/reference/errors.md)\n")).toBe(true)
    const error = (JSON.parse(run.stdout) as { error: { tag: string; message: string } }).error
    expect(error.tag).toBe("SqlError")
    expect(error.message.includes(`'${million}'`)).toBe(true)

    // And when stderr's reader goes away: 141, nothing on stdout but the error as JSON.
    const cut = await runCliPiped(tempHome(), ["sql", sql], "stderr", head(100))
    expect(cut.code).toBe(141)
    expect(cut.read.toString()).toBe(message.slice(0, 100))
  })

  it("a stdout that cannot take the result (/dev/full): exit 1, and stderr says why", async () => {
    const full = openSync("/dev/full", "w")
    const cli = spawn(process.execPath, [bin, "--home", tempHome(), "sql", "SELECT 1 AS x"], {
      stdio: ["ignore", full, "pipe"]
    })
    closeSync(full)
    let stderr = ""
    cli.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    const code = await new Promise<number | null>((resolve) => cli.on("close", (c) => resolve(c)))
    expect(code).toBe(1)
    expect(stderr).toBe("runbatch: cannot write to stdout: ENOSPC: no space left on device, write\n")
  })

  it("run --wait 2>&1 into a reader that is gone: the client exits 141 at once, the job runs on to DONE", async () => {
    const { home, g } = await prepareHome(2000, "weights: [2, -1]\nbias: 0.25\ndelayMillis: 100\n")
    const job = [
      ...g,
      "run",
      "--model",
      "linear",
      "--table",
      "points",
      "--output",
      "@ML.PUBLIC.RESULTS/piped/",
      "--max-batch-rows",
      "100",
      "--job-name",
      "PIPED",
      "--wait",
      "--plugin",
      TestEngine.packageDir
    ]
    // `true` exits without reading: the client's first line after the launch ("Job … started.") fails.
    const run = await runCliPiped(home, job, "both", { command: "true", args: [] })
    expect(run.code).toBe(141)
    // 20 batches of at least 100 ms: the job is still running when its client has gone.
    const status = JSON.parse(readFileSync(join(jobDir(home, "PIPED"), "status.json"), "utf8")) as {
      status: string
    }
    expect(["PENDING", "RUNNING"], "the job outlives its client").toContain(status.status)
    const waited = await runCli(home, [...g, "jobs", "wait", "PIPED"])
    expect(waited.code, waited.stderr).toBe(0)
    expect(waited.stdout).toContain("Job ML.PUBLIC.PIPED DONE: 2,000 row(s)")
    const results = JSON.parse(
      (await runCli(home, [...g, "--json", "results", "@ML.PUBLIC.RESULTS/piped/", "--limit", "0"])).stdout
    ) as Array<unknown>
    expect(results).toHaveLength(2000)
  })
})
