import { existsSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { Worker } from "node:worker_threads"
import { describe, expect, it } from "@effect/vitest"
import { LocalLayout, Signature } from "@runbatch/spec"
import type { ProgressLine } from "@runbatch/spec/ReplicaOutput"
import { TestEngine } from "@runbatch/testkit"
import * as Arrow from "apache-arrow"
import { Cause, Effect, Exit, Fiber } from "effect"
import { onTestFinished } from "vitest"
import { forkInProcess, results, rowsOf, runInProcess, stage, tempHome, waitFor } from "./support.ts"

const signature = TestEngine.signature
const columns = TestEngine.columns
const makeRows = (n: number) => Array.from({ length: n }, (_, i) => ({ ID: i, X: i * 0.5, Z: (i % 7) - 3 }))

const failureOf = (exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit)) throw new Error("expected the replica to fail")
  const error = Cause.findErrorOption(exit.cause)
  if (error._tag === "None") throw new Error(Cause.pretty(exit.cause))
  return error.value as { readonly _tag: string; readonly message: string }
}

const outputDir = (home: string) =>
  join(LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }), "out")

describe("a replica", () => {
  it("runs every shard, passes input columns through and matches a direct model call row for row", async () => {
    const home = tempHome()
    const job = await stage(home, {
      rows: makeRows(5000),
      columns,
      signature,
      engineOptions: { weights: [2, -1], bias: 0.25 },
      targetShards: 6,
      maxBatchRows: 700
    })
    const { exit, lines } = await runInProcess(home, job)
    expect(Exit.isSuccess(exit)).toBe(true)
    const table = await results(home)
    expect(table.numRows).toBe(5000)
    expect(table.schema.fields.map((f) => f.name)).toEqual(["ID", "X", "Z", "y"])
    for (const row of rowsOf(table, "ID")) {
      expect(row["y"]).toBeCloseTo(
        TestEngine.expected([row["X"] as number, row["Z"] as number], [2, -1], 0.25)!,
        12
      )
    }
    expect(lines.some((l) => l.type === "log" && l.message === "Starting inference.")).toBe(true)
    expect(
      lines.some((l) => l.type === "log" && l.message.startsWith("Inference finished: 5000 row(s)"))
    ).toBe(true)
    expect(lines.filter((l) => l.type === "progress").at(-1)).toMatchObject({ rows: 5000, errors: 0 })
    expect(existsSync(join(outputDir(home), "_SUCCESS"))).toBe(true)
    expect(existsSync(join(outputDir(home), "_runbatch"))).toBe(false)
  })

  it("shares a job between replicas by shard index, and replica 0 finishes it", async () => {
    const home = tempHome()
    const job = await stage(home, { rows: makeRows(3000), columns, signature, replicas: 3, targetShards: 9 })
    const others = await Promise.all(
      [1, 2].map((replica) => runInProcess(home, job, { replica, replicas: 3 }))
    )
    for (const other of others) expect(Exit.isSuccess(other.exit)).toBe(true)
    expect(existsSync(join(outputDir(home), "_SUCCESS"))).toBe(false)
    const coordinator = await runInProcess(home, job, { replica: 0, replicas: 3 })
    expect(Exit.isSuccess(coordinator.exit)).toBe(true)
    const table = await results(home)
    expect(rowsOf(table, "ID").map((r) => Number(r["ID"]))).toEqual(Array.from({ length: 3000 }, (_, i) => i))
  })

  it("splits uneven input files into shards by row groups and covers every row once", async () => {
    const home = tempHome()
    const file = (from: number, n: number) =>
      new Arrow.Table({
        ID: Arrow.vectorFromArray(
          Array.from({ length: n }, (_, i) => BigInt(from + i)),
          new Arrow.Int64()
        ),
        X: Arrow.vectorFromArray(
          Array.from({ length: n }, (_, i) => from + i),
          new Arrow.Float64()
        ),
        Z: Arrow.vectorFromArray(
          Array.from({ length: n }, () => 1),
          new Arrow.Float64()
        )
      })
    const job = await stage(home, {
      files: [
        { table: file(0, 7), rowGroupSize: 7 },
        { table: file(7, 1000), rowGroupSize: 50 },
        { table: file(1007, 300), rowGroupSize: 300 }
      ],
      signature,
      replicas: 2,
      targetShards: 8
    })
    expect(new Set(job.plan.shards.map((s) => s.file)).size).toBe(3)
    const [one, zero] = await Promise.all([
      runInProcess(home, job, { replica: 1, replicas: 2 }),
      runInProcess(home, job, { replica: 0, replicas: 2 })
    ])
    expect(Exit.isSuccess(one.exit) && Exit.isSuccess(zero.exit)).toBe(true)
    const rows = rowsOf(await results(home), "ID")
    expect(rows.map((r) => Number(r["ID"]))).toEqual(Array.from({ length: 1307 }, (_, i) => i))
    for (const row of rows) expect(row["y"]).toBe(Number(row["X"]) + 1)
  })

  it("fails fast on a row error, naming the shard and row, and writes no _SUCCESS", async () => {
    const home = tempHome()
    const job = await stage(home, {
      rows: makeRows(200),
      columns,
      signature,
      engineOptions: { failRowWhen: { feature: "x", equals: 50 } }
    })
    const { exit } = await runInProcess(home, job)
    const error = failureOf(exit)
    expect(error._tag).toBe("RowFailed")
    expect(error.message).toMatch(/Row \d+ of shard \d+ \(.+\.parquet\) failed: injected failure of this row/)
    expect(error.message).toContain("on_error: record")
    expect(existsSync(join(outputDir(home), "_SUCCESS"))).toBe(false)
  })

  it("fails with WorkerCrashed when a worker thread dies mid-batch, and the other threads stop", async () => {
    const home = tempHome()
    const job = await stage(home, {
      rows: makeRows(400),
      columns,
      signature,
      targetShards: 4,
      numWorkers: 2,
      engineOptions: { exitWhen: { feature: "x", equals: 100 } }
    })
    const error = failureOf((await runInProcess(home, job)).exit)
    expect(error._tag).toBe("WorkerCrashed")
    expect(error.message).toMatch(/Worker \d of replica 0 crashed: its thread exited with code 3\./)
    expect(existsSync(join(outputDir(home), "_SUCCESS"))).toBe(false)
  })

  it("stops its pipeline threads when it is interrupted mid-batch: no thread is left", async () => {
    const home = tempHome()
    const job = await stage(home, {
      rows: makeRows(400),
      columns,
      signature,
      targetShards: 4,
      numWorkers: 2,
      engineOptions: { delayMillis: 600_000 }
    })
    const threads: Array<Worker> = []
    const started = (thread: Worker) => void threads.push(thread)
    process.on("worker", started)
    onTestFinished(() => void process.off("worker", started))
    const { fiber, lines } = forkInProcess(home, job)
    await waitFor(() => lines.some((line) => line.type === "log" && line.message === "Starting inference."))
    expect(threads).toHaveLength(2)
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect(Exit.hasInterrupts(await Effect.runPromise(Fiber.await(fiber)))).toBe(true)
    // A thread that has ended has no id any more.
    expect(threads.map((thread) => thread.threadId)).toEqual([-1, -1])
  })

  it("runs workers as fibers on the replica's thread with the same results as threads", async () => {
    const home = tempHome()
    const options = { rows: makeRows(900), columns, signature, targetShards: 6, numWorkers: 2 }
    const threaded = await stage(home, {
      ...options,
      output: "@ML.PUBLIC.RESULTS/threads/",
      jobName: "ML.PUBLIC.T"
    })
    const fibers = await stage(home, {
      ...options,
      output: "@ML.PUBLIC.RESULTS/fibers/",
      jobName: "ML.PUBLIC.F"
    })
    expect(Exit.isSuccess((await runInProcess(home, threaded)).exit)).toBe(true)
    const run = await runInProcess(home, fibers, { isolation: "fibers" })
    expect(Exit.isSuccess(run.exit)).toBe(true)
    expect(run.lines.filter((l) => l.type === "progress").at(-1)).toMatchObject({ rows: 900, shardsDone: 6 })
    expect(rowsOf(await results(home, "@ML.PUBLIC.RESULTS/fibers/"), "ID")).toEqual(
      rowsOf(await results(home, "@ML.PUBLIC.RESULTS/threads/"), "ID")
    )
  })

  it.each([
    ["fail", ["ID", "X", "Z", "y"]],
    ["record", ["ID", "X", "Z", "y", "_ERROR"]]
  ] as const)(
    "writes a job over no rows (on_error %s) as one part of no rows with the output's columns",
    async (onError, names) => {
      const home = tempHome()
      const job = await stage(home, { rows: [], columns, signature, onError })
      expect(job.plan.shards).toEqual([expect.objectContaining({ index: 0, rowGroupStart: 0, rows: 0 })])
      const { exit } = await runInProcess(home, job)
      expect(Exit.isSuccess(exit)).toBe(true)
      const table = await results(home)
      expect(table.numRows).toBe(0)
      expect(table.schema.fields.map((f) => f.name)).toEqual(names)
      expect(String(table.schema.fields.find((f) => f.name === "y")!.type)).toBe("Float64")
      expect(readdirSync(outputDir(home)).filter((name) => name.endsWith(".parquet"))).toHaveLength(1)
    }
  )

  it("records row and batch errors in _ERROR with one output row per input row", async () => {
    const home = tempHome()
    const job = await stage(home, {
      rows: makeRows(300),
      columns,
      signature,
      onError: "record",
      maxBatchRows: 25,
      engineOptions: { failRowWhen: { feature: "x", equals: 50 }, fatalWhen: { feature: "x", equals: 100 } }
    })
    const { exit, lines } = await runInProcess(home, job)
    expect(Exit.isSuccess(exit)).toBe(true)
    const rows = rowsOf(await results(home), "ID")
    expect(rows).toHaveLength(300)
    const byId = new Map(rows.map((r) => [Number(r["ID"]), r]))
    expect(byId.get(100)!["_ERROR"]).toBe("injected failure of this row")
    expect(byId.get(100)!["y"]).toBeNull()
    // x = 100 is row 200: its whole batch (rows 200..224) failed.
    for (let id = 200; id < 225; id++) {
      expect(byId.get(id)!["_ERROR"]).toContain("injected fatal failure")
      expect(byId.get(id)!["y"]).toBeNull()
    }
    expect(byId.get(199)!["_ERROR"]).toBeNull()
    expect(byId.get(199)!["y"]).toBe(99.5 + ((199 % 7) - 3))
    expect(lines.filter((l) => l.type === "progress").at(-1)).toMatchObject({ rows: 300, errors: 26 })
  })

  it("redacts a secret an engine quotes whole from its log lines, retries, _ERROR and RowFailed", async () => {
    // The engine reads the secret through secretFromEnvironment and quotes it without redacting.
    const SECRET = "tok-runtime-8e1f2a9c5d"
    process.env["RUNBATCH_TEST_CARELESS_KEY"] = SECRET
    try {
      const quoting = {
        quoteSecretEnv: "RUNBATCH_TEST_CARELESS_KEY",
        failRowWhen: { feature: "x", equals: 50 },
        fatalWhen: { feature: "x", equals: 100 },
        retryableFailures: 1
      }
      const home = tempHome()
      const recorded = await stage(home, {
        rows: makeRows(300),
        columns,
        signature,
        onError: "record",
        maxBatchRows: 25,
        numWorkers: 1,
        engineOptions: quoting
      })
      const { exit, lines } = await runInProcess(home, recorded)
      expect(Exit.isSuccess(exit)).toBe(true)
      const byId = new Map(rowsOf(await results(home), "ID").map((r) => [Number(r["ID"]), r]))
      expect(byId.get(100)!["_ERROR"]).toBe("injected failure of this row (the server said: key=***)")
      expect(byId.get(200)!["_ERROR"]).toBe("injected fatal failure at a row (the server said: key=***)")
      expect(lines.some((l) => l.type === "log" && l.message === "opened with key=***")).toBe(true)
      expect(lines.some((l) => l.type === "log" && l.message.endsWith("(the server said: key=***)"))).toBe(
        true
      )
      expect(JSON.stringify(lines)).not.toContain(SECRET)

      const failing = await stage(home, {
        rows: makeRows(200),
        columns,
        signature,
        output: "@ML.PUBLIC.RESULTS/failing/",
        jobName: "ML.PUBLIC.FAILING",
        engineOptions: {
          quoteSecretEnv: "RUNBATCH_TEST_CARELESS_KEY",
          failRowWhen: { feature: "x", equals: 50 }
        }
      })
      const error = failureOf((await runInProcess(home, failing)).exit)
      expect(error._tag).toBe("RowFailed")
      expect(error.message).toContain("injected failure of this row (the server said: key=***)")
      expect(error.message).not.toContain(SECRET)
    } finally {
      delete process.env["RUNBATCH_TEST_CARELESS_KEY"]
    }
  })

  it("retries retryable engine failures with backoff, then succeeds", async () => {
    const home = tempHome()
    const job = await stage(home, {
      rows: makeRows(50),
      columns,
      signature,
      numWorkers: 1,
      engineOptions: { retryableFailures: 2, retryAfterMillis: 20 }
    })
    const { exit, lines } = await runInProcess(home, job)
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(lines.filter((l) => l.type === "log" && l.message.startsWith("Retrying a batch"))).toHaveLength(2)
    expect((await results(home)).numRows).toBe(50)
  })

  it("fails a batch whose retries run out", async () => {
    const home = tempHome()
    const job = await stage(home, {
      rows: makeRows(10),
      columns,
      signature,
      engineOptions: { retryableFailures: 99 }
    })
    const error = failureOf((await runInProcess(home, job)).exit)
    expect(error._tag).toBe("PluginBatchError")
    expect(error.message).toContain("injected retryable failure 4")
  })

  it("keeps nulls and NaN: NaN goes through the model, nulls give null outputs", async () => {
    const home = tempHome()
    const job = await stage(home, {
      rows: [
        { ID: 0, X: Number.NaN, Z: 1 },
        { ID: 1, X: null, Z: 1 },
        { ID: 2, X: 2, Z: 1 }
      ],
      columns,
      signature
    })
    expect(Exit.isSuccess((await runInProcess(home, job)).exit)).toBe(true)
    const rows = rowsOf(await results(home), "ID")
    expect(rows[0]!["X"]).toBeNaN()
    expect(rows[0]!["y"]).toBeNaN()
    expect(rows[1]!["X"]).toBeNull()
    expect(rows[1]!["y"]).toBeNull()
    expect(rows[2]!["y"]).toBe(3)
  })

  it("passes 600 input columns through exactly", async () => {
    const home = tempHome()
    const wide = [
      ...columns,
      ...Array.from({ length: 300 }, (_, i) => Signature.feature(`z_feature_${i}`, "INT64")),
      ...Array.from({ length: 300 }, (_, i) => Signature.feature(`b_feature_${i}`, "STRING"))
    ]
    const rows = Array.from({ length: 20 }, (_, r) => ({
      ...makeRows(20)[r],
      ...Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`z_feature_${i}`, r * 1000 + i])),
      ...Object.fromEntries(
        Array.from({ length: 300 }, (_, i) => [`b_feature_${i}`, ["X", "Y", "Z"][(r + i) % 3]])
      )
    }))
    const job = await stage(home, { rows, columns: wide, signature })
    expect(Exit.isSuccess((await runInProcess(home, job)).exit)).toBe(true)
    const table = await results(home)
    expect(table.numCols).toBe(604)
    for (const row of rowsOf(table, "ID")) {
      const r = Number(row["ID"])
      expect(Number(row["z_feature_299"])).toBe(r * 1000 + 299)
      expect(row["b_feature_7"]).toBe(["X", "Y", "Z"][(r + 7) % 3])
    }
  })

  it("writes a struct output the model returns empty ({}) as such", async () => {
    const home = tempHome()
    const structSignature = Signature.signature(signature.inputs, [
      Signature.group("empty_struct", [
        Signature.feature("foo", "STRING"),
        Signature.feature("bar", "STRING")
      ])
    ])
    const job = await stage(home, {
      rows: makeRows(10),
      columns,
      signature: structSignature,
      engineOptions: { emptyStruct: true }
    })
    const { exit } = await runInProcess(home, job)
    if (Exit.isFailure(exit)) throw new Error(Cause.pretty(exit.cause))
    const table = await results(home)
    expect(table.numRows).toBe(10)
    expect(table.schema.fields.at(-1)!.name).toBe("empty_struct")
    expect((table.getChild("empty_struct")!.get(0) as { toJSON(): unknown }).toJSON()).toEqual({
      foo: null,
      bar: null
    })
  })

  it("reads stage files through column handling, and fails the row of a missing file naming its path", async () => {
    const home = tempHome()
    const fileSignature = Signature.signature(
      [Signature.feature("image", "BYTES")],
      [Signature.feature("bytes", "INT64")]
    )
    const stageDir = LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "IMAGES" })
    const { mkdirSync } = await import("node:fs")
    mkdirSync(stageDir, { recursive: true })
    writeFileSync(join(stageDir, "a.png"), new Uint8Array(10))
    writeFileSync(join(stageDir, "b.png"), new Uint8Array(3))
    const rows = [
      { ID: 0, IMAGE: "@ML.PUBLIC.IMAGES/a.png" },
      { ID: 1, IMAGE: "@ML.PUBLIC.IMAGES/b.png" },
      { ID: 2, IMAGE: "@ML.PUBLIC.IMAGES/missing.png" }
    ]
    const imageColumns = [Signature.feature("ID", "INT64"), Signature.feature("IMAGE", "STRING")]
    const handling = { IMAGE: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } }
    const recorded = await stage(home, {
      rows,
      columns: imageColumns,
      signature: fileSignature,
      columnHandling: handling,
      onError: "record"
    })
    expect(Exit.isSuccess((await runInProcess(home, recorded)).exit)).toBe(true)
    const out = rowsOf(await results(home), "ID")
    expect(out.map((r) => r["bytes"])).toEqual([10n, 3n, null])
    expect(out[2]!["_ERROR"]).toContain("@ML.PUBLIC.IMAGES/missing.png does not exist")
    expect(out[0]!["IMAGE"]).toBe("@ML.PUBLIC.IMAGES/a.png")

    const failing = await stage(home, {
      rows,
      columns: imageColumns,
      signature: fileSignature,
      columnHandling: handling,
      output: "@ML.PUBLIC.RESULTS/fail/",
      jobName: "ML.PUBLIC.FAILING"
    })
    const error = failureOf((await runInProcess(home, failing)).exit)
    expect(error._tag).toBe("RowFailed")
    expect(error.message).toContain(
      'in column "IMAGE": The stage file @ML.PUBLIC.IMAGES/missing.png does not exist'
    )
  })

  it("fails with ShardUnreadable when a staged input file is damaged", async () => {
    const home = tempHome()
    const job = await stage(home, { rows: makeRows(100), columns, signature })
    const inputDir = join(outputDir(home), "_runbatch", "ML.PUBLIC.TEST_JOB", "input")
    const file = readdirSync(inputDir).find((f) => f.endsWith(".parquet"))!
    const { rmSync } = await import("node:fs")
    rmSync(join(inputDir, file))
    writeFileSync(join(inputDir, file), "not parquet at all")
    const error = failureOf((await runInProcess(home, job)).exit)
    expect(error._tag).toBe("ShardUnreadable")
    expect(error.message).toContain(file)
    expect(existsSync(join(outputDir(home), "_SUCCESS"))).toBe(false)
  })

  it("a resumed replica skips the shards already committed", async () => {
    const home = tempHome()
    const job = await stage(home, { rows: makeRows(400), columns, signature, targetShards: 4, replicas: 2 })
    const one = await runInProcess(home, job, { replica: 1, replicas: 2 })
    expect(Exit.isSuccess(one.exit)).toBe(true)
    // Run replica 1 again (as a resume would): nothing left for it.
    const again = await runInProcess(home, job, { replica: 1, replicas: 2 })
    expect(again.lines.some((l) => l.type === "log" && l.message === "Nothing left to run.")).toBe(true)
    // Its shards count as done in its figures (the job's bar ends at 100%), but not in its rate.
    expect(again.lines.filter((l) => l.type === "progress").at(-1)).toMatchObject({
      rows: 200,
      resumedRows: 200,
      shardsDone: 2,
      rowsPerSecond: 0
    })
    expect(Exit.isSuccess((await runInProcess(home, job, { replica: 0, replicas: 2 })).exit)).toBe(true)
    expect((await results(home)).numRows).toBe(400)
  })

  it("a resumed replica counts the errors its committed shards recorded", async () => {
    const home = tempHome()
    const job = await stage(home, {
      rows: makeRows(400),
      columns,
      signature,
      targetShards: 4,
      replicas: 2,
      onError: "record",
      maxBatchRows: 25,
      // Row 100 (shard 1) fails alone; rows 200..224 (shard 2) fail as a batch: replica 1 has one.
      engineOptions: { failRowWhen: { feature: "x", equals: 50 }, fatalWhen: { feature: "x", equals: 100 } }
    })
    const last = (lines: ReadonlyArray<ProgressLine>) =>
      lines.filter((l): l is Extract<ProgressLine, { type: "progress" }> => l.type === "progress").at(-1)
    const first = await runInProcess(home, job, { replica: 1, replicas: 2 })
    const errors = last(first.lines)?.errors ?? 0
    expect(errors).toBeGreaterThan(0)
    const again = await runInProcess(home, job, { replica: 1, replicas: 2 })
    expect(last(again.lines)).toMatchObject({ rows: 200, resumedRows: 200, errors })
  })
})
