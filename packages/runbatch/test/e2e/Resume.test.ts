/**
 * Resume: a job killed part-way (a replica's process SIGKILLed, as the OOM killer does) ends FAILED;
 * resuming it reruns only the uncommitted shards and leaves output equal to an uninterrupted run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalLayout, Signature } from "@runbatch/spec"
import { OutputLayout } from "@runbatch/stage-io"
import { TestEngine } from "@runbatch/testkit"
import { runCli } from "../cli.ts"
import {
  linearColumns as columns,
  localSession,
  logLinear,
  replicaPid,
  linearRows as rows,
  tempHome,
  until
} from "../support.ts"

describe("resuming a job", () => {
  it("after kill -9 of a replica: FAILED, then resumed to DONE with every row exactly once", async () => {
    const home = tempHome()
    const session = localSession(home)
    await logLinear(session, { delayMillis: 50 })
    const input = rows(8000)
    const options = {
      model: "LINEAR",
      input: session.createDataFrame(input, columns),
      outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/resumed/" },
      jobSpec: { jobName: "KILLED", replicas: 2, numWorkers: 1, maxBatchRows: 100 },
      plugins: [TestEngine.packageDir],
      cpus: 2
    }
    const job = await session.runBatch(options)
    await until(async () => (await job.progress()).shardsDone >= 2, "two committed shards")
    process.kill(replicaPid(home, "KILLED", 1)!, "SIGKILL")
    expect(await job.wait({ timeoutSeconds: 60 })).toBe("FAILED")
    expect((await job.describe()).message).toMatch(/[Rr]eplica 1.*SIGKILL/)
    const committedBefore = (await job.progress()).shardsDone

    const resumed = await session.resumeJob("KILLED")
    expect(resumed.attempt).toBe(2)
    expect(await resumed.wait({ timeoutSeconds: 120 })).toBe("DONE")
    expect(await job.status()).toBe("FAILED") // the first attempt's handle keeps its end
    // Its figures count the shards the first attempt committed: every row, the bar at 100%.
    const progress = await resumed.progress()
    expect(progress).toMatchObject({ rows: 8000, totalRows: 8000, shardsDone: progress.shards })
    expect(progress.resumedRows).toBeGreaterThan(0)
    const status = await runCli(home, ["--database", "ML", "--schema", "PUBLIC", "jobs", "status", "KILLED"])
    expect(status.stdout).toContain("100%  8,000/8,000 rows")
    expect(status.stdout).toMatch(/DONE: 8,000 row\(s\), [\d,]+ of them committed by earlier attempts/)
    const table = await session.readResults("@ML.PUBLIC.RESULTS/resumed/")
    expect(table.numRows).toBe(8000)
    const ids = Array.from(table.getChild("ID")!.toArray() as BigInt64Array, Number)
    expect(new Set(ids).size).toBe(8000)
    for (let i = 0; i < table.numRows; i += 97) {
      const row = (
        table.get(i) as unknown as { toJSON(): { ID: bigint; X: number; Z: number; y: number } }
      ).toJSON()
      expect(row.X).toBe(input[Number(row.ID)]!.X)
      expect(row.y).toBeCloseTo(2 * row.X - row.Z + 0.25, 10)
    }
    // Committed shards were not run again: the first attempt's parts are the ones that count.
    const manifest = JSON.parse(
      readFileSync(
        join(
          LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }),
          "resumed",
          "_manifest.json"
        ),
        "utf8"
      )
    ) as { parts: ReadonlyArray<{ name: string }> }
    const firstAttempt = manifest.parts.filter((p) => /-0\.parquet$/.test(p.name)).length
    expect(firstAttempt).toBeGreaterThanOrEqual(committedBefore)
    expect(manifest.parts.length).toBe(new Set(manifest.parts.map((p) => p.name.split("-")[1])).size)
  })

  it("refuses a DONE job, a running one, one whose model version's files or function changed and one whose plan was edited; resumes a cancelled one", async () => {
    const home = tempHome()
    const session = localSession(home)
    await logLinear(session)
    const base = {
      model: "LINEAR",
      input: session.createDataFrame(rows(50), columns),
      plugins: [TestEngine.packageDir],
      cpus: 1
    }
    await session.runBatch({
      ...base,
      outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/done/" },
      jobSpec: { jobName: "DONE_JOB", block: true }
    })
    await expect(session.resumeJob("DONE_JOB")).rejects.toMatchObject({
      _tag: "ResumeRefused",
      message: expect.stringContaining("it is DONE")
    })

    // A running job: wait for it, or cancel it first.
    const running = await session.runBatch({
      ...base,
      outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/slow/" },
      jobSpec: { jobName: "SLOW", maxBatchRows: 5 },
      inferenceEngineOptions: { options: { weights: [1, 1], delayMillis: 200 } }
    })
    await expect(session.resumeJob("SLOW")).rejects.toMatchObject({
      message: expect.stringMatching(/SLOW cannot be resumed: it is (PENDING|RUNNING)/)
    })
    await running.cancel()
    expect(await running.wait({ timeoutSeconds: 60 })).toBe("CANCELLED")

    // A job that failed, whose model version was then logged again with other files: refused.
    const weights = join(home, "weights.txt")
    writeFileSync(weights, "1 1")
    const logWithFiles = () =>
      logLinear(
        session,
        { fatalWhen: { feature: "x", equals: 1 } },
        { name: "WITH_FILES", artifacts: [weights] }
      )
    await logWithFiles()
    const failing = await session.runBatch({
      ...base,
      model: "WITH_FILES",
      outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/failing/" },
      jobSpec: { jobName: "FAILING" }
    })
    expect(await failing.wait({ timeoutSeconds: 60 })).toBe("FAILED")
    await session.registry.deleteModel("WITH_FILES")
    writeFileSync(weights, "2 2")
    await logWithFiles()
    await expect(session.resumeJob("FAILING")).rejects.toMatchObject({
      _tag: "ResumeRefused",
      message: expect.stringContaining("the model version's file weights.txt is not the same file")
    })
    // A plan edited after it was written: refused.
    const tampered = await session.runBatch({
      ...base,
      model: "WITH_FILES",
      outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/tampered/" },
      jobSpec: { jobName: "TAMPERED" }
    })
    expect(await tampered.wait({ timeoutSeconds: 60 })).toBe("FAILED")
    const planFile = join(
      LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }),
      "tampered",
      "_runbatch",
      "ML.PUBLIC.TAMPERED",
      "plan.json"
    )
    const plan = JSON.parse(readFileSync(planFile, "utf8")) as { on_error: string }
    plan.on_error = "record"
    rmSync(planFile)
    writeFileSync(planFile, JSON.stringify(plan))
    await expect(session.resumeJob("TAMPERED")).rejects.toMatchObject({
      _tag: "ResumeRefused",
      message: expect.stringContaining("the plan's contents do not match its fingerprint")
    })
    // A job whose model version was logged again with the same file and another function: the plan
    // as the planner would write it now hashes differently (one fingerprint, the planner's), refused.
    const redefined = await session.runBatch({
      ...base,
      model: "WITH_FILES",
      outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/redefined/" },
      jobSpec: { jobName: "REDEFINED" }
    })
    expect(await redefined.wait({ timeoutSeconds: 60 })).toBe("FAILED")
    await session.registry.deleteModel("WITH_FILES")
    await session.registry.logModel({
      name: "WITH_FILES",
      version: "V1",
      engine: TestEngine.id,
      artifacts: [weights],
      signatures: {
        predict: Signature.signature(TestEngine.signature.inputs, [Signature.feature("score", "DOUBLE")])
      }
    })
    await expect(session.resumeJob("REDEFINED")).rejects.toMatchObject({
      _tag: "ResumeRefused",
      message: expect.stringContaining("the plan's fingerprint no longer matches")
    })
    // The cancelled one can be resumed: it finishes.
    const finished = await session.resumeJob("SLOW")
    expect(await finished.wait({ timeoutSeconds: 60 })).toBe("DONE")
    expect((await session.readResults("@ML.PUBLIC.RESULTS/slow/")).numRows).toBe(50)
  })

  it("after replica 0 died between _SUCCESS and removing the job's working files: DONE, readable, and resume removes them", async () => {
    const home = tempHome()
    const session = localSession(home)
    await logLinear(session)
    const input = rows(500)
    const job = await session.runBatch({
      model: "LINEAR",
      input: session.createDataFrame(input, columns),
      outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/late/" },
      jobSpec: { jobName: "LATE", replicas: 1, numWorkers: 1, maxBatchRows: 100 },
      plugins: [TestEngine.packageDir],
      cpus: 1
    })
    const output = join(
      LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }),
      "late"
    )
    const privateDir = join(output, OutputLayout.RESERVED, OutputLayout.jobFolder("ML.PUBLIC.LATE"))
    const plan = readFileSync(join(privateDir, "plan.json"))
    expect(await job.wait({ timeoutSeconds: 60 })).toBe("DONE")
    // As the kill leaves it: _SUCCESS written, the private folder still there, the supervisor's record
    // FAILED (it saw replica 0 die).
    mkdirSync(join(privateDir, "commits"), { recursive: true })
    writeFileSync(join(privateDir, "plan.json"), plan)
    writeFileSync(join(privateDir, "commits", "000000-0.json"), "{}")
    const statusFile = join(
      LocalLayout.jobDir(home, { database: "ML", schema: "PUBLIC", name: "LATE" }),
      "status.json"
    )
    const now = new Date().toISOString()
    writeFileSync(
      statusFile,
      JSON.stringify({
        version: 1,
        status: "FAILED",
        message: "Replica 0 of 1 was killed by SIGKILL.",
        updatedTime: now,
        completedTime: now
      })
    )

    expect(await session.jobs.getJob("LATE").then((j) => j.status())).toBe("DONE")
    expect((await session.readResults("@ML.PUBLIC.RESULTS/late/")).numRows).toBe(500)
    // Reading never writes: the working files are still there until an action removes them.
    expect(existsSync(privateDir)).toBe(true)
    const resumed = await session.resumeJob("LATE")
    expect(resumed.attempt).toBe(1)
    expect(await resumed.wait({ timeoutSeconds: 5 })).toBe("DONE")
    expect(existsSync(join(output, OutputLayout.RESERVED))).toBe(false)
    expect(readdirSync(output).filter((name) => !/^part-\d+-0\.parquet$/.test(name))).toEqual([
      "_SUCCESS",
      "_manifest.json"
    ])
  })
})
