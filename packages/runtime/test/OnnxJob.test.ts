/**
 * Whole jobs with the first-party ONNX engine: a tabular model over a table and a text recognition
 * model over a folder of images, each compared with onnxruntime called directly.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalLayout, Signature } from "@runbatch/spec"
import { OnnxModels, OnnxReference, TextLines } from "@runbatch/testkit"
import { Cause, Exit } from "effect"
import { results, rowsOf, runInProcess, stage, tempHome } from "./support.ts"

const WIDTH = 13

describe("an ONNX job", () => {
  it("runs a 100-tree GBDT over a table on two workers, row for row as onnxruntime does", async () => {
    const home = tempHome()
    const model = OnnxModels.gbdt()
    const next = OnnxModels.random(11)
    const rows = Array.from({ length: 6000 }, (_, i) => {
      const row: Record<string, number> = { ID: i }
      for (let j = 0; j < WIDTH; j++) row[`F${j}`] = Math.round(next() * 1000) / 100
      return row
    })
    const features = Array.from({ length: WIDTH }, (_, j) => Signature.feature(`f${j}`, "DOUBLE"))
    const job = await stage(home, {
      rows,
      columns: [
        Signature.feature("ID", "INT64"),
        ...features.map((f) => Signature.feature(f.name.toUpperCase(), "DOUBLE"))
      ],
      signature: Signature.signature(features, [
        Signature.feature("label", "INT64"),
        Signature.feature("probabilities", "FLOAT", { shape: [3] })
      ]),
      engine: "onnx",
      artifacts: { "model.onnx": model },
      targetShards: 5,
      numWorkers: 2,
      maxBatchRows: 1000
    })
    const { exit } = await runInProcess(home, job)
    expect(Exit.isSuccess(exit)).toBe(true)
    const out = rowsOf(await results(home), "ID")
    expect(out).toHaveLength(6000)

    const direct = await OnnxReference.run(
      model,
      "input",
      rows.map((r) => Array.from({ length: WIDTH }, (_, j) => r[`F${j}`]!))
    )
    const labels = direct["label"]!.data as BigInt64Array
    expect(out.map((r) => r["label"])).toEqual(Array.from(labels))
    expect(out[0]!["F3"]).toBe(rows[0]!["F3"])
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
