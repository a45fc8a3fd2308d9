import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { beginMarker, endMarker } from "../src/performance-doc.ts"
import { runBenchmarks } from "../src/run-benchmarks.ts"

// End to end through the built harness (node cannot run the TypeScript sources), with a registry
// of test-only benchmarks written to a temp dir. No assertion here is about timing.
const packageDir = fileURLToPath(new URL("..", import.meta.url))
const cli = join(packageDir, "dist", "cli.js")
const runner = join(packageDir, "dist", "run-one.js")
const dir = mkdtempSync(join(tmpdir(), "bench-"))

const registry = (name: string, body: string): string => {
  const path = join(dir, name)
  writeFileSync(path, `import { setTimeout as sleep } from "node:timers/promises"\n${body}\n`)
  return path
}

const sleeper = `{
  name: "materialize",
  reference: "a sleep of the same length",
  description: "sleeps 50 ms",
  async run({ quick }) {
    console.log("a benchmark may print; this goes to stderr")
    await sleep(50)
    return { rows: quick ? 500 : 5000, seconds: 0.05, referenceRowsPerSecond: 2500, extra: { quick } }
  }
}`
const crasher = `{ name: "committer", reference: "nothing", description: "throws", async run() { throw new Error("boom") } }`
const hanger = `{ name: "gbdt", reference: "nothing", description: "never ends", async run() { await sleep(60_000) } }`

const bench = (...args: ReadonlyArray<string>) => {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" })
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.status }
}

beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  const build = spawnSync(process.execPath, [tsc, "-b", packageDir], { encoding: "utf8" })
  expect(build.stdout + build.stderr).toBe("")
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("bench (built)", () => {
  it("prints one JSON line per benchmark, runs the rest after a crash, and exits 1", () => {
    const path = registry("mixed.mjs", `export const benchmarks = [${sleeper}, ${crasher}]`)
    const { stdout, stderr, exitCode } = bench("--quick", "--registry", path)
    const lines = stdout.trimEnd().split("\n")
    expect(lines).toHaveLength(1)
    const record = JSON.parse(lines[0]!)
    expect(Object.keys(record)).toEqual([
      "name",
      "reference",
      "rows",
      "seconds",
      "rowsPerSecond",
      "referenceRowsPerSecond",
      "ratio",
      "peakRssBytes",
      "extra"
    ])
    expect(record).toMatchObject({
      name: "materialize",
      reference: "a sleep of the same length",
      rows: 500,
      seconds: 0.05,
      rowsPerSecond: 10_000,
      referenceRowsPerSecond: 2500,
      ratio: 4,
      extra: { quick: true }
    })
    expect(record.peakRssBytes).toBeGreaterThan(10 * 2 ** 20)
    expect(stderr).toContain("a benchmark may print; this goes to stderr")
    expect(stderr).toContain("FAILED committer: boom")
    expect(exitCode).toBe(1)
  })

  it("rewrites the docs section in a full run", () => {
    const path = registry("one.mjs", `export const benchmarks = [${sleeper}]`)
    const docs = join(dir, "performance.md")
    writeFileSync(docs, `# Mine\n\n${beginMarker}\nstale\n${endMarker}\n\nfooter\n`)
    const { stdout, exitCode } = bench("--registry", path, "--docs", docs)
    expect(exitCode).toBe(0)
    expect(JSON.parse(stdout).rows).toBe(5000)
    const written = readFileSync(docs, "utf8")
    expect(written.startsWith(`# Mine\n\n${beginMarker}\n| benchmark |`)).toBe(true)
    expect(written).toContain(
      "| materialize | a sleep of the same length | 5,000 | 0.050 | 100,000 | 2,500 | 40.00 |"
    )
    expect(written.endsWith(`${endMarker}\n\nfooter\n`)).toBe(true)
    expect(written).not.toContain("stale")
  })

  it("with no benchmark prints nothing, exits 0, and says so in the docs", () => {
    const path = registry("empty.mjs", "export const benchmarks = []")
    expect(bench("--quick", "--registry", path)).toMatchObject({ stdout: "", exitCode: 0 })
    const docs = join(dir, "new-performance.md")
    expect(bench("--registry", path, "--docs", docs)).toMatchObject({ stdout: "", exitCode: 0 })
    expect(readFileSync(docs, "utf8")).toContain(`${beginMarker}\nNo benchmarks are registered yet`)
  })

  it("refuses unknown names", () => {
    const path = registry("names.mjs", `export const benchmarks = [${sleeper}]`)
    expect(bench("--quick", "--registry", path, "--only", "nope").exitCode).toBe(2)
    expect(bench("--quick", "--registry", path, "--only", "mlp").stderr).toContain(
      "mlp is not registered yet"
    )
  })

  it("kills a benchmark that outlives the budget and does not start the rest", async () => {
    const path = registry("slow.mjs", `export const benchmarks = [${hanger}, ${sleeper}]`)
    const outcome = await runBenchmarks({
      names: ["gbdt", "materialize"],
      quick: true,
      runnerPath: runner,
      registryPath: path,
      budgetSeconds: 1,
      onRecord: () => {},
      onProgress: () => {}
    })
    expect(outcome.records).toEqual([])
    expect(outcome.failures).toEqual([
      { name: "gbdt", error: "killed after 1 s: over the time budget" },
      { name: "materialize", error: "not started: the 1 s budget is spent" }
    ])
  })
})
