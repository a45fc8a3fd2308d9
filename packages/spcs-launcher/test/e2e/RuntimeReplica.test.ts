import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, it } from "@effect/vitest"
import { ReplicaCommand } from "@runbatch/runtime"
import { LocalAccount, Sql } from "@runbatch/session"
import { LocalLayout } from "@runbatch/spec"
import { ResultsReader, StageStore } from "@runbatch/stage-io"
import { JobFixture, TestEngine } from "@runbatch/testkit"
import { Effect, Layer } from "effect"
import type { LaunchRequest } from "../../src/index.ts"
import { run, withLauncher } from "../support.ts"

// The real replica command (@runbatch/runtime's runbatch-replica) started by the launcher's supervisor,
// on a job staged the way the client stages one.
let homes: string
beforeAll(() => {
  homes = mkdtempSync(join(tmpdir(), "runbatch-launcher-runtime-"))
}, 180_000)
afterAll(() => rmSync(homes, { recursive: true, force: true }))

const account = (home: string) =>
  Layer.mergeAll(StageStore.layerLocal(), Sql.layerLocal()).pipe(
    Layer.provideMerge(LocalAccount.layer({ home, database: "ML", schema: "PUBLIC" }))
  )

const signature = TestEngine.signature
const columns = TestEngine.columns
const rows = Array.from({ length: 2000 }, (_, i) => ({ ID: i, X: i, Z: 1 }))

const stageAndLaunch = async (name: string, engineOptions: Record<string, number> = {}) => {
  const home = mkdtempSync(join(homes, "home-"))
  const staged = await Effect.runPromise(
    JobFixture.stageJob({
      rows,
      columns,
      signature,
      replicas: 2,
      targetShards: 8,
      jobName: `ML.PUBLIC.${name}`,
      engineOptions
    }).pipe(Effect.provide(account(home)))
  )
  const request: LaunchRequest = {
    job: staged.plan.job,
    planLocation: staged.planLocation,
    replicas: 2,
    replicaCommand: ReplicaCommand.command(),
    cpus: 2,
    totals: { rows: rows.length, shards: staged.plan.shards.length },
    outputLocation: staged.plan.output.location
  }
  const job = await withLauncher(home, (l) => l.launch(request))
  return { home, staged, job }
}

describe.concurrent("jobs of the runtime's replica command", () => {
  it("run to DONE, with progress summed over the replicas and each replica's log", async ({ expect }) => {
    const { home, staged, job } = await stageAndLaunch("SCORES")
    expect(await run(job.wait({ timeoutSeconds: 60 }))).toBe("DONE")
    const table = await Effect.runPromise(
      ResultsReader.readTable(staged.plan.output.location).pipe(Effect.provide(account(home)))
    )
    expect(table.numRows).toBe(2000)
    expect(await run(job.progress)).toMatchObject({
      rows: 2000,
      totalRows: 2000,
      shardsDone: 8,
      shards: 8,
      errors: 0,
      etaSeconds: 0
    })
    const head = await run(job.getLogs())
    expect(head).toContain("Starting inference.")
    expect(head).toContain("Inference finished: 2000 row(s)")
    expect(await run(job.getLogs({ instance: 1, limit: 3 }))).toContain('"type":"done"')
  })

  it("fail when a replica's process is killed mid-run, with no _SUCCESS", async ({ expect }) => {
    const { home, staged, job } = await stageAndLaunch("OOM", { exitOnReplica: 1 })
    expect(await run(job.wait({ timeoutSeconds: 60 }))).toBe("FAILED")
    const { message } = await run(job.describe)
    // Replica 1's death is seen first by the supervisor (or by the coordinator, as ReplicaLost).
    expect(message).toMatch(/^Replica 1 of 2 was killed by SIGKILL\.|ReplicaLost: Replica 1 stopped/)
    const success = staged.layout.success
    expect(existsSync(join(LocalLayout.stageDir(home, success), success.path))).toBe(false)
  })
})
