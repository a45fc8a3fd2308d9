/**
 * PP-OCRv4 text detection, the real model the issue could not run: its output is a probability map
 * `[N, 1, h, w]`, written as lists nested four deep (`shape: [1, -1, -1]`), equal to what onnxruntime
 * returns for the same input tensor, and high only where there is text.
 */
import { describe, expect, it } from "@effect/vitest"
import { Arrow } from "@runbatch/plugin-api"
import { Signature } from "@runbatch/spec"
import { TextLines } from "@runbatch/testkit"
import * as ort from "onnxruntime-node"
import sharp from "sharp"
import { request, run } from "./support.ts"

const { height, width, scale, mean, std } = TextLines.detectionOptions.image

/** The input tensor the options describe, made here with sharp for the reference. */
const tensorOf = async (png: Uint8Array) => {
  const { data } = await sharp(png)
    .removeAlpha()
    .resize(width, height, { fit: "fill" })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const plane = width * height
  const values = new Float32Array(3 * plane)
  for (let p = 0; p < plane; p++)
    for (let c = 0; c < 3; c++) values[c * plane + p] = (data[p * 3 + c]! * scale - mean[c]!) / std[c]!
  return new ort.Tensor("float32", values, [1, 3, height, width])
}

const blank = async () =>
  new Uint8Array(
    await sharp({ create: { width: 200, height: 48, channels: 3, background: "white" } })
      .png()
      .toBuffer()
  )

describe("PP-OCRv4 detection", () => {
  it("writes each image's probability map as [1][h][w] nested lists, as onnxruntime returns it", async () => {
    const artifacts = TextLines.detectionModel()
    const images = [await TextLines.render("runbatch reads text"), await blank()]
    const signature = Signature.signature(
      [Signature.feature("image", "BYTES")],
      [Signature.feature("maps", "FLOAT", { shape: [1, -1, -1] })]
    )
    const out = await run(
      request(signature, artifacts, TextLines.detectionOptions),
      artifacts,
      new Arrow.RecordBatch({ image: Arrow.vectorFromArray(images, new Arrow.Binary()).data[0]! })
    )
    const maps = [...out.outputs.getChild("maps")!].map((cell) =>
      [...(cell as Iterable<Iterable<Iterable<number>>>)].map((channel) =>
        [...channel].map((row) => Array.from(row))
      )
    )
    const session = await ort.InferenceSession.create(artifacts["det.onnx"]!)
    try {
      for (const [i, image] of images.entries()) {
        const expected = (await session.run({ x: await tensorOf(image) }))["sigmoid_0.tmp_0"]!
        expect(expected.dims).toEqual([1, 1, height, width])
        expect(maps[i]).toHaveLength(1)
        expect(maps[i]![0]).toHaveLength(height)
        const got = maps[i]![0]!.flat()
        const want = Array.from(expected.data as Float32Array)
        expect(Math.max(...got.map((v, k) => Math.abs(v - want[k]!)))).toBeLessThan(1e-4)
      }
    } finally {
      await session.release()
    }
    // Text is found where it was drawn, and nowhere on a blank page.
    expect(Math.max(...maps[0]![0]!.flat())).toBeGreaterThan(0.9)
    expect(Math.max(...maps[1]![0]!.flat())).toBeLessThan(0.1)
  })
})
