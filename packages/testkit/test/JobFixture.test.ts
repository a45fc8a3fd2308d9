/**
 * The job stager runs the client's planner (@runbatch/planner): the plan it writes records the testkit
 * engine by its folder, and it refuses what runBatch refuses, with the same errors.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalAccount, Sql } from "@runbatch/session"
import { StageStore } from "@runbatch/stage-io"
import { JobFixture, TestEngine } from "@runbatch/testkit"
import { Effect, Layer } from "effect"
import { onTestFinished } from "vitest"

/** Staging a job of the testkit engine in a fresh home. */
const stage = (options: Omit<JobFixture.JobFixtureOptions, "signature">) => {
  const home = mkdtempSync(join(tmpdir(), "runbatch-testkit-"))
  onTestFinished(() => rmSync(home, { recursive: true, force: true }))
  const account = Layer.mergeAll(StageStore.layerLocal(), Sql.layerLocal()).pipe(
    Layer.provideMerge(LocalAccount.layer({ home, database: "ML", schema: "PUBLIC" }))
  )
  return JobFixture.stageJob({ signature: TestEngine.signature, ...options }).pipe(Effect.provide(account))
}

const rows = [0, 1, 2].map((i) => ({ ID: i, X: i, Z: 1 }))

describe("JobFixture.stageJob", () => {
  it("writes the plan the client writes: input staged, columns matched, the engine named by its folder", async () => {
    const job = await Effect.runPromise(stage({ rows, columns: TestEngine.columns }))
    expect(job.rows).toBe(3)
    expect(job.plan.columnMapping.map((m) => [m.feature, m.column])).toEqual([
      ["x", "X"],
      ["z", "Z"]
    ])
    expect(job.plan.plugins.map((p) => [p.id, p.specifier])).toEqual([[TestEngine.id, TestEngine.packageDir]])
  })

  it("refuses column handling on a column that holds no text, as runBatch does", async () => {
    const error = await Effect.runPromise(
      Effect.flip(
        stage({
          rows,
          columns: TestEngine.columns,
          columnHandling: { X: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } }
        })
      )
    )
    expect(error._tag).toBe("IncompatibleColumnType")
  })
})
