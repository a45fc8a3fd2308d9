/**
 * Running the runbatch command (the built package, as users run it) with peak-rss/report.mjs loaded,
 * to learn its process's peak resident memory. Its stdout is read as fast as it comes and only counted,
 * so an export of millions of rows costs this process nothing.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { bin } from "./cli.ts"

const reporter = fileURLToPath(new URL("./peak-rss/report.mjs", import.meta.url))

export interface MeasuredRun {
  readonly code: number | null
  readonly stderr: string
  /** Bytes and lines written on stdout. */
  readonly bytes: number
  readonly lines: number
  /** The process's peak resident memory, MiB. */
  readonly peakMiB: number
}

export const runCliMeasuringPeak = (home: string, args: ReadonlyArray<string>): Promise<MeasuredRun> => {
  const dir = mkdtempSync(join(tmpdir(), "runbatch-peak-"))
  const file = join(dir, "peak")
  const cli = spawn(process.execPath, ["--import", reporter, bin, "--home", home, ...args], {
    env: { ...process.env, RUNBATCH_CPUS: "2", RUNBATCH_PEAK_RSS_FILE: file },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let bytes = 0
  let lines = 0
  cli.stdout.on("data", (chunk: Buffer) => {
    bytes += chunk.length
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++
  })
  let stderr = ""
  cli.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk
  })
  return new Promise<MeasuredRun>((resolve, reject) => {
    cli.on("error", reject)
    cli.on("close", (code) =>
      resolve({ code, stderr, bytes, lines, peakMiB: Number(readFileSync(file, "utf8")) / 2 ** 20 })
    )
  }).finally(() => rmSync(dir, { recursive: true, force: true }))
}
