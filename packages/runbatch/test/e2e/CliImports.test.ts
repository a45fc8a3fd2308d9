/**
 * What the runbatch command imports, seen from the process itself (module-recorder/record.mjs logs
 * every module it loads): help, the version and usage errors load none of effect, DuckDB, onnxruntime,
 * sharp, apache-arrow or parquet-wasm, so they start about as fast as node; `results`, which reads only
 * stage files, loads no DuckDB, nor the packages around it. No module of the package loads the demo's
 * @runbatch/samples until the demo runs, and without it the demo says what to install and exits 2.
 */
import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { bin } from "../cli.ts"
import { runNodeRecordingModules } from "../recordModules.ts"
import { writeResultsFolder } from "../resultsFolder.ts"
import { tempHome } from "../support.ts"

const HEAVY = /\/node_modules\/(effect|@effect|@duckdb|onnxruntime-node|sharp|apache-arrow|parquet-wasm)\//
/** What reading stage files never needs: DuckDB, and the packages that bring it or run jobs. */
const SQL_AND_JOBS =
  /\/node_modules\/(@duckdb|onnxruntime-node|sharp)\/|\/packages\/(session|registry-client|spcs-launcher|planner|runtime|plugin-host)\//
const SAMPLES = /\/packages\/samples\/|\/node_modules\/@runbatch\/samples\/|\/node_modules\/@gutenye\//

const runCli = (home: string, args: ReadonlyArray<string>, hidePackages?: ReadonlyArray<string>) =>
  runNodeRecordingModules([bin, "--home", home, ...args], hidePackages === undefined ? {} : { hidePackages })

describe("the runbatch command's imports", () => {
  beforeAll(() => {
    // The CLI runs from the built package (npm test builds it first).
    expect(existsSync(new URL("../../dist/cli/main.js", import.meta.url))).toBe(true)
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

  it("runbatch results exports rows without loading DuckDB or the packages around it", async () => {
    const home = tempHome()
    const location = "@ML.PUBLIC.RESULTS/light/"
    await writeResultsFolder(home, { location, parts: 2, partRows: 1000, rowGroupSize: 500 })
    const run = await runCli(home, ["--database", "ML", "results", location, "--format", "csv"])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout.split("\n")).toHaveLength(1 + 2000 + 1)
    // It did read parquet: the record holds the stage store and parquet-wasm, and nothing of SQL.
    expect(run.modules.some((url) => url.includes("/parquet-wasm/"))).toBe(true)
    expect(run.modules.filter((url) => SQL_AND_JOBS.test(url))).toEqual([])
  })

  it("no module of the package loads @runbatch/samples: the demo imports it when it runs", async () => {
    // Every built module but the command's entry (which would run), each imported in one process.
    const dist = fileURLToPath(new URL("../../dist/", import.meta.url))
    const modules = readdirSync(dist, { recursive: true, encoding: "utf8" })
      .filter((path) => path.endsWith(".js") && path !== join("cli", "main.js"))
      .map((path) => pathToFileURL(join(dist, path)).href)
    const run = await runNodeRecordingModules([
      "--input-type=module",
      "-e",
      `for (const url of ${JSON.stringify(modules)}) await import(url)`
    ])
    expect(run.code, run.stderr).toBe(0)
    expect(run.modules).toEqual(expect.arrayContaining(modules))
    expect(modules.some((url) => url.endsWith("/cli/commands/demo.js"))).toBe(true)
    expect(run.modules.filter((url) => SAMPLES.test(url))).toEqual([])
  })

  it("runbatch demo without @runbatch/samples says what to install, exits 2 and writes nothing", async () => {
    const home = tempHome()
    const run = await runCli(home, ["demo", "--rows", "10", "--images", "1"], ["@runbatch/samples"])
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).toContain("runbatch demo needs @runbatch/samples")
    expect(run.stderr).toContain("npm install @runbatch/samples")
    expect(readdirSync(home)).toEqual([])
  })

  it("runbatch demo with a broken @runbatch/samples (a dependency missing) reports that, not a missing package", async () => {
    const run = await runCli(tempHome(), ["demo", "--rows", "10", "--images", "1"], ["sharp"])
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toContain("Cannot find package 'sharp'")
    expect(run.stderr).not.toContain("npm install")
  })
})
