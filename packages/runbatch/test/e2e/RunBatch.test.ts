import { existsSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalLayout, Signature } from "@runbatch/spec"
import { OnnxGraph, OnnxModels, OnnxReference, TestEngine, TextLines } from "@runbatch/testkit"
import { onTestFinished } from "vitest"
import { Registry, Session } from "../../src/index.ts"
import {
  FEATURES,
  gbdtColumns,
  gbdtRows,
  linearColumns,
  linearRows,
  linearSignature,
  localSession,
  logGbdt,
  logLinear,
  tempHome
} from "../support.ts"

const resultsDir = (home: string, path: string) =>
  join(LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }), path)

describe("runBatch on the local account", () => {
  it("runs a logged GBDT over a table as a job of two replicas, row for row as onnxruntime does", async () => {
    const home = tempHome()
    const session = localSession(home)
    await logGbdt(session, home)
    const rows = gbdtRows(3000)
    await session.sql.createTable("SAMPLES", {
      kind: "relation",
      relation: await session.run(
        (await import("../../src/InputSource.ts")).relationOf(session.createDataFrame(rows, gbdtColumns))
      )
    })
    const registry = new Registry(session)
    const version = await (await registry.getModel("gbdt")).version("v1")
    const job = await version.runBatch(session.table("samples"), {
      outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/gbdt/" },
      jobSpec: { jobName: "SCORE_1", replicas: 2, numWorkers: 1, block: true },
      cpus: 2
    })
    expect(job.id).toBe("ML.PUBLIC.SCORE_1")
    if ((await job.status()) !== "DONE") console.log((await job.describe()).message, await job.getLogs())
    expect(await job.status()).toBe("DONE")
    const table = await session.readResults("@ML.PUBLIC.RESULTS/gbdt/")
    expect(table.numRows).toBe(3000)
    const out = table
      .toArray()
      .map((r) => (r as { toJSON(): Record<string, unknown> }).toJSON())
      .sort((a, b) => Number(a["ID"]) - Number(b["ID"]))
    const direct = await OnnxReference.run(
      OnnxModels.gbdt(),
      "input",
      rows.map((r) => Array.from({ length: FEATURES }, (_, j) => r[`F${j}`]!))
    )
    expect(out.map((r) => r["label"])).toEqual(Array.from(direct["label"]!.data as BigInt64Array))
    expect(existsSync(resultsDir(home, "gbdt/_SUCCESS"))).toBe(true)
    expect(readdirSync(resultsDir(home, "gbdt")).includes("_runbatch")).toBe(false)
    const progress = await job.progress()
    expect(progress).toMatchObject({ rows: 3000, totalRows: 3000 })
  })

  it("refuses a 1-channel image model fed colour images before anything is staged or started", async () => {
    const home = tempHome()
    const session = localSession(home)
    const { FLOAT, model, node, value } = OnnxGraph
    const path = join(home, "digits.onnx")
    writeFileSync(
      path,
      model({
        inputs: [value("pixels", FLOAT, ["batch", 1, 8, 8])],
        outputs: [value("mean", FLOAT, ["batch"])],
        nodes: [
          node(
            "ReduceMean",
            ["pixels"],
            ["mean"],
            [
              { name: "axes", ints: [1, 2, 3] },
              { name: "keepdims", i: 0 }
            ]
          )
        ]
      })
    )
    // Logged without the engine's check (the registry's own logModel), as a version from elsewhere.
    await session.registry.logModel({
      name: "DIGITS",
      version: "V1",
      engine: "onnx",
      engineOptions: { image: { feature: "image", height: 8, width: 8 } },
      artifacts: [{ name: "model.onnx", path }],
      signatures: {
        predict: Signature.signature(
          [Signature.feature("image", "BYTES")],
          [Signature.feature("mean", "FLOAT")]
        )
      }
    })
    const png = await TextLines.render("8")
    await session.stages.write("@ML.PUBLIC.SCANS/a.png", png)
    const refused = await session
      .runBatch({
        model: "DIGITS",
        input: session.query("SELECT '@ML.PUBLIC.SCANS/a.png' AS IMAGE"),
        inputSpec: { columnHandling: { IMAGE: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } } },
        outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/digits/" },
        cpus: 1
      })
      .then(
        () => undefined,
        (error: Error & { _tag: string }) => error
      )
    expect(refused?._tag).toBe("EnginePrepareError")
    expect(refused?.message).toContain('the ONNX input "pixels" is declared [batch, 1, 8, 8] (nchw)')
    expect(refused?.message).toContain("Set image.channels: gray feeds it")
    expect(await session.jobs.listJobs()).toEqual([])
    expect(existsSync(join(home, "jobs"))).toBe(false)
    expect(existsSync(resultsDir(home, "digits"))).toBe(false)
  })
})

describe("a session without a current database", () => {
  it("finds its jobs by bare name in the account's default database and schema", async () => {
    const session = Session.local({ home: tempHome() })
    onTestFinished(() => session.close())
    await logLinear(session)
    const job = await session.runBatch({
      model: "LINEAR",
      input: session.createDataFrame(linearRows(20), linearColumns),
      outputSpec: { stageLocation: "@RUNBATCH.PUBLIC.RESULTS/tiny/" },
      jobSpec: { jobName: "TINY", block: true },
      plugins: [TestEngine.packageDir],
      cpus: 1
    })
    expect(job.id).toBe("RUNBATCH.PUBLIC.TINY")
    expect(await (await session.jobs.getJob("TINY")).status()).toBe("DONE")
    expect((await session.jobs.listJobs()).map((row) => row.name)).toEqual(["TINY"])
  })

  it("runs a model version whose stored name needs quotes, through its ModelVersion", async () => {
    const session = Session.local({ home: tempHome() })
    onTestFinished(() => session.close())
    await session.registry.logModel({
      name: "LINEAR",
      version: '"v1"',
      engine: TestEngine.id,
      engineOptions: { weights: [2, -1] } as never,
      signatures: { predict: linearSignature }
    })
    const version = await (await new Registry(session).getModel("LINEAR")).version('"v1"')
    expect(version.versionName).toBe("v1")
    const job = await version.runBatch(session.createDataFrame(linearRows(10), linearColumns), {
      outputSpec: { stageLocation: "@RUNBATCH.PUBLIC.RESULTS/quoted/" },
      jobSpec: { jobName: "QUOTED", block: true },
      plugins: [TestEngine.packageDir],
      cpus: 1
    })
    expect(await job.status()).toBe("DONE")
  })

  it("keeps a running job's output from an overwrite, its quoted lower-case name included", async () => {
    const session = Session.local({ home: tempHome() })
    onTestFinished(() => session.close())
    await logLinear(session, { delayMillis: 400 })
    const input = session.createDataFrame(linearRows(40), linearColumns)
    const common = { model: "LINEAR", input, plugins: [TestEngine.packageDir], cpus: 1 }
    const running = await session.runBatch({
      ...common,
      outputSpec: { stageLocation: "@RUNBATCH.PUBLIC.RESULTS/shared/" },
      jobSpec: { jobName: '"slow_job"', maxBatchRows: 5, numWorkers: 1 }
    })
    expect(running.id).toBe('RUNBATCH.PUBLIC."slow_job"')
    const second = await session
      .runBatch({
        ...common,
        outputSpec: { stageLocation: "@RUNBATCH.PUBLIC.RESULTS/shared/", mode: "overwrite" },
        jobSpec: { jobName: "SECOND", block: true }
      })
      .then(
        () => undefined,
        (error: { _tag?: string; message?: string }) => error
      )
    expect(second).toMatchObject({ _tag: "OutputClaimed" })
    expect(second?.message).toContain('RUNBATCH.PUBLIC."slow_job"')
    expect(await running.wait()).toBe("DONE")
  })
})
