/**
 * Small ONNX graphs built for the engine's tests (OnnxGraph, no file downloaded), each shaped like a
 * real model a user brought: an output of several dimensions per row, a 1-channel image model, a
 * scalar input, an input whose batch dimension is not the first, and a model with recurrent state.
 */
import { OnnxGraph } from "@runbatch/testkit"

const { FLOAT, INT64, model, node, value, int64s, floats } = OnnxGraph

/** `x [batch, product(dims)]` reshaped to `[batch, ...dims]` (declared with the names in `declared`). */
export const reshape = (dims: ReadonlyArray<number>, declared: ReadonlyArray<number | string> = dims) =>
  model({
    inputs: [value("x", FLOAT, ["batch", dims.reduce((a, b) => a * b, 1)])],
    outputs: [value("grid", FLOAT, ["batch", ...declared])],
    initializers: [int64s("shape", [dims.length + 1], [-1, ...dims])],
    nodes: [node("Reshape", ["x", "shape"], ["grid"])]
  })

/**
 * PP-OCR detection's form: `image [batch, 3, h, w]` to a probability map `[batch, 1, h, w]` (the
 * sigmoid of the channels' mean), h and w symbolic.
 */
export const probabilityMap = () =>
  model({
    inputs: [value("image", FLOAT, ["batch", 3, "height", "width"])],
    outputs: [value("maps", FLOAT, ["batch", 1, "height", "width"])],
    nodes: [
      node(
        "ReduceMean",
        ["image"],
        ["mean"],
        [
          { name: "axes", ints: [1] },
          { name: "keepdims", i: 1 }
        ]
      ),
      node("Sigmoid", ["mean"], ["maps"])
    ]
  })

/**
 * MNIST's form: `[batch, 1, 8, 8]` gray pixels, their sum and mean out (`sum`, `mean`, `[batch]`);
 * `batch: 1` as a tutorial's torch.onnx.export without dynamic_axes leaves it.
 */
export const grayImage = (batch: number | string = "batch") =>
  model({
    inputs: [value("pixels", FLOAT, [batch, 1, 8, 8])],
    outputs: [value("sum", FLOAT, [batch]), value("mean", FLOAT, [batch])],
    nodes: [
      node("ReduceSum", ["pixels", "axes"], ["sum"], [{ name: "keepdims", i: 0 }]),
      node(
        "ReduceMean",
        ["pixels"],
        ["mean"],
        [
          { name: "axes", ints: [1, 2, 3] },
          { name: "keepdims", i: 0 }
        ]
      )
    ],
    initializers: [int64s("axes", [3], [1, 2, 3])]
  })

/** `x [batch, 3]` scaled by a scalar input `factor []`: `y = x * factor`. */
export const scalarFactor = () =>
  model({
    inputs: [value("x", FLOAT, ["batch", 3]), value("factor", FLOAT, [])],
    outputs: [value("y", FLOAT, ["batch", 3])],
    nodes: [node("Mul", ["x", "factor"], ["y"])]
  })

/** A sequence model's form: `x [4, batch]` (time first), its sum over time out as `total [batch]`. */
export const timeFirst = () =>
  model({
    inputs: [value("x", FLOAT, [4, "batch"])],
    outputs: [value("total", FLOAT, ["batch"])],
    nodes: [node("ReduceSum", ["x", "axes"], ["total"], [{ name: "keepdims", i: 0 }])],
    initializers: [int64s("axes", [1], [0])]
  })

/**
 * Silero VAD's form: audio `input [batch, 4]`, a recurrent `state [2, batch, 3]` carried from one
 * call to the next, and a scalar sample rate `sr`; out come `output [batch, 1]` and `stateN`.
 */
export const recurrentState = () =>
  model({
    inputs: [
      value("input", FLOAT, ["batch", 4]),
      value("state", FLOAT, [2, "batch", 3]),
      value("sr", INT64, [])
    ],
    outputs: [value("output", FLOAT, ["batch", 1]), value("stateN", FLOAT, [2, "batch", 3])],
    initializers: [floats("w", [4, 1], [0.1, 0.2, 0.3, 0.4])],
    nodes: [node("MatMul", ["input", "w"], ["output"]), node("Identity", ["state"], ["stateN"])]
  })

/** The image tensor itself, `[batch, 1, 4, 4]` in and out: what preprocessing fed the graph. */
export const grayIdentity = () =>
  model({
    inputs: [value("pixels", FLOAT, ["batch", 1, 4, 4])],
    outputs: [value("same", FLOAT, ["batch", 1, 4, 4])],
    nodes: [node("Identity", ["pixels"], ["same"])]
  })

/** A graph exported without a dynamic batch: `x [rows, 3]` doubled, `rows` fixed. */
export const fixedBatch = (rows = 1) =>
  model({
    inputs: [value("x", FLOAT, [rows, 3])],
    outputs: [value("y", FLOAT, [rows, 3])],
    nodes: [node("Add", ["x", "x"], ["y"])]
  })

/** A linear scorer as some exporters declare it: `x [-1, 3]` (-1 for "any"), `y = x · [1, 2, 3]`. */
export const unknownBatch = () =>
  model({
    inputs: [value("x", FLOAT, [-1, 3])],
    outputs: [value("y", FLOAT, [-1, 1])],
    initializers: [floats("w", [3, 1], [1, 2, 3])],
    nodes: [node("MatMul", ["x", "w"], ["y"])]
  })

/** A sequence model exported with a batch of one: `x [1, seq, 2]`, its sum out as `total [1]`. */
export const fixedBatchSequence = () =>
  model({
    inputs: [value("x", FLOAT, [1, "seq", 2])],
    outputs: [value("total", FLOAT, [1])],
    nodes: [node("ReduceSum", ["x", "axes"], ["total"], [{ name: "keepdims", i: 0 }])],
    initializers: [int64s("axes", [2], [1, 2])]
  })

/** `x [seq, batch]` with both sizes open, summed over `seq`: only `batch_axis` can say which is which. */
export const openSequence = () =>
  model({
    inputs: [value("x", FLOAT, ["seq", "batch"])],
    outputs: [value("total", FLOAT, ["batch"])],
    nodes: [node("ReduceSum", ["x", "axes"], ["total"], [{ name: "keepdims", i: 0 }])],
    initializers: [int64s("axes", [1], [0])]
  })
