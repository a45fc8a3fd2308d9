import { describe, expect, it } from "@effect/vitest"
import { Arrow } from "@runbatch/plugin-api"
import { Signature } from "@runbatch/spec"
import { engineConformance, OnnxModels, OnnxReference, TextLines } from "@runbatch/testkit"
import sharp from "sharp"
import engine from "../src/index.ts"
import { prepare, request, run, stageFiles } from "./support.ts"

const gbdt = OnnxModels.gbdt()
const mlp = OnnxModels.mlp()
const lr = OnnxModels.logisticRegression()
const features13 = Array.from({ length: 13 }, (_, i) => Signature.feature(`f${i}`, "DOUBLE"))
const gbdtSignature = Signature.signature(features13, [
  Signature.feature("label", "INT64"),
  Signature.feature("probabilities", "FLOAT", { shape: [3] })
])

const tabular = (n: number, width: number, seed = 3) => {
  const next = OnnxModels.random(seed)
  const columns: Record<string, Arrow.Data> = {}
  const rows: Array<Array<number>> = Array.from({ length: n }, () => [])
  for (let j = 0; j < width; j++) {
    const values = Float64Array.from({ length: n }, () => Math.round(next() * 1000) / 100)
    for (const [i, v] of values.entries()) rows[i]!.push(v)
    columns[`f${j}`] = Arrow.makeData({ type: new Arrow.Float64(), length: n, data: values })
  }
  return { batch: new Arrow.RecordBatch(columns), rows }
}

const direct = OnnxReference.run

engineConformance({
  packageJson: new URL("../package.json", import.meta.url),
  engine,
  request: request(gbdtSignature, { "model.onnx": gbdt }),
  batch: tabular(50, 13).batch,
  files: stageFiles({ "model.onnx": gbdt })
})

describe("the onnx engine", () => {
  it("runs a 100-tree GBDT as onnxruntime does, label and probabilities", async () => {
    const { batch, rows } = tabular(3000, 13)
    const result = await run(request(gbdtSignature, { "model.onnx": gbdt }), { "model.onnx": gbdt }, batch)
    const expected = await direct(gbdt, "input", rows)
    expect([...result.outputs.getChild("label")!]).toEqual([...(expected["label"]!.data as BigInt64Array)])
    const probabilities = result.outputs.getChild("probabilities")!
    const flat = expected["probabilities"]!.data as Float32Array
    // Batch size and thread split change summation order, so probabilities agree to float32 rounding.
    for (let i = 0; i < 3000; i += 97) {
      const got = Array.from(probabilities.get(i) as Float32Array)
      for (let k = 0; k < 3; k++) expect(got[k]).toBeCloseTo(flat[i * 3 + k]!, 6)
    }
  })

  it("fills a struct output from ONNX outputs named after its fields, or mapped as struct.field", async () => {
    const signature = Signature.signature(features13, [
      Signature.group("prediction", [
        Signature.feature("class", "INT64"),
        Signature.feature("probabilities", "FLOAT", { shape: [3] })
      ])
    ])
    const { batch, rows } = tabular(40, 13)
    const options = { outputs: { "prediction.class": "label" } }
    const result = await run(
      request(signature, { "model.onnx": gbdt }, options),
      { "model.onnx": gbdt },
      batch
    )
    const expected = await direct(gbdt, "input", rows)
    const prediction = result.outputs.getChild("prediction")!
    expect(prediction.type.toString()).toContain("Struct")
    const labels = expected["label"]!.data as BigInt64Array
    const flat = expected["probabilities"]!.data as Float32Array
    for (const i of [0, 17, 39]) {
      const row = prediction.get(i)!.toJSON() as { class: bigint; probabilities: { toArray(): Float32Array } }
      expect(row.class).toBe(labels[i])
      const got = Array.from(row.probabilities.toArray())
      for (let k = 0; k < 3; k++) expect(got[k]).toBeCloseTo(flat[i * 3 + k]!, 6)
    }
  })

  it("runs an MLP whose outputs are matched by name, and a logistic regression by position", async () => {
    const mlpSignature = Signature.signature(
      Array.from({ length: 64 }, (_, i) => Signature.feature(`f${i}`, "DOUBLE")),
      [Signature.feature("probs", "FLOAT", { shape: [10] })]
    )
    const { batch, rows } = tabular(200, 64)
    const result = await run(request(mlpSignature, { "model.onnx": mlp }), { "model.onnx": mlp }, batch)
    const expected = (await direct(mlp, "input", rows))["probs"]!.data as Float32Array
    expect(Array.from(result.outputs.getChild("probs")!.get(17) as Float32Array)).toEqual(
      Array.from(expected.subarray(170, 180))
    )

    const lrSignature = Signature.signature(
      Array.from({ length: 4 }, (_, i) => Signature.feature(`f${i}`, "DOUBLE")),
      [Signature.feature("predicted_class", "INT64"), Signature.feature("scores", "FLOAT", { shape: [3] })]
    )
    const small = tabular(10, 4)
    const out = await run(request(lrSignature, { "model.onnx": lr }), { "model.onnx": lr }, small.batch)
    const want = await direct(lr, "float_input", small.rows)
    expect([...out.outputs.getChild("predicted_class")!]).toEqual([...(want["label"]!.data as BigInt64Array)])
  })

  it("fills a ragged list output (shape [-1]) with as many values per row as the tensor has", async () => {
    const signature = Signature.signature(
      Array.from({ length: 64 }, (_, i) => Signature.feature(`f${i}`, "DOUBLE")),
      [Signature.feature("probs", "DOUBLE", { shape: [-1] })]
    )
    const { batch, rows } = tabular(7, 64)
    const result = await run(request(signature, { "model.onnx": mlp }), { "model.onnx": mlp }, batch)
    const expected = (await direct(mlp, "input", rows))["probs"]!.data as Float32Array
    const got = result.outputs.getChild("probs")!.get(3) as { toArray(): Float64Array }
    expect(Array.from(got.toArray())).toEqual(Array.from(expected.subarray(30, 40), (v) => v))
    expect(String(result.outputs.getChild("probs")!.type)).toContain("Float64")
  })

  it("maps features to inputs explicitly, and feeds a [batch, 1] output to a scalar", async () => {
    const signature = Signature.signature(
      [
        Signature.feature("b", "DOUBLE"),
        Signature.feature("a", "DOUBLE"),
        Signature.feature("c", "DOUBLE"),
        Signature.feature("d", "DOUBLE")
      ],
      [Signature.feature("label", "INT64")]
    )
    const { batch } = tabular(5, 4)
    const renamed = new Arrow.RecordBatch({
      a: batch.getChild("f0")!.data[0]!,
      b: batch.getChild("f1")!.data[0]!,
      c: batch.getChild("f2")!.data[0]!,
      d: batch.getChild("f3")!.data[0]!
    })
    const options = { inputs: { float_input: ["a", "b", "c", "d"] } }
    const out = await run(request(signature, { "model.onnx": lr }, options), { "model.onnx": lr }, renamed)
    const want = await direct(
      lr,
      "float_input",
      Array.from({ length: 5 }, (_, i) => [0, 1, 2, 3].map((j) => Number(batch.getChild(`f${j}`)!.get(i))))
    )
    expect([...out.outputs.getChild("label")!]).toEqual([...(want["label"]!.data as BigInt64Array)])
  })

  it("treats null inputs as missing (NaN), as tree ensembles expect", async () => {
    const { rows } = tabular(3, 13)
    const columns: Record<string, Arrow.Data> = {}
    for (let j = 0; j < 13; j++) {
      columns[`f${j}`] = Arrow.vectorFromArray(
        rows.map((r, i) => (i === 1 && j === 4 ? null : r[j]!)),
        new Arrow.Float64()
      ).data[0]!
    }
    const out = await run(
      request(gbdtSignature, { "model.onnx": gbdt }),
      { "model.onnx": gbdt },
      new Arrow.RecordBatch(columns)
    )
    const withNaN = rows.map((r, i) => r.map((v, j) => (i === 1 && j === 4 ? Number.NaN : v)))
    const want = await direct(gbdt, "input", withNaN)
    expect([...out.outputs.getChild("label")!]).toEqual([...(want["label"]!.data as BigInt64Array)])
  })

  it.each([
    ["no .onnx artifact", gbdtSignature, {}, {}, "has no .onnx artifact"],
    [
      "a missing model artifact",
      gbdtSignature,
      { "model.onnx": gbdt },
      { model: "other.onnx" },
      'the model artifact "other.onnx" is not among'
    ],
    [
      "a ZipMap output",
      Signature.signature(
        [Signature.feature("a", "DOUBLE"), Signature.feature("b", "DOUBLE")],
        [Signature.feature("label", "INT64"), Signature.feature("output_probability", "OBJECT")]
      ),
      { "model.onnx": OnnxModels.withZipMap() },
      {},
      "zipmap"
    ],
    [
      "too few numeric features for the input",
      Signature.signature(features13.slice(0, 12), gbdtSignature.outputs),
      { "model.onnx": gbdt },
      {},
      "takes 13 values per row but 12 feature(s)"
    ],
    [
      "a string feature for a float input",
      Signature.signature(
        [...features13.slice(0, 12), Signature.feature("f12", "STRING")],
        gbdtSignature.outputs
      ),
      { "model.onnx": gbdt },
      {},
      '"f12" left out because not a scalar number'
    ],
    [
      "a string feature bound to a float input",
      Signature.signature(
        [...features13.slice(0, 12), Signature.feature("f12", "STRING")],
        gbdtSignature.outputs
      ),
      { "model.onnx": gbdt },
      { inputs: { input: features13.map((f) => f.name) } },
      'the feature "f12" is not a scalar number'
    ],
    [
      "an output shape that does not fit",
      Signature.signature(features13, [
        Signature.feature("label", "INT64"),
        Signature.feature("probabilities", "FLOAT", { shape: [2, 2] })
      ]),
      { "model.onnx": gbdt },
      {},
      'has shape [batch, 3] but the output "probabilities" has shape [2, 2]'
    ],
    [
      "an output with no ONNX counterpart",
      Signature.signature(features13, [Signature.feature("score", "DOUBLE")]),
      { "model.onnx": gbdt },
      {},
      'no ONNX output for the output "score"'
    ],
    [
      "a struct field with no ONNX output",
      Signature.signature(features13, [Signature.group("prediction", [Signature.feature("class", "INT64")])]),
      { "model.onnx": gbdt },
      {},
      'no ONNX output for the field "class" of the output "prediction"'
    ],
    [
      "a list of structs",
      Signature.signature(features13, [
        Signature.group("prediction", [Signature.feature("label", "INT64")], { shape: [-1] })
      ]),
      { "model.onnx": gbdt },
      {},
      "only an unshaped struct"
    ],
    ["an unknown option", gbdtSignature, { "model.onnx": gbdt }, { treads: 2 }, "treads"],
    [
      "bytes that are not ONNX",
      gbdtSignature,
      { "model.onnx": new TextEncoder().encode("not a model") },
      {},
      "onnxruntime cannot load the graph"
    ]
  ])("refuses %s at plan time", async (_name, signature, artifacts, options, fragment) => {
    const result = await prepare(request(signature, artifacts, options), artifacts)
    expect(result._tag).toBe("Failure")
    if (result._tag === "Failure") {
      expect(result.failure._tag).toBe("EnginePrepareError")
      expect(result.failure.message.toLowerCase()).toContain(fragment.toLowerCase())
    }
  })

  it("preprocesses images with sharp: size, channel order, scale, mean and std", async () => {
    const model = OnnxModels.channelMeans({ height: 4, width: 4 })
    const red = await sharp({
      create: { width: 10, height: 6, channels: 3, background: { r: 255, g: 0, b: 51 } }
    })
      .png()
      .toBuffer()
    const signature = Signature.signature(
      [Signature.feature("image", "BYTES")],
      [Signature.feature("means", "FLOAT", { shape: [3] })]
    )
    const batch = new Arrow.RecordBatch({
      image: Arrow.vectorFromArray([new Uint8Array(red), null], new Arrow.Binary()).data[0]!
    })
    const rgb = await run(
      request(
        signature,
        { "m.onnx": model },
        { image: { feature: "image", height: 4, width: 4, scale: 1 / 255, mean: [0.5], std: [0.5] } }
      ),
      { "m.onnx": model },
      batch
    )
    expect(
      Array.from(rgb.outputs.getChild("means")!.get(0) as Float32Array).map((v) => Math.round(v * 100) / 100)
    ).toEqual([1, -1, -0.6])
    const bgr = await run(
      request(
        signature,
        { "m.onnx": model },
        { image: { feature: "image", height: 4, width: 4, channels: "bgr" } }
      ),
      { "m.onnx": model },
      batch
    )
    expect(Array.from(bgr.outputs.getChild("means")!.get(0) as Float32Array)).toEqual([51, 0, 255])
    const broken = new Arrow.RecordBatch({
      image: Arrow.vectorFromArray([new Uint8Array([1, 2, 3])], new Arrow.Binary()).data[0]!
    })
    const failed = await run(
      request(signature, { "m.onnx": model }, { image: { feature: "image", height: 4, width: 4 } }),
      { "m.onnx": model },
      broken
    )
    expect(failed.rowErrors).toEqual([
      { row: 0, message: expect.stringContaining("the image cannot be decoded") }
    ])
    expect(failed.outputs.getChild("means")!.get(0)).toBeNull()
  })

  it("reads text lines with PP-OCRv4 recognition and CTC decoding", async () => {
    const artifacts = TextLines.recognitionModel()
    const texts = ["batch inference", "HELLO WORLD 2026", "runbatch 42", "Snowflake"]
    const images = await Promise.all(texts.map((t) => TextLines.render(t)))
    const signature = Signature.signature(
      [Signature.feature("image", "BYTES")],
      [Signature.feature("text", "STRING")]
    )
    const options = TextLines.recognitionOptions
    const batch = new Arrow.RecordBatch({
      image: Arrow.vectorFromArray(
        images.map((b) => new Uint8Array(b)),
        new Arrow.Binary()
      ).data[0]!
    })
    const out = await run(request(signature, artifacts, options), artifacts, batch)
    expect([...out.outputs.getChild("text")!].map((t) => String(t).trim())).toEqual(texts)
  })
})
