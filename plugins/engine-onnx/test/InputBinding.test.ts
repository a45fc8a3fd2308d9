/**
 * Fixed sizes are checked at plan time: an input whose declared channels, image size or per-row shape
 * the signature and options cannot feed is refused by `prepare`, naming the input, its declared shape
 * and what would feed it — before anything is staged or a replica starts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Signature } from "@runbatch/spec"
import { prepare, request } from "./support.ts"
import * as TestModels from "./TestModels.ts"

const refusal = async (
  model: Uint8Array,
  signature: Signature.ModelSignature,
  options: Readonly<Record<string, unknown>> = {}
) => {
  const result = await prepare(request(signature, { "model.onnx": model }, options), { "model.onnx": model })
  expect(result._tag).toBe("Failure")
  if (result._tag !== "Failure") return ""
  expect(result.failure._tag).toBe("EnginePrepareError")
  return result.failure.message
}

const imageIn = [Signature.feature("image", "BYTES")]
const sums = [Signature.feature("sum", "FLOAT"), Signature.feature("mean", "FLOAT")]

describe("fixed dimensions at plan time", () => {
  it("refuses colour images for a 1-channel image model, and says channels: gray feeds it", async () => {
    const message = await refusal(TestModels.grayImage(), Signature.signature(imageIn, sums), {
      image: { feature: "image", height: 8, width: 8 }
    })
    expect(message).toContain('the ONNX input "pixels" is declared [batch, 1, 8, 8] (nchw)')
    expect(message).toContain("1 channel(s) per image, and the image option decodes 3 (channels: rgb)")
    expect(message).toContain("Set image.channels: gray feeds it")
  })

  it("refuses gray images for a 3-channel model, and an image size the graph fixes otherwise", async () => {
    const signature = Signature.signature(imageIn, [
      Signature.feature("maps", "FLOAT", { shape: [1, -1, -1] })
    ])
    const gray = await refusal(TestModels.probabilityMap(), signature, {
      image: { feature: "image", height: 8, width: 8, channels: "gray" }
    })
    expect(gray).toContain("3 channel(s) per image, and the image option decodes 1 (channels: gray)")
    const size = await refusal(TestModels.grayImage(), Signature.signature(imageIn, sums), {
      image: { feature: "image", height: 28, width: 28, channels: "gray" }
    })
    expect(size).toContain("images 8 pixels high, and the image option resizes to height 28")
    expect(size).toContain("Set image.height: 8.")
  })

  it("refuses a feature whose shape does not fit a fixed per-row size, naming the feature that would", async () => {
    const message = await refusal(
      TestModels.reshape([2, 3]),
      Signature.signature(
        [Signature.feature("x", "FLOAT", { shape: [5] })],
        [Signature.feature("grid", "FLOAT", { shape: [2, 3] })]
      )
    )
    expect(message).toContain(
      'the ONNX input "x" is declared [batch, 6] (rows on dimension 0), and the feature "x" has shape [5]'
    )
    expect(message).toContain("A FLOAT feature of shape [6] feeds it")
  })

  it("refuses a graph exported with a fixed batch of several rows, naming the export option that frees it", async () => {
    const signature = Signature.signature(
      [Signature.feature("x", "FLOAT", { shape: [3] })],
      [Signature.feature("y", "FLOAT", { shape: [3] })]
    )
    const message = await refusal(TestModels.fixedBatch(4), signature)
    expect(message).toContain('the ONNX input "x" is declared [4, 3]: every dimension is fixed')
    expect(message).toContain("dynamic_axes")
    const images = await refusal(TestModels.grayImage(2), Signature.signature(imageIn, sums), {
      image: { feature: "image", height: 8, width: 8, channels: "gray" }
    })
    expect(images).toContain("exactly 2 images per call")
  })

  it("refuses recurrent state (Silero VAD's form) as out of scope, and a scalar input nothing feeds", async () => {
    const features = [Signature.feature("input", "FLOAT", { shape: [4] })]
    const outputs = [Signature.feature("output", "FLOAT")]
    const sr = [Signature.param("sr", "INT64", 16000)]
    const state = await refusal(TestModels.recurrentState(), Signature.signature(features, outputs, sr))
    expect(state).toContain(
      'nothing feeds the ONNX input "state" [2, batch, 3], which looks like recurrent state'
    )
    expect(state).toContain("does not carry state from row to row or batch to batch")
    expect(state).toContain(
      'a FLOAT feature of shape [2, 3] feeds it (-1 where the graph leaves the size open): declare a feature "state" so'
    )
    const scalar = await refusal(
      TestModels.recurrentState(),
      Signature.signature([...features, Signature.feature("state", "FLOAT", { shape: [2, 3] })], outputs)
    )
    expect(scalar).toContain('nothing feeds the ONNX input "sr", a scalar (declared [])')
    expect(scalar).toContain('Declare a param "sr" in the signature')
  })
})
