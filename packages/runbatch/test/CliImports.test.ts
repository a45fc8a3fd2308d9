/**
 * What the runbatch command imports, seen from the process itself (module-recorder/record.mjs logs
 * every module it loads): help, the version and usage errors load none of effect, DuckDB, onnxruntime,
 * sharp, apache-arrow or parquet-wasm, so they start about as fast as node.
 */
import { existsSync } from "node:fs"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { bin } from "./cli.ts"
import { runNodeRecordingModules } from "./recordModules.ts"
import { tempHome } from "./support.ts"

const HEAVY = /\/node_modules\/(effect|@effect|@duckdb|onnxruntime-node|sharp|apache-arrow|parquet-wasm)\//

const runCli = (home: string, args: ReadonlyArray<string>) =>
  runNodeRecordingModules([bin, "--home", home, ...args])

describe("the runbatch command's imports", () => {
  beforeAll(() => {
    // The CLI runs from the built package (npm test builds it first).
    expect(existsSync(new URL("../dist/cli/main.js", import.meta.url))).toBe(true)
  })

  it.each([
    { line: "--version", code: 0 },
    { line: "--help", code: 0 },
    { line: "run --help", code: 0 },
    { line: "jobz", code: 2 },
    { line: "stage ls @ML.PUBLIC.S/ --patern x", code: 2 }
  ])("runbatch $line loads nothing heavy", async ({ line, code }) => {
    const run = await runCli(tempHome(), line.split(" "))
    expect(run.code, run.stderr).toBe(code)
    // The recorder saw the command start, so an empty record cannot pass for a light one.
    expect(run.modules.some((url) => /\/cli\/main\.[jt]s$/.test(url))).toBe(true)
    expect(run.modules.filter((url) => HEAVY.test(url))).toEqual([])
  })
})
