/**
 * Outputs of several dimensions per row — an [N, 2, 3] grid, a PP-OCR-detection-like [N, 1, h, w]
 * probability map — come out as list columns nested as deep as the row's shape, equal to what
 * onnxruntime returns, and survive Arrow IPC (what the committer hands to parquet).
 */
import { describe, expect, it } from "@effect/vitest"
import { Arrow } from "@runbatch/plugin-api"
import { Signature } from "@runbatch/spec"
import * as ort from "onnxruntime-node"
import { prepare, request, run } from "./support.ts"
import * as TestModels from "./TestModels.ts"

/** A nested list cell as plain nested arrays of numbers. */
const plain = (cell: unknown): unknown =>
  cell instanceof Arrow.Vector
    ? [...cell].map(plain)
    : ArrayBuffer.isView(cell)
      ? Array.from(cell as Float32Array)
      : cell

/** `flat` (row-major) as `rows` nested arrays of `dims`. */
const nest = (flat: ArrayLike<number>, dims: ReadonlyArray<number>): Array<unknown> => {
  const [first, ...rest] = dims
  const size = rest.reduce((a, b) => a * b, 1)
  return Array.from({ length: first! }, (_, i) =>
    rest.length === 0 ? flat[i] : nest(Array.from(flat).slice(i * size, (i + 1) * size), rest)
  )
}

const direct = async (model: Uint8Array, feeds: Record<string, ort.Tensor>) => {
  const session = await ort.InferenceSession.create(model)
  try {
    return await session.run(feeds)
  } finally {
    await session.release()
  }
}

const floatColumn = (rows: number, width: number, seed = 1) => {
  const values = Float32Array.from({ length: rows * width }, (_, i) => ((i * 7 + seed) % 23) / 4)
  const cells = Array.from({ length: rows }, (_, r) =>
    Array.from(values.subarray(r * width, (r + 1) * width))
  )
  return { values, cells }
}

describe("multi-dimensional outputs", () => {
  it("writes an [N, 2, 3] output with signature shape [2, 3] as lists of lists, as onnxruntime returns it", async () => {
    const model = TestModels.reshape([2, 3])
    const signature = Signature.signature(
      [Signature.feature("x", "FLOAT", { shape: [6] })],
      [Signature.feature("grid", "FLOAT", { shape: [2, 3] })]
    )
    const { values, cells } = floatColumn(5, 6)
    const batch = new Arrow.RecordBatch({
      x: Arrow.vectorFromArray(cells, new Arrow.List(new Arrow.Field("item", new Arrow.Float32(), true)))
        .data[0]!
    })
    const out = await run(request(signature, { "model.onnx": model }), { "model.onnx": model }, batch)
    const expected = await direct(model, { x: new ort.Tensor("float32", values, [5, 6]) })
    const grid = out.outputs.getChild("grid")!
    expect([...grid].map(plain)).toEqual(nest(expected["grid"]!.data as Float32Array, [5, 2, 3]))
    // What the committer does with it: Arrow IPC into parquet-wasm, and back.
    const table = Arrow.tableFromIPC(Arrow.tableToIPC(new Arrow.Table(out.outputs)))
    expect([...table.getChild("grid")!].map(plain)).toEqual([...grid].map(plain))
  })

  it("writes a 4-D probability map (shape [1, -1, -1], sizes the graph decides) nested four deep", async () => {
    const model = TestModels.probabilityMap()
    const signature = Signature.signature(
      [Signature.feature("image", "FLOAT", { shape: [3, -1, -1] })],
      [Signature.feature("maps", "FLOAT", { shape: [1, -1, -1] })]
    )
    const { values } = floatColumn(2, 3 * 4 * 5)
    const image = nest(values, [2, 3, 4, 5]) as Array<Array<Array<Array<number>>>>
    const item = (type: Arrow.DataType) => new Arrow.List(new Arrow.Field("item", type, true))
    const batch = new Arrow.RecordBatch({
      image: Arrow.vectorFromArray(image, item(item(item(new Arrow.Float32())))).data[0]!
    })
    const out = await run(request(signature, { "model.onnx": model }), { "model.onnx": model }, batch)
    const expected = await direct(model, { image: new ort.Tensor("float32", values, [2, 3, 4, 5]) })
    expect([...out.outputs.getChild("maps")!].map(plain)).toEqual(
      nest(expected["maps"]!.data as Float32Array, [2, 1, 4, 5])
    )
  })

  it("refuses, at plan time, an output whose fixed sizes are not the signature's", async () => {
    const model = TestModels.reshape([2, 3])
    const signature = Signature.signature(
      [Signature.feature("x", "FLOAT", { shape: [6] })],
      [Signature.feature("grid", "FLOAT", { shape: [3, 2] })]
    )
    const result = await prepare(request(signature, { "model.onnx": model }), { "model.onnx": model })
    expect(result._tag).toBe("Failure")
    if (result._tag === "Failure")
      expect(result.failure.message).toContain(
        'the ONNX output "grid" has shape [batch, 2, 3] but the output "grid" has shape [3, 2]'
      )
  })

  it("fails the batch, naming the output, when the graph's sizes at run time contradict the signature", async () => {
    // The map is [batch, 1, h, w] with h and w symbolic: only run time shows these rows are 4 × 5.
    const model = TestModels.probabilityMap()
    const signature = Signature.signature(
      [Signature.feature("image", "FLOAT", { shape: [3, -1, -1] })],
      [Signature.feature("maps", "FLOAT", { shape: [1, 4, 4] })]
    )
    const image = nest(floatColumn(1, 3 * 4 * 5).values, [1, 3, 4, 5])
    const item = (type: Arrow.DataType) => new Arrow.List(new Arrow.Field("item", type, true))
    const batch = new Arrow.RecordBatch({
      image: Arrow.vectorFromArray(image, item(item(item(new Arrow.Float32())))).data[0]!
    })
    await expect(
      run(request(signature, { "model.onnx": model }), { "model.onnx": model }, batch)
    ).rejects.toThrow(
      /"maps" has 5 values in dimension 3 per row, and the output's shape \[1, 4, 4\] fixes 4/
    )
  })
})
