/**
 * Dry runs: every check of a real run, a sample through the real engine in this process, a report —
 * and nothing written anywhere (no claim, no staged input, no plan, no job).
 */
import { readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalLayout, Signature } from "@runbatch/spec"
import { OnnxGraph, TestEngine } from "@runbatch/testkit"
import { runCli } from "../cli.ts"
import {
  FEATURES,
  linearColumns,
  linearRows,
  localSession,
  logGbdt,
  logLinear,
  tempHome
} from "../support.ts"

// Z arrives as INT32, widened to the feature's DOUBLE.
const columns = [linearColumns[0]!, linearColumns[1]!, Signature.feature("Z", "INT32")]
const rows = linearRows

/** Every file under the account's stages and job folders: a dry run must add none. */
const filesUnder = (home: string): Array<string> => {
  const walk = (dir: string): Array<string> => {
    let entries: Array<import("node:fs").Dirent>
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return []
    }
    return entries.flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
  }
  return [
    ...walk(join(home, "jobs")),
    ...walk(LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }))
  ]
}

describe("dry runs", () => {
  it("report the mapping, plugins, parallelism, a sample's outputs and an estimate, writing nothing", async () => {
    const home = tempHome()
    const session = localSession(home)
    await logLinear(session)
    const input = rows(2500)
    const options = {
      model: "LINEAR",
      input: session.createDataFrame(input, columns),
      outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/linear/" },
      jobSpec: { jobName: "LINEAR_JOB", replicas: 2, numWorkers: 3, maxBatchRows: 200 },
      plugins: [TestEngine.packageDir],
      cpus: 6
    }
    const before = filesUnder(home)
    const report = await session.runBatch({ ...options, dryRun: { sampleRows: 600 } })
    expect(filesUnder(home)).toEqual(before)
    expect(await session.jobs.listJobs()).toEqual([])

    expect(report.job).toBe("ML.PUBLIC.LINEAR_JOB")
    expect(report.model).toEqual({
      name: "ML.PUBLIC.LINEAR",
      version: "V1",
      function: "PREDICT",
      engine: "test-linear"
    })
    expect(report.input.rows).toBe(2500)
    expect(report.columnMapping.map((m) => [m.feature, m.column, m.compatibility.kind])).toEqual([
      ["x", "X", "exact"],
      ["z", "Z", "widen"]
    ])
    expect(report.plugins.map((p) => p.id)).toEqual(["test-linear"])
    expect(report.parallelism).toEqual({
      replicas: 2,
      workersPerReplica: 3,
      threadsPerWorker: 1,
      shards: 24,
      batchRows: 200
    })
    expect(report.output).toMatchObject({
      location: "@ML.PUBLIC.RESULTS/linear/",
      mode: "error",
      existingFiles: 0
    })

    // The sample ran through the engine: outputs equal the model's, passthrough columns intact.
    expect(report.sample.rows).toBe(600)
    expect(report.sample.errors).toEqual([])
    const sample = report.sample.outputs
    for (let i = 0; i < sample.numRows; i += 37) {
      const id = Number(sample.getChild("ID")!.get(i))
      expect(sample.getChild("X")!.get(i)).toBe(input[id]!.X)
      expect(sample.getChild("y")!.get(i)).toBeCloseTo(2 * input[id]!.X - input[id]!.Z + 0.25, 10)
    }
    expect(report.sample.rowsPerSecond).toBeGreaterThan(0)
    expect(report.estimate.rowsPerSecond).toBeCloseTo(report.sample.rowsPerSecond * 6, 6)
    expect(report.estimate.seconds).toBeCloseTo(
      2500 / report.estimate.rowsPerSecond + report.sample.openSeconds,
      6
    )
    expect(report.wouldFail).toBe(false)

    // The real run afterwards is not hindered by the dry run (no claim, the name still free).
    const job = await session.runBatch({ ...options, jobSpec: { ...options.jobSpec, block: true } })
    expect(await job.status()).toBe("DONE")
    expect((await session.readResults("@ML.PUBLIC.RESULTS/linear/")).numRows).toBe(2500)
  })

  it("list the sample's row errors, say whether the job would fail, and refuse what a run refuses", async () => {
    const home = tempHome()
    const session = localSession(home)
    await logLinear(session, { failRowWhen: { feature: "x", equals: 3 } })
    const base = {
      model: "LINEAR",
      input: session.createDataFrame(rows(40), columns),
      outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/errors/" },
      plugins: [TestEngine.packageDir],
      cpus: 1
    }
    const failing = await session.runBatch({ ...base, dryRun: true })
    expect(failing.sample.errors).toEqual([{ row: 6, message: expect.any(String) }])
    expect(failing.sample.outputs.getChild("_ERROR")!.get(6)).toBe(failing.sample.errors[0]!.message)
    expect(failing.sample.outputs.getChild("y")!.get(6)).toBeNull()
    expect(failing.wouldFail).toBe(true)
    const recorded = await session.runBatch({ ...base, jobSpec: { onError: "record" }, dryRun: true })
    expect(recorded.wouldFail).toBe(false)

    // Refused like a run: a non-empty output, an unknown function.
    await session.stages.write("@ML.PUBLIC.RESULTS/errors/old.parquet", new Uint8Array([1]))
    await expect(session.runBatch({ ...base, dryRun: true })).rejects.toMatchObject({
      _tag: "OutputNotEmpty"
    })
    const overwrite = await session.runBatch({
      ...base,
      outputSpec: { ...base.outputSpec, mode: "overwrite" },
      dryRun: true
    })
    expect(overwrite.output.existingFiles).toBe(1)
    expect(await session.stages.exists("@ML.PUBLIC.RESULTS/errors/old.parquet")).toBe(true)
    await expect(
      session.runBatch({ ...base, jobSpec: { functionName: "NOPE" }, dryRun: true })
    ).rejects.toMatchObject({ _tag: "FunctionNotFound" })
  })

  it("through the CLI: an [N, 2, 3] output prints as nested lists in the dry run, and the job writes them", async () => {
    const home = tempHome()
    const session = localSession(home)
    const { FLOAT, model, node, value, int64s } = OnnxGraph
    const path = join(home, "grid.onnx")
    writeFileSync(
      path,
      model({
        inputs: [value("x", FLOAT, ["batch", 6])],
        outputs: [value("grid", FLOAT, ["batch", 2, 3])],
        initializers: [int64s("shape", [3], [-1, 2, 3])],
        nodes: [node("Reshape", ["x", "shape"], ["grid"])]
      })
    )
    await session.registry.logModel({
      name: "GRID",
      version: "V1",
      engine: "onnx",
      artifacts: [{ name: "model.onnx", path }],
      signatures: {
        predict: Signature.signature(
          [Signature.feature("x", "FLOAT", { shape: [6] })],
          [Signature.feature("grid", "FLOAT", { shape: [2, 3] })]
        )
      }
    })
    await session.close()
    const query = "SELECT i AS ID, [i, i + 1, i + 2, i + 3, i + 4, i + 5]::FLOAT[] AS X FROM range(8) t(i)"
    const args = [
      "--database",
      "ML",
      "run",
      "--model",
      "GRID",
      "--query",
      query,
      "--output",
      "@ML.PUBLIC.RESULTS/grid/"
    ]
    const dry = await runCli(home, [...args, "--dry-run"])
    expect(dry.stderr).toBe("")
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain("[[1,2,3],[4,5,6]]")
    const run = await runCli(home, [...args, "--wait"])
    expect(run.code, run.stderr).toBe(0)
    const results = await runCli(home, ["--json", "results", "@ML.PUBLIC.RESULTS/grid/"])
    const rows = JSON.parse(results.stdout) as Array<{ ID: number; grid: unknown }>
    expect(rows.find((r) => r.ID === 2)!.grid).toEqual([
      [2, 3, 4],
      [5, 6, 7]
    ])
  })

  it("through the CLI: run --dry-run prints the plan and the estimate, --json the report; exit 1 when the job would fail", async () => {
    const home = tempHome()
    const session = localSession(home)
    await logGbdt(session, home)
    await session.sql.execute(
      `CREATE TABLE ML.PUBLIC.SAMPLES AS SELECT i AS ID, ${Array.from({ length: FEATURES }, (_, j) => `(i * ${j + 1}) % 10 * 1.0 AS F${j}`).join(", ")} FROM range(5000) t(i)`
    )
    await session.close()
    const args = [
      "--database",
      "ML",
      "run",
      "--model",
      "GBDT",
      "--table",
      "ML.PUBLIC.SAMPLES",
      "--output",
      "@ML.PUBLIC.RESULTS/gbdt/",
      "--dry-run"
    ]
    const shown = await runCli(home, args)
    expect(shown.stderr).toBe("")
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain("everything checked, nothing written")
    expect(shown.stdout).toMatch(/table ML\.PUBLIC\.SAMPLES: 5,000 row\(s\)/)
    expect(shown.stdout).toContain("f0 ← F0: DOUBLE from DOUBLE")
    expect(shown.stdout).toContain("onnx (engine): @runbatch/engine-onnx")
    expect(shown.stdout).toMatch(/Estimate\n {2}[\d,.]+ rows\/s over 2 worker\(s\)/)
    const json = await runCli(home, ["--json", ...args, "--sample-rows", "50"])
    const report = JSON.parse(json.stdout) as { sample: { rows: number; outputs: Array<{ LABEL: number }> } }
    expect(report.sample.rows).toBe(50)
    expect(report.sample.outputs).toHaveLength(50)
    expect(filesUnder(home)).toEqual([])
    const failing = localSession(home)
    await logLinear(failing, { failRowWhen: { feature: "x", equals: 2 } })
    await failing.close()
    const wouldFail = await runCli(home, [
      "--database",
      "ML",
      "run",
      "--model",
      "LINEAR",
      "--query",
      "SELECT i AS X, 1.0 AS Z FROM range(10) t(i)",
      "--output",
      "@ML.PUBLIC.RESULTS/linear/",
      "--plugin",
      TestEngine.packageDir,
      "--dry-run"
    ])
    expect(wouldFail.code).toBe(1)
    expect(wouldFail.stdout).toContain("1 row error(s)")
    expect(wouldFail.stdout).toContain("The job would fail")
    const misuse = await runCli(home, [...args, "--wait"])
    expect(misuse.code).toBe(2)
    expect(misuse.stderr).toContain("--dry-run starts no job to --wait for")
  })

  it("through the CLI: a dry run over no rows says there is nothing to run, with the output's columns", async () => {
    const home = tempHome()
    const session = localSession(home)
    await logLinear(session, {})
    await session.close()
    const args = [
      "--database",
      "ML",
      "run",
      "--model",
      "LINEAR",
      "--query",
      "SELECT i * 1.0 AS X, 1.0 AS Z FROM range(10) t(i) WHERE false",
      "--output",
      "@ML.PUBLIC.RESULTS/none/",
      "--plugin",
      TestEngine.packageDir,
      "--dry-run"
    ]
    const shown = await runCli(home, args)
    expect(shown.stderr).toBe("")
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain("0 row(s), 2 column(s)")
    expect(shown.stdout).toContain("columns: y DOUBLE")
    expect(shown.stdout).toContain("no rows to sample: the input is empty")
    expect(shown.stdout).toContain("nothing to run: the job would end DONE with no rows")
    const json = await runCli(home, ["--json", ...args])
    expect(json.code, json.stderr).toBe(0)
    const report = JSON.parse(json.stdout) as {
      sample: { rows: number; outputs: ReadonlyArray<unknown> }
      estimate: { seconds: number }
    }
    expect(report.sample).toMatchObject({ rows: 0, outputs: [] })
    expect(report.estimate.seconds).toBe(0)
    expect(filesUnder(home)).toEqual([])
  })
})
