/**
 * Models as scikit-learn's converter (skl2onnx) exports them, built in JS with their parameters kept,
 * so a test can score rows a second way that shares nothing with onnxruntime: walk the trees, multiply
 * the weights.
 *
 * - `forest`: a random forest of uneven trees (leaves at any depth) on ai.onnx.ml
 *   TreeEnsembleRegressor (AGGREGATE AVERAGE) or TreeEnsembleClassifier (class weights summed, label
 *   the best class), splits `x <= threshold` as BRANCH_LEQ, in float32 as onnxruntime compares them.
 * - `linear`: LinearRegressor, `y = w·x + b`, as skl2onnx exports a LinearRegression.
 */
import { OnnxGraph, OnnxModels } from "@runbatch/testkit"

const { FLOAT, INT64, model, node, value } = OnnxGraph

export interface TreeNode {
  readonly feature: number
  readonly threshold: number
  /** Node ids of the two children; both -1 for a leaf. */
  readonly left: number
  readonly right: number
  /** A leaf's value: one number for a regressor, one weight per class for a classifier. */
  readonly values: ReadonlyArray<number>
}

export interface Forest {
  readonly bytes: Uint8Array
  readonly trees: ReadonlyArray<ReadonlyArray<TreeNode>>
  readonly classes: number
  readonly features: number
}

/** An uneven tree: each node splits with probability 0.75 until `depth`, on a random feature. */
const growTree = (next: () => number, features: number, classes: number, depth: number) => {
  const nodes: Array<TreeNode> = []
  const grow = (level: number): number => {
    const id = nodes.length
    if (level < depth && (level === 0 || next() < 0.75)) {
      nodes.push({ feature: 0, threshold: 0, left: -1, right: -1, values: [] })
      const feature = Math.floor(next() * features)
      const threshold = Math.fround(Math.round(next() * 1000) / 100)
      const left = grow(level + 1)
      const right = grow(level + 1)
      nodes[id] = { feature, threshold, left, right, values: [] }
    } else {
      const values = Array.from({ length: classes }, () => Math.fround(next()))
      nodes.push({ feature: 0, threshold: 0, left: -1, right: -1, values })
    }
    return id
  }
  grow(0)
  return nodes
}

const nodeAttributes = (trees: ReadonlyArray<ReadonlyArray<TreeNode>>) => {
  const flat = trees.flatMap((nodes, tree) => nodes.map((n, id) => ({ ...n, tree, id })))
  const isLeaf = (n: TreeNode) => n.left === -1
  return [
    { name: "nodes_treeids", ints: flat.map((n) => n.tree) },
    { name: "nodes_nodeids", ints: flat.map((n) => n.id) },
    { name: "nodes_featureids", ints: flat.map((n) => n.feature) },
    { name: "nodes_values", floats: flat.map((n) => n.threshold) },
    { name: "nodes_modes", strings: flat.map((n) => (isLeaf(n) ? "LEAF" : "BRANCH_LEQ")) },
    { name: "nodes_truenodeids", ints: flat.map((n) => Math.max(0, n.left)) },
    { name: "nodes_falsenodeids", ints: flat.map((n) => Math.max(0, n.right)) }
  ]
}

/** Leaves as the `target_*` or `class_*` attributes: (tree, node, index, weight) per leaf value. */
const leafAttributes = (trees: ReadonlyArray<ReadonlyArray<TreeNode>>, prefix: "target" | "class") => {
  const leaves = trees.flatMap((nodes, tree) =>
    nodes.flatMap((n, id) => (n.left === -1 ? n.values.map((weight, k) => ({ tree, id, k, weight })) : []))
  )
  return [
    { name: `${prefix}_treeids`, ints: leaves.map((l) => l.tree) },
    { name: `${prefix}_nodeids`, ints: leaves.map((l) => l.id) },
    { name: `${prefix}_ids`, ints: leaves.map((l) => l.k) },
    { name: `${prefix}_weights`, floats: leaves.map((l) => l.weight) }
  ]
}

export const forest = (options: {
  readonly kind: "regressor" | "classifier"
  readonly trees?: number
  readonly depth?: number
  readonly features?: number
  readonly classes?: number
  readonly seed?: number
}): Forest => {
  const next = OnnxModels.random(options.seed ?? 2026)
  const features = options.features ?? 6
  const classes = options.kind === "regressor" ? 1 : (options.classes ?? 3)
  const trees = Array.from({ length: options.trees ?? 25 }, () =>
    growTree(next, features, classes, options.depth ?? 5)
  )
  const regressor = options.kind === "regressor"
  const bytes = model({
    ml: true,
    inputs: [value("X", FLOAT, ["N", features])],
    outputs: regressor
      ? [value("variable", FLOAT, ["N", 1])]
      : [value("label", INT64, ["N"]), value("probabilities", FLOAT, ["N", classes])],
    nodes: [
      regressor
        ? node(
            "TreeEnsembleRegressor",
            ["X"],
            ["variable"],
            [
              ...nodeAttributes(trees),
              ...leafAttributes(trees, "target"),
              { name: "n_targets", i: 1 },
              { name: "aggregate_function", s: "AVERAGE" },
              { name: "post_transform", s: "NONE" }
            ],
            "ai.onnx.ml"
          )
        : node(
            "TreeEnsembleClassifier",
            ["X"],
            ["label", "probabilities"],
            [
              ...nodeAttributes(trees),
              ...leafAttributes(trees, "class"),
              { name: "classlabels_int64s", ints: Array.from({ length: classes }, (_, i) => i) },
              { name: "post_transform", s: "NONE" }
            ],
            "ai.onnx.ml"
          )
    ]
  })
  return { bytes, trees, classes, features }
}

export interface Linear {
  readonly bytes: Uint8Array
  readonly coefficients: ReadonlyArray<number>
  readonly intercept: number
}

export const linear = (options: { readonly features?: number; readonly seed?: number } = {}): Linear => {
  const next = OnnxModels.random(options.seed ?? 77)
  const features = options.features ?? 6
  const coefficients = Array.from({ length: features }, () => Math.fround(next() * 4 - 2))
  const intercept = Math.fround(next() * 10 - 5)
  const bytes = model({
    ml: true,
    inputs: [value("X", FLOAT, ["N", features])],
    outputs: [value("variable", FLOAT, ["N", 1])],
    nodes: [
      node(
        "LinearRegressor",
        ["X"],
        ["variable"],
        [
          { name: "coefficients", floats: coefficients },
          { name: "intercepts", floats: [intercept] },
          { name: "targets", i: 1 }
        ],
        "ai.onnx.ml"
      )
    ]
  })
  return { bytes, coefficients, intercept }
}
