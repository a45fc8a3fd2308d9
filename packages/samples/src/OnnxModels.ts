/**
 * Real ONNX models built in JavaScript (with onnx-proto), for tests and benchmarks — no model is ever
 * downloaded. Weights come from a seeded generator, so a model is the same bytes every time.
 *
 * - `mlp`: a 64 → 256 → 10 multilayer perceptron (Gemm, Relu, Gemm, Softmax), outputs `logits`, `probs`.
 * - `logisticRegression`: ai.onnx.ml LinearClassifier, as sklearn exports one (`zipmap=False`):
 *   outputs `label` (int64) and `probabilities`.
 * - `gbdt`: ai.onnx.ml TreeEnsembleClassifier with 100 trees of depth 6 on 13 features and 3 classes,
 *   the shape of the original's 10-billion-row XGBoost benchmark: outputs `label` and `probabilities`.
 * - `withZipMap`: a classifier whose probabilities go through ZipMap (a sequence of maps), which
 *   onnxruntime-node cannot return.
 * - `channelMeans`: an image model returning the mean of each channel of an NCHW float input.
 */
import { FLOAT, floats, INT64, model, node, value } from "./OnnxGraph.ts"

/** A small deterministic pseudo-random generator (mulberry32). */
export const random = (seed: number) => {
  let a = seed >>> 0
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Weights of one layer, uniform in ±scale. */
const weights = (next: () => number, count: number, scale: number): Float32Array =>
  Float32Array.from({ length: count }, () => (next() * 2 - 1) * scale)

export const mlp = (
  options: {
    readonly inputs?: number
    readonly hidden?: number
    readonly classes?: number
    readonly seed?: number
  } = {}
): Uint8Array => {
  const [inputs, hidden, classes] = [options.inputs ?? 64, options.hidden ?? 256, options.classes ?? 10]
  const next = random(options.seed ?? 7)
  return model({
    inputs: [value("input", FLOAT, ["batch", inputs])],
    outputs: [value("logits", FLOAT, ["batch", classes]), value("probs", FLOAT, ["batch", classes])],
    initializers: [
      floats("w1", [hidden, inputs], weights(next, hidden * inputs, 0.2)),
      floats("b1", [hidden], weights(next, hidden, 0.1)),
      floats("w2", [classes, hidden], weights(next, classes * hidden, 0.2)),
      floats("b2", [classes], weights(next, classes, 0.1))
    ],
    nodes: [
      node("Gemm", ["input", "w1", "b1"], ["h"], [{ name: "transB", i: 1 }]),
      node("Relu", ["h"], ["r"]),
      node("Gemm", ["r", "w2", "b2"], ["logits"], [{ name: "transB", i: 1 }]),
      node("Softmax", ["logits"], ["probs"], [{ name: "axis", i: 1 }])
    ]
  })
}

export const logisticRegression = (
  options: { readonly features?: number; readonly classes?: number; readonly seed?: number } = {}
) => {
  const [features, classes] = [options.features ?? 4, options.classes ?? 3]
  const next = random(options.seed ?? 11)
  return model({
    ml: true,
    inputs: [value("float_input", FLOAT, ["batch", features])],
    outputs: [value("label", INT64, ["batch"]), value("probabilities", FLOAT, ["batch", classes])],
    nodes: [
      node(
        "LinearClassifier",
        ["float_input"],
        ["label", "probabilities"],
        [
          { name: "coefficients", floats: Array.from(weights(next, features * classes, 1)) },
          { name: "intercepts", floats: Array.from(weights(next, classes, 0.5)) },
          { name: "classlabels_ints", ints: Array.from({ length: classes }, (_, i) => i) },
          { name: "post_transform", s: "SOFTMAX" },
          { name: "multi_class", i: 1 }
        ],
        "ai.onnx.ml"
      )
    ]
  })
}

interface TreeNodes {
  featureIds: Array<number>
  values: Array<number>
  modes: Array<string>
  trueIds: Array<number>
  falseIds: Array<number>
  treeIds: Array<number>
  nodeIds: Array<number>
  leafTree: Array<number>
  leafNode: Array<number>
  leafClass: Array<number>
  leafWeight: Array<number>
}

/** Full binary trees of `depth`, splitting on random features at random thresholds in [0, 10). */
export const gbdt = (
  options: {
    readonly trees?: number
    readonly depth?: number
    readonly features?: number
    readonly classes?: number
    readonly seed?: number
  } = {}
): Uint8Array => {
  const [trees, depth, features, classes] = [
    options.trees ?? 100,
    options.depth ?? 6,
    options.features ?? 13,
    options.classes ?? 3
  ]
  const next = random(options.seed ?? 1234)
  const t: TreeNodes = {
    featureIds: [],
    values: [],
    modes: [],
    trueIds: [],
    falseIds: [],
    treeIds: [],
    nodeIds: [],
    leafTree: [],
    leafNode: [],
    leafClass: [],
    leafWeight: []
  }
  const internal = 2 ** depth - 1
  const total = 2 ** (depth + 1) - 1
  for (let tree = 0; tree < trees; tree++) {
    for (let id = 0; id < total; id++) {
      t.treeIds.push(tree)
      t.nodeIds.push(id)
      if (id < internal) {
        t.modes.push("BRANCH_LEQ")
        t.featureIds.push(Math.floor(next() * features))
        t.values.push(Math.round(next() * 1000) / 100)
        t.trueIds.push(2 * id + 1)
        t.falseIds.push(2 * id + 2)
      } else {
        t.modes.push("LEAF")
        t.featureIds.push(0)
        t.values.push(0)
        t.trueIds.push(0)
        t.falseIds.push(0)
        // XGBoost's multi-class layout: tree k adds to class k mod classes.
        t.leafTree.push(tree)
        t.leafNode.push(id)
        t.leafClass.push(tree % classes)
        t.leafWeight.push((next() * 2 - 1) * 0.3)
      }
    }
  }
  return model({
    ml: true,
    inputs: [value("input", FLOAT, ["batch", features])],
    outputs: [value("label", INT64, ["batch"]), value("probabilities", FLOAT, ["batch", classes])],
    nodes: [
      node(
        "TreeEnsembleClassifier",
        ["input"],
        ["label", "probabilities"],
        [
          { name: "nodes_treeids", ints: t.treeIds },
          { name: "nodes_nodeids", ints: t.nodeIds },
          { name: "nodes_featureids", ints: t.featureIds },
          { name: "nodes_values", floats: t.values },
          { name: "nodes_modes", strings: t.modes },
          { name: "nodes_truenodeids", ints: t.trueIds },
          { name: "nodes_falsenodeids", ints: t.falseIds },
          { name: "class_treeids", ints: t.leafTree },
          { name: "class_nodeids", ints: t.leafNode },
          { name: "class_ids", ints: t.leafClass },
          { name: "class_weights", floats: t.leafWeight },
          { name: "classlabels_int64s", ints: Array.from({ length: classes }, (_, i) => i) },
          { name: "post_transform", s: "SOFTMAX" }
        ],
        "ai.onnx.ml"
      )
    ]
  })
}

/** A classifier whose probabilities come out of ZipMap: a sequence of maps, not a tensor. */
export const withZipMap = (): Uint8Array => {
  const next = random(5)
  return model({
    ml: true,
    inputs: [value("float_input", FLOAT, ["batch", 2])],
    outputs: [
      value("label", INT64, ["batch"]),
      {
        name: "output_probability",
        type: {
          sequenceType: {
            elemType: { mapType: { keyType: INT64, valueType: { tensorType: { elemType: FLOAT } } } }
          }
        }
      }
    ],
    nodes: [
      node(
        "LinearClassifier",
        ["float_input"],
        ["label", "probabilities"],
        [
          { name: "coefficients", floats: Array.from(weights(next, 4, 1)) },
          { name: "intercepts", floats: [0, 0] },
          { name: "classlabels_ints", ints: [0, 1] },
          { name: "post_transform", s: "SOFTMAX" }
        ],
        "ai.onnx.ml"
      ),
      node(
        "ZipMap",
        ["probabilities"],
        ["output_probability"],
        [{ name: "classlabels_int64s", ints: [0, 1] }],
        "ai.onnx.ml"
      )
    ]
  })
}

/** Mean of each channel of an NCHW image batch: [N, 3, H, W] → [N, 3]. */
export const channelMeans = (
  options: { readonly height?: number | string; readonly width?: number | string } = {}
): Uint8Array =>
  model({
    inputs: [value("image", FLOAT, ["batch", 3, options.height ?? "height", options.width ?? "width"])],
    outputs: [value("means", FLOAT, ["batch", 3])],
    nodes: [
      node(
        "ReduceMean",
        ["image"],
        ["means"],
        [
          { name: "axes", ints: [2, 3] },
          { name: "keepdims", i: 0 }
        ]
      )
    ]
  })
