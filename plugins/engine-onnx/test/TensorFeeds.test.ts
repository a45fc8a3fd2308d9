/**
 * Inputs real models have beyond `[batch, n]`: a scalar input fed from a param (one value per call),
 * an input whose rows are not its first dimension (`[time, batch]`), and Silero VAD's form scored row
 * by row from a state each row gives — each compared with onnxruntime called directly.
 */
import { describe, expect, it } from "@effect/vitest"
import { Arrow } from "@runbatch/plugin-api"
import { Signature } from "@runbatch/spec"
import * as ort from "onnxruntime-node"
import { request, run } from "./support.ts"
import * as TestModels from "./TestModels.ts"

const direct = async (model: Uint8Array, feeds: Record<string, ort.Tensor>) => {
  const session = await ort.InferenceSession.create(model)
  try {
    return await session.run(feeds)
  } finally {
    await session.release()
  }
}

const listOf = (type: Arrow.DataType) => new Arrow.List(new Arrow.Field("item", type, true))
const floatLists = (cells: ReadonlyArray<ReadonlyArray<number>>) =>
  Arrow.vectorFromArray(cells, listOf(new Arrow.Float32())).data[0]!

describe("inputs beyond [batch, n]", () => {
  it("feeds a scalar input (declared []) from the signature's param of its name", async () => {
    const model = TestModels.scalarFactor()
    const signature = Signature.signature(
      [Signature.feature("x", "FLOAT", { shape: [3] })],
      [Signature.feature("y", "FLOAT", { shape: [3] })],
      [Signature.param("factor", "FLOAT", 1)]
    )
    const xs = [
      [1, 2, 3],
      [4, 5, 6]
    ]
    const req = { ...request(signature, { "model.onnx": model }), params: { factor: 2.5 } }
    const out = await run(req, { "model.onnx": model }, new Arrow.RecordBatch({ x: floatLists(xs) }))
    const expected = await direct(model, {
      x: new ort.Tensor("float32", Float32Array.from(xs.flat()), [2, 3]),
      factor: new ort.Tensor("float32", Float32Array.from([2.5]), [])
    })
    const got = [...out.outputs.getChild("y")!].flatMap((cell) => Array.from(cell as Iterable<number>))
    expect(got).toEqual(Array.from(expected["y"]!.data as Float32Array))
    expect(got).toEqual([2.5, 5, 7.5, 10, 12.5, 15])
  })

  it("feeds an input whose rows are its second dimension ([4, batch]), found by its symbolic size", async () => {
    const model = TestModels.timeFirst()
    const signature = Signature.signature(
      [Signature.feature("x", "FLOAT", { shape: [4] })],
      [Signature.feature("total", "FLOAT")]
    )
    const xs = [
      [1, 2, 3, 4],
      [10, 20, 30, 40],
      [0.5, 0, 0, 0]
    ]
    const out = await run(
      request(signature, { "model.onnx": model }),
      { "model.onnx": model },
      new Arrow.RecordBatch({ x: floatLists(xs) })
    )
    // Time first: column t of the rows is row t of the tensor.
    const timeMajor = Float32Array.from({ length: 12 }, (_, i) => xs[i % 3]![Math.floor(i / 3)]!)
    const expected = await direct(model, { x: new ort.Tensor("float32", timeMajor, [4, 3]) })
    expect([...out.outputs.getChild("total")!]).toEqual(Array.from(expected["total"]!.data as Float32Array))
    expect([...out.outputs.getChild("total")!]).toEqual([10, 100, 0.5])
  })

  it("feeds scalar features as the columns of a time-first input ([4, batch]) and a [-1, 3] one", async () => {
    const columns = (n: number) =>
      Object.fromEntries(
        Array.from({ length: n }, (_, j) => [
          `f${j}`,
          Arrow.vectorFromArray([j + 1, 10 * (j + 1)], new Arrow.Float64()).data[0]!
        ])
      )
    const features = (n: number) => Array.from({ length: n }, (_, j) => Signature.feature(`f${j}`, "DOUBLE"))
    const time = TestModels.timeFirst()
    const totals = await run(
      request(Signature.signature(features(4), [Signature.feature("total", "FLOAT")]), {
        "model.onnx": time
      }),
      { "model.onnx": time },
      new Arrow.RecordBatch(columns(4))
    )
    expect([...totals.outputs.getChild("total")!]).toEqual([10, 100])
    const linear = TestModels.unknownBatch()
    const scores = await run(
      request(Signature.signature(features(3), [Signature.feature("y", "FLOAT")]), { "model.onnx": linear }),
      { "model.onnx": linear },
      new Arrow.RecordBatch(columns(3))
    )
    expect([...scores.outputs.getChild("y")!]).toEqual([14, 140])
  })

  it("runs a graph exported with a fixed batch of one ([1, 3]) one row per call, rows in order", async () => {
    const model = TestModels.fixedBatch(1)
    const signature = Signature.signature(
      [Signature.feature("x", "FLOAT", { shape: [3] })],
      [Signature.feature("y", "FLOAT", { shape: [3] })]
    )
    const xs = Array.from({ length: 5 }, (_, i) => [i, i + 0.5, -i])
    const out = await run(
      request(signature, { "model.onnx": model }),
      { "model.onnx": model },
      new Arrow.RecordBatch({ x: floatLists(xs) })
    )
    const got = [...out.outputs.getChild("y")!].map((cell) => Array.from(cell as Iterable<number>))
    const expected = await Promise.all(
      xs.map(async (x) =>
        Array.from(
          (await direct(model, { x: new ort.Tensor("float32", Float32Array.from(x), [1, 3]) }))["y"]!
            .data as Float32Array
        )
      )
    )
    expect(got).toEqual(expected)
    expect(got[3]).toEqual([6, 7, -6])
  })

  it("runs a sequence model of a fixed batch of one ([1, seq, 2]) row by row, each row its own length", async () => {
    const model = TestModels.fixedBatchSequence()
    const signature = Signature.signature(
      [Signature.feature("x", "FLOAT", { shape: [-1, 2] })],
      [Signature.feature("total", "FLOAT")]
    )
    const sequences = [
      [
        [1, 2],
        [3, 4]
      ],
      [[5, 6]]
    ]
    const out = await run(
      request(signature, { "model.onnx": model }),
      { "model.onnx": model },
      new Arrow.RecordBatch({
        x: Arrow.vectorFromArray(sequences, listOf(listOf(new Arrow.Float32()))).data[0]!
      })
    )
    expect([...out.outputs.getChild("total")!]).toEqual([10, 11])
  })

  it("puts the rows where batch_axis says when the graph leaves every size open ([seq, batch])", async () => {
    const model = TestModels.openSequence()
    const signature = Signature.signature(
      [Signature.feature("x", "FLOAT", { shape: [3] })],
      [Signature.feature("total", "FLOAT")]
    )
    const batch = new Arrow.RecordBatch({
      x: floatLists([
        [1, 2, 3],
        [10, 20, 30]
      ])
    })
    const named = await run(
      request(signature, { "model.onnx": model }, { batch_axis: { x: 1, total: 0 } }),
      { "model.onnx": model },
      batch
    )
    expect([...named.outputs.getChild("total")!]).toEqual([6, 60])
    // Guessed, the rows go on the first open size, and the batch fails naming the output.
    await expect(
      run(request(signature, { "model.onnx": model }), { "model.onnx": model }, batch)
    ).rejects.toThrow(/"total" has 3 rows for a batch of 2/)
  })

  it("binds a scalar input to a param of another name with the inputs option", async () => {
    const model = TestModels.scalarFactor()
    const signature = Signature.signature(
      [Signature.feature("x", "FLOAT", { shape: [3] })],
      [Signature.feature("y", "FLOAT", { shape: [3] })],
      [Signature.param("scale", "DOUBLE", 3)]
    )
    const req = request(signature, { "model.onnx": model }, { inputs: { factor: "scale", x: "x" } })
    const out = await run(
      { ...req, params: { scale: 3 } },
      { "model.onnx": model },
      new Arrow.RecordBatch({ x: floatLists([[1, 2, 3]]) })
    )
    expect([...out.outputs.getChild("y")!].map((cell) => Array.from(cell as Iterable<number>))).toEqual([
      [3, 6, 9]
    ])
  })

  it("scores Silero VAD's form row by row from the state each row gives, sr from a param", async () => {
    const model = TestModels.recurrentState()
    const signature = Signature.signature(
      [
        Signature.feature("input", "FLOAT", { shape: [4] }),
        Signature.feature("state", "FLOAT", { shape: [2, 3] })
      ],
      [Signature.feature("output", "FLOAT"), Signature.feature("stateN", "FLOAT", { shape: [2, 3] })],
      [Signature.param("sr", "INT64", 16000)]
    )
    const inputs = [
      [1, 0, 0, 0],
      [0, 1, 1, 0]
    ]
    const states = [
      [
        [1, 2, 3],
        [4, 5, 6]
      ],
      [
        [7, 8, 9],
        [10, 11, 12]
      ]
    ]
    const req = { ...request(signature, { "model.onnx": model }), params: { sr: 16000 } }
    const out = await run(
      req,
      { "model.onnx": model },
      new Arrow.RecordBatch({
        input: floatLists(inputs),
        state: Arrow.vectorFromArray(states, listOf(listOf(new Arrow.Float32()))).data[0]!
      })
    )
    expect([...out.outputs.getChild("output")!].map((v) => Math.round(Number(v) * 1e6) / 1e6)).toEqual([
      0.1, 0.5
    ])
    // The state went in as [2, batch, 3] and comes back out per row as given.
    const stateN = [...out.outputs.getChild("stateN")!].map((cell) =>
      [...(cell as Iterable<Iterable<number>>)].map((row) => Array.from(row))
    )
    expect(stateN).toEqual(states)
  })
})
