/**
 * A replica process, threads and all, never loads DuckDB: the session is not in its import graph (the
 * account it needs lives in @runbatch/account). The real `runbatch-replica` command runs a small job
 * with a preloaded probe that, as each thread of the process exits, records the native libraries the
 * process has loaded.
 */
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { TestEngine } from "@runbatch/testkit"
import { describe, expect, it } from "vitest"
import { ReplicaCommand } from "../src/index.ts"
import { stage, tempHome } from "./support.ts"

const PROBE = `import { appendFileSync } from "node:fs"
process.on("exit", () => {
  const loaded = process.report.getReport().sharedObjects
  appendFileSync(process.env.PROBE_OUTPUT, JSON.stringify(loaded) + "\\n")
})
`

describe("a replica process", () => {
  it("runs a job without loading DuckDB", async () => {
    const home = tempHome()
    const rows = Array.from({ length: 200 }, (_, i) => ({ ID: i, X: i, Z: 1 }))
    const job = await stage(home, { rows, columns: TestEngine.columns, signature: TestEngine.signature })
    const probe = join(home, "probe.mjs")
    const output = join(home, "probe.jsonl")
    writeFileSync(probe, PROBE)
    const replica = ReplicaCommand.command()
    const run = spawnSync(replica.command, [...replica.args, "--plan", job.planLocation], {
      env: {
        ...process.env,
        NODE_OPTIONS: `--import=${probe}`,
        PROBE_OUTPUT: output,
        RUNBATCH_HOME: home,
        RUNBATCH_CPUS: "2"
      },
      encoding: "utf8"
    })
    expect(run.status, run.stderr).toBe(0)
    const loaded: Array<string> = readFileSync(output, "utf8")
      .trim()
      .split("\n")
      .flatMap((line) => JSON.parse(line) as Array<string>)
    expect(loaded.length).toBeGreaterThan(0)
    expect(loaded.filter((path) => /duckdb/i.test(path))).toEqual([])
  })
})
