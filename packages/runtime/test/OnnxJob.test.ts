/**
 * Whole jobs with the first-party ONNX engine: a tabular model over a table, a model whose output has
 * several dimensions per row, and a text recognition model over a folder of images, each compared with
 * onnxruntime called directly.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalLayout, Signature } from "@runbatch/spec"
import { OnnxGraph, OnnxReference, TextLines } from "@runbatch/testkit"
import { Cause, Exit } from "effect"
import { gbdtJob, results, rowsOf, runInProcess, stage, tempHome } from "./support.ts"

describe("an ONNX job", () => {
  it("runs a 100-tree GBDT over a table on two workers, row for row as onnxruntime does", async () => {
    const home = tempHome()
    const { model, rows, features, options } = gbdtJob(6000, 11)
    const job = await stage(home, { ...options, targetShards: 5, numWorkers: 2, maxBatchRows: 1000 })
    const { exit } = await runInProcess(home, job)
    expect(Exit.isSuccess(exit)).toBe(true)
    const out = rowsOf(await results(home), "ID")
    expect(out).toHaveLength(6000)

    const direct = await OnnxReference.run(model, "input", features)
    const labels = direct["label"]!.data as BigInt64Array
    expect(out.map((r) => r["label"])).toEqual(Array.from(labels))
    expect(out[0]!["F3"]).toBe(rows[0]!["F3"])
  })

  it("writes an [N, 2, 3] output as nested parquet lists, read back equal to onnxruntime's", async () => {
    const home = tempHome()
    const { FLOAT, model, node, value, int64s } = OnnxGraph
    const grid = model({
      inputs: [value("x", FLOAT, ["batch", 6])],
      outputs: [value("grid", FLOAT, ["batch", 2, 3])],
      initializers: [int64s("shape", [3], [-1, 2, 3])],
      nodes: [node("Reshape", ["x", "shape"], ["grid"])]
    })
    const xs = Array.from({ length: 40 }, (_, i) => Array.from({ length: 6 }, (_, k) => (i * 6 + k) / 8))
    const job = await stage(home, {
      rows: xs.map((x, i) => ({ ID: i, X: x })),
      columns: [Signature.feature("ID", "INT64"), Signature.feature("X", "FLOAT", { shape: [6] })],
      signature: Signature.signature(
        [Signature.feature("x", "FLOAT", { shape: [6] })],
        [Signature.feature("grid", "FLOAT", { shape: [2, 3] })]
      ),
      engine: "onnx",
      artifacts: { "model.onnx": grid },
      targetShards: 3,
      maxBatchRows: 7
    })
    const { exit } = await runInProcess(home, job)
    expect(Exit.isSuccess(exit)).toBe(true)
    const direct = await OnnxReference.run(grid, "x", xs)
    const flat = Array.from(direct["grid"]!.data as Float32Array)
    const expected = xs.map((_, i) => [flat.slice(i * 6, i * 6 + 3), flat.slice(i * 6 + 3, i * 6 + 6)])
    const plain = (cell: unknown): unknown =>
      cell !== null && typeof cell === "object" && Symbol.iterator in cell
        ? [...(cell as Iterable<unknown>)].map(plain)
        : cell
    expect(rowsOf(await results(home), "ID").map((r) => plain(r["grid"]))).toEqual(expected)
  })

  it("reads a folder of text-line images through column handling, text equal to what was drawn", async () => {
    const home = tempHome()
    const stageDir = LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "SCANS" })
    mkdirSync(stageDir, { recursive: true })
    const texts = TextLines.sampleTexts(12, 7)
    for (const [i, text] of texts.entries())
      writeFileSync(join(stageDir, `line_${i}.png`), await TextLines.render(text))
    const job = await stage(home, {
      rows: texts.map((_, i) => ({ ID: i, IMAGE: `@ML.PUBLIC.SCANS/line_${i}.png` })),
      columns: [Signature.feature("ID", "INT64"), Signature.feature("IMAGE", "STRING")],
      signature: Signature.signature(
        [Signature.feature("image", "BYTES")],
        [Signature.feature("text", "STRING")]
      ),
      columnHandling: { IMAGE: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } },
      engine: "onnx",
      engineOptions: TextLines.recognitionOptions,
      artifacts: TextLines.recognitionModel(),
      targetShards: 3
    })
    const { exit } = await runInProcess(home, job)
    expect(Exit.isSuccess(exit)).toBe(true)
    const out = rowsOf(await results(home), "ID")
    expect(out.map((r) => String(r["text"]).trim())).toEqual(texts)
    expect(out[4]!["IMAGE"]).toBe("@ML.PUBLIC.SCANS/line_4.png")
  })

  it("stops the other workers cleanly when one fails mid-job, while they are decoding images", async () => {
    const home = tempHome()
    const stageDir = LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "SCANS" })
    mkdirSync(stageDir, { recursive: true })
    const texts = TextLines.sampleTexts(48, 9)
    for (const [i, text] of texts.entries()) {
      writeFileSync(join(stageDir, `line_${i}.png`), i === 30 ? "not an image" : await TextLines.render(text))
    }
    const job = await stage(home, {
      rows: texts.map((_, i) => ({ ID: i, IMAGE: `@ML.PUBLIC.SCANS/line_${i}.png` })),
      columns: [Signature.feature("ID", "INT64"), Signature.feature("IMAGE", "STRING")],
      signature: Signature.signature(
        [Signature.feature("image", "BYTES")],
        [Signature.feature("text", "STRING")]
      ),
      columnHandling: { IMAGE: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } },
      engine: "onnx",
      engineOptions: TextLines.recognitionOptions,
      artifacts: TextLines.recognitionModel(),
      targetShards: 6,
      numWorkers: 2,
      maxBatchRows: 4
    })
    const { exit } = await runInProcess(home, job)
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isFailure(exit)) {
      const error = Cause.findErrorOption(exit.cause)
      expect(error._tag === "Some" && (error.value as { _tag: string })._tag).toBe("RowFailed")
      expect(error._tag === "Some" && (error.value as Error).message).toContain("the image cannot be decoded")
    }
    const out = join(
      LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }),
      "out"
    )
    expect(existsSync(join(out, "_SUCCESS"))).toBe(false)
  })
})
