/**
 * Image preprocessing beyond colour: `channels: gray` feeds a 1-channel model (MNIST's form) the
 * image's luminance, and `kernel` picks sharp's resize kernel — `nearest` copies pixels exactly,
 * the default `lanczos3` blends them.
 */
import { describe, expect, it } from "@effect/vitest"
import { Arrow } from "@runbatch/plugin-api"
import { Signature } from "@runbatch/spec"
import sharp from "sharp"
import { request, run } from "./support.ts"
import * as TestModels from "./TestModels.ts"

/** A PNG of gray pixels (r = g = b = `values[y * width + x]`). */
const grayPng = async (width: number, height: number, values: ReadonlyArray<number>) =>
  new Uint8Array(
    await sharp(Buffer.from(values.flatMap((v) => [v, v, v])), { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer()
  )

const images = (pngs: ReadonlyArray<Uint8Array>) =>
  new Arrow.RecordBatch({ image: Arrow.vectorFromArray([...pngs], new Arrow.Binary()).data[0]! })

describe("image preprocessing", () => {
  it("feeds a [N, 1, 8, 8] model one gray channel: the sum and mean of the image's pixels", async () => {
    const model = TestModels.grayImage()
    const pixels = Array.from({ length: 64 }, (_, i) => (i * 37) % 256)
    const signature = Signature.signature(
      [Signature.feature("image", "BYTES")],
      [Signature.feature("sum", "FLOAT"), Signature.feature("mean", "FLOAT")]
    )
    const out = await run(
      request(
        signature,
        { "model.onnx": model },
        { image: { feature: "image", height: 8, width: 8, channels: "gray" } }
      ),
      { "model.onnx": model },
      images([
        await grayPng(8, 8, pixels),
        await grayPng(
          8,
          8,
          pixels.map((v) => 255 - v)
        )
      ])
    )
    const sum = pixels.reduce((a, b) => a + b, 0)
    expect([...out.outputs.getChild("sum")!]).toEqual([sum, 64 * 255 - sum])
    expect(Number(out.outputs.getChild("mean")!.get(0))).toBeCloseTo(sum / 64, 4)
  })

  it("feeds a model exported with a fixed batch of one ([1, 1, 8, 8]) one image per call", async () => {
    const model = TestModels.grayImage(1)
    const pixels = Array.from({ length: 64 }, (_, i) => (i * 37) % 256)
    const signature = Signature.signature(
      [Signature.feature("image", "BYTES")],
      [Signature.feature("sum", "FLOAT"), Signature.feature("mean", "FLOAT")]
    )
    const image = { feature: "image", height: 8, width: 8, channels: "gray" }
    const out = await run(
      request(signature, { "model.onnx": model }, { image }),
      { "model.onnx": model },
      images([
        await grayPng(8, 8, pixels),
        new Uint8Array([1, 2, 3]),
        await grayPng(
          8,
          8,
          pixels.map((v) => 255 - v)
        )
      ])
    )
    const sum = pixels.reduce((a, b) => a + b, 0)
    expect([...out.outputs.getChild("sum")!]).toEqual([sum, null, 64 * 255 - sum])
    expect(out.rowErrors).toEqual([{ row: 1, message: expect.stringContaining("cannot be decoded") }])
  })

  it("resizes with the kernel the options name: nearest repeats each pixel, lanczos3 blends", async () => {
    const model = TestModels.grayIdentity()
    const signature = Signature.signature(
      [Signature.feature("image", "BYTES")],
      [Signature.feature("same", "FLOAT", { shape: [1, 4, 4] })]
    )
    const batch = images([await grayPng(2, 2, [0, 200, 100, 50])])
    const resized = async (kernel?: string) => {
      const image = { feature: "image", height: 4, width: 4, channels: "gray", ...(kernel ? { kernel } : {}) }
      const out = await run(
        request(signature, { "model.onnx": model }, { image }),
        { "model.onnx": model },
        batch
      )
      const [channel] = [...out.outputs.getChild("same")!] as Array<Iterable<Iterable<Iterable<number>>>>
      return [...[...channel!][0]!].map((row) => Array.from(row))
    }
    expect(await resized("nearest")).toEqual([
      [0, 0, 200, 200],
      [0, 0, 200, 200],
      [100, 100, 50, 50],
      [100, 100, 50, 50]
    ])
    expect(await resized()).not.toEqual(await resized("nearest"))
  })
})
