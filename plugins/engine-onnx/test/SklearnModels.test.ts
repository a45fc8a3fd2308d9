/**
 * The real-model scenarios: a scikit-learn-style random forest (TreeEnsembleRegressor and
 * TreeEnsembleClassifier) and a linear regression, scored by the engine and compared on every row
 * with onnxruntime called directly AND with a plain JS evaluation of the model's own parameters —
 * trees walked, weights multiplied — an oracle that shares nothing with the engine's runtime.
 */
import { describe, expect, it } from "@effect/vitest"
import { Arrow } from "@runbatch/plugin-api"
import { Signature } from "@runbatch/spec"
import { OnnxModels, OnnxReference } from "@runbatch/testkit"
import * as SklearnModels from "./SklearnModels.ts"
import { request, run } from "./support.ts"

const ROWS = 3000
const FEATURES = 6

/** Rows of numbers in [0, 10), one in 50 of them with a missing value (null in, NaN to the model). */
const data = (seed: number) => {
  const next = OnnxModels.random(seed)
  const rows = Array.from({ length: ROWS }, (_, i) =>
    Array.from({ length: FEATURES }, (_, j) =>
      i % 50 === 7 && j === i % FEATURES ? Number.NaN : Math.round(next() * 1000) / 100
    )
  )
  const columns: Record<string, Arrow.Data> = {}
  for (let j = 0; j < FEATURES; j++)
    columns[`x${j}`] = Arrow.vectorFromArray(
      rows.map((r) => (Number.isNaN(r[j]!) ? null : r[j]!)),
      new Arrow.Float64()
    ).data[0]!
  return { rows, batch: new Arrow.RecordBatch(columns) }
}

const inputs = Array.from({ length: FEATURES }, (_, j) => Signature.feature(`x${j}`, "DOUBLE"))

/** The leaf a row reaches: `x <= threshold` goes left, in float32 as the graph holds both (NaN right). */
const leafOf = (nodes: ReadonlyArray<SklearnModels.TreeNode>, row: ReadonlyArray<number>) => {
  let node = nodes[0]!
  while (node.left !== -1)
    node = nodes[Math.fround(row[node.feature]!) <= node.threshold ? node.left : node.right]!
  return node
}

/** Equal to float32 rounding of a sum whose terms add up to `scale` in magnitude. */
const expectClose = (got: number, want: number, scale = Math.abs(want)) =>
  expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, scale) * 8)

describe("scikit-learn-style models, against onnxruntime and against their own parameters", () => {
  it("scores a random-forest regressor (TreeEnsembleRegressor, AVERAGE) on every row", async () => {
    const model = SklearnModels.forest({ kind: "regressor" })
    const { rows, batch } = data(41)
    const signature = Signature.signature(inputs, [Signature.feature("variable", "DOUBLE")])
    const out = await run(
      request(signature, { "model.onnx": model.bytes }),
      { "model.onnx": model.bytes },
      batch
    )
    const got = [...out.outputs.getChild("variable")!] as Array<number>
    const direct = Array.from(
      (await OnnxReference.run(model.bytes, "X", rows))["variable"]!.data as Float32Array
    )
    const walked = rows.map(
      (row) => model.trees.reduce((sum, nodes) => sum + leafOf(nodes, row).values[0]!, 0) / model.trees.length
    )
    expect(got).toHaveLength(ROWS)
    for (let i = 0; i < ROWS; i++) {
      expectClose(got[i]!, direct[i]!)
      expectClose(got[i]!, walked[i]!)
    }
  })

  it("scores a random-forest classifier (TreeEnsembleClassifier): labels equal, probabilities close", async () => {
    const model = SklearnModels.forest({ kind: "classifier", classes: 3, seed: 7 })
    const { rows, batch } = data(43)
    const signature = Signature.signature(inputs, [
      Signature.feature("label", "INT64"),
      Signature.feature("probabilities", "FLOAT", { shape: [3] })
    ])
    const out = await run(
      request(signature, { "model.onnx": model.bytes }),
      { "model.onnx": model.bytes },
      batch
    )
    const labels = [...out.outputs.getChild("label")!].map(Number)
    const probabilities = [...out.outputs.getChild("probabilities")!].map((p) =>
      Array.from(p as Float32Array)
    )
    const direct = await OnnxReference.run(model.bytes, "X", rows)
    const directLabels = Array.from(direct["label"]!.data as BigInt64Array, Number)
    const directProbabilities = direct["probabilities"]!.data as Float32Array
    for (let i = 0; i < ROWS; i++) {
      // The oracle: each tree's leaf weights summed per class, the label the largest.
      const summed = [0, 0, 0]
      for (const nodes of model.trees)
        for (const [k, w] of leafOf(nodes, rows[i]!).values.entries()) summed[k]! += w
      const best = summed.indexOf(Math.max(...summed))
      expect(labels[i]).toBe(directLabels[i])
      expect(labels[i]).toBe(best)
      for (let k = 0; k < 3; k++) {
        expectClose(probabilities[i]![k]!, directProbabilities[i * 3 + k]!)
        expectClose(probabilities[i]![k]!, summed[k]!)
      }
    }
  })

  it("scores a linear regression (LinearRegressor): w·x + b on every row, NaN where a value is missing", async () => {
    const model = SklearnModels.linear()
    const { rows, batch } = data(47)
    const signature = Signature.signature(inputs, [Signature.feature("variable", "DOUBLE")])
    const out = await run(
      request(signature, { "model.onnx": model.bytes }),
      { "model.onnx": model.bytes },
      batch
    )
    const got = [...out.outputs.getChild("variable")!] as Array<number>
    const direct = Array.from(
      (await OnnxReference.run(model.bytes, "X", rows))["variable"]!.data as Float32Array
    )
    for (let i = 0; i < ROWS; i++) {
      const terms = rows[i]!.map((x, j) => Math.fround(x) * model.coefficients[j]!)
      const multiplied = terms.reduce((a, b) => a + b, model.intercept)
      if (Number.isNaN(multiplied)) {
        expect(got[i]).toBeNaN()
        expect(direct[i]).toBeNaN()
        continue
      }
      const scale = terms.reduce((a, b) => a + Math.abs(b), Math.abs(model.intercept))
      expectClose(got[i]!, direct[i]!, scale)
      expectClose(got[i]!, multiplied, scale)
    }
  })
})
