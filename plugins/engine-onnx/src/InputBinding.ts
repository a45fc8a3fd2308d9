/**
 * Which features feed which ONNX input. In order of precedence: the `image` option binds an image
 * feature to a 4-D input; explicit `inputs` bind each ONNX input to a feature or a list of scalar
 * features; otherwise a graph with one 2-D input `[batch, n]` takes all scalar numeric features in
 * signature order (the usual sklearn / XGBoost / LightGBM export), and a graph with several inputs
 * takes each from the feature of the same name.
 */
import type { PrepareRequest } from "@runbatch/plugin-api"
import { DataType, type EnginePrepareError, type Signature } from "@runbatch/spec"
import { Effect } from "effect"
import {
  describeShape,
  fail,
  findFeature,
  NUMERIC_ONNX,
  perRow,
  rowsAxis,
  type TensorMeta
} from "./GraphTensor.ts"
import { bindImage, type ImageInput } from "./ImageBinding.ts"
import type { OnnxOptions } from "./OnnxOptions.ts"

export type InputBinding =
  /** `[batch, n]` from n scalar features, interleaved row by row (`[n, batch]` if the graph says so). */
  | {
      readonly kind: "columns"
      readonly input: string
      readonly features: ReadonlyArray<string>
      readonly type: string
      readonly batchAxis: number
    }
  /**
   * One feature (scalar or list) as `[batch, ...dims]`, its batch dimension then moved to
   * `batchAxis` when the graph keeps rows elsewhere (a sequence model's `[time, batch]`).
   */
  | {
      readonly kind: "tensor"
      readonly input: string
      readonly feature: string
      readonly type: string
      readonly dims: ReadonlyArray<number>
      readonly batchAxis: number
    }
  /** A scalar input (declared `[]`): one value per call, from a signature param (a sample rate). */
  | { readonly kind: "param"; readonly input: string; readonly param: string; readonly type: string }
  /** `[batch, c, h, w]` (or NHWC) decoded from image bytes. */
  | ImageInput

const isScalarNumeric = (f: Signature.Feature): boolean =>
  !("specs" in f) && f.shape === undefined && (DataType.isNumeric(f.dtype) || f.dtype === "BOOL")

const checkInputType = (input: TensorMeta, feature: Signature.Feature) => {
  if ("specs" in feature)
    return fail(`the feature "${feature.name}" is a struct; an ONNX input takes a tensor.`)
  const type = input.type ?? "float32"
  if (type === "string" && feature.dtype !== "STRING") {
    return fail(
      `the ONNX input "${input.name}" takes strings but the feature "${feature.name}" is ${feature.dtype}.`
    )
  }
  if (NUMERIC_ONNX.has(type) && !(DataType.isNumeric(feature.dtype) || feature.dtype === "BOOL")) {
    return fail(
      `the ONNX input "${input.name}" takes ${type} values but the feature "${feature.name}" is ${feature.dtype}.`,
      "Cast the column in the input query, or bind another feature with the `inputs` option."
    )
  }
  if (type === "bool" && feature.dtype !== "BOOL")
    return fail(`the ONNX input "${input.name}" takes booleans but "${feature.name}" is ${feature.dtype}.`)
  return Effect.succeed(type)
}

/** Which dimension of an input holds the rows (GraphTensor's rowsAxis), checked against the graph. */
const batchAxisOf = (input: TensorMeta, options: OnnxOptions): Effect.Effect<number, EnginePrepareError> => {
  const shape = input.shape ?? []
  const axis = rowsAxis(input, options.batch_axis)
  if (axis >= shape.length && shape.length > 0)
    return fail(
      `batch_axis names dimension ${axis} of the ONNX input "${input.name}", which is declared ${describeShape(shape)} (dimensions count from 0).`
    )
  // A graph exported with a fixed batch (torch.onnx.export without dynamic_axes) takes no other; a
  // batch of one is run one row per call (ModelBinding's oneRowPerCall), more cannot be fed.
  const fixed = shape[axis]
  if (typeof fixed === "number" && fixed !== 1 && options.batch_axis?.[input.name] === undefined)
    return fail(
      `the ONNX input "${input.name}" is declared ${describeShape(shape)}: every dimension is fixed, so the graph takes exactly ${fixed} rows per call, and a batch job's last batch (or a row that fails) cannot make up ${fixed}.`,
      `Export the model with a dynamic batch dimension (torch.onnx.export(..., dynamic_axes={"${input.name}": {0: "batch"}})).`
    )
  return Effect.succeed(axis)
}

const ONNX_TO_DTYPE: Readonly<Record<string, string>> = {
  float32: "FLOAT",
  float64: "DOUBLE",
  int8: "INT8",
  int16: "INT16",
  int32: "INT32",
  int64: "INT64",
  uint8: "UINT8",
  uint16: "UINT16",
  uint32: "UINT32",
  uint64: "UINT64",
  bool: "BOOL",
  string: "STRING"
}

/** What one row of an input holds, and the feature that would feed it, in a signature's words. */
const whatFeeds = (input: TensorMeta, axis: number) => {
  const row = perRow(input, axis).map((d) => (typeof d === "number" ? d : -1))
  const dtype = ONNX_TO_DTYPE[input.type ?? "float32"] ?? input.type
  return row.length === 0 || (row.length === 1 && row[0] === 1)
    ? `a scalar ${dtype} feature feeds it`
    : `a ${dtype} feature of shape ${describeShape(row)} feeds it (-1 where the graph leaves the size open)`
}

/** Per-row dims of an input (its shape without the batch dimension), checked against a feature. */
const rowDims = (input: TensorMeta, feature: Signature.FeatureSpec, axis: number) => {
  const shape = perRow(input, axis)
  const featureShape = feature.shape ?? []
  // A scalar feature may feed [batch] or [batch, 1].
  if (featureShape.length === 0 && (shape.length === 0 || (shape.length === 1 && shape[0] === 1))) {
    return Effect.succeed(shape.map(() => 1))
  }
  const wrong =
    shape.length !== featureShape.length ||
    shape.some((dim, i) => typeof dim === "number" && featureShape[i] !== -1 && dim !== featureShape[i])
  if (wrong) {
    return fail(
      `the ONNX input "${input.name}" is declared ${describeShape(input.shape)} (rows on dimension ${axis}), and the feature "${feature.name}" has shape ${describeShape(featureShape)}.`,
      `${capitalise(whatFeeds(input, axis))}: declare "${feature.name}" so, or bind another feature with the \`inputs\` option.`
    )
  }
  return Effect.succeed(shape.map((dim, i) => (typeof dim === "number" ? dim : featureShape[i]!)))
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

/** One feature bound to one input, its rows on the input's batch axis. */
const bindTensor = (input: TensorMeta, feature: Signature.FeatureSpec, options: OnnxOptions) =>
  Effect.gen(function* () {
    const type = yield* checkInputType(input, feature)
    const batchAxis = (input.shape ?? []).length === 0 ? 0 : yield* batchAxisOf(input, options)
    const dims = yield* rowDims(input, feature, batchAxis)
    return { kind: "tensor" as const, input: input.name, feature: feature.name, type, dims, batchAxis }
  })

/** A scalar input fed from a param: numbers for numbers, text for text. */
const bindParam = (input: TensorMeta, param: Signature.Param) => {
  const type = input.type ?? "float32"
  if ("specs" in param || param.shape !== undefined)
    return fail(
      `the ONNX input "${input.name}" is a scalar (declared []), and the param "${param.name}" is not a single value.`
    )
  const numeric = DataType.isNumeric(param.dtype) || param.dtype === "BOOL"
  if (type === "string" ? param.dtype !== "STRING" : !numeric)
    return fail(
      `the ONNX input "${input.name}" takes a ${type} scalar, and the param "${param.name}" is ${param.dtype}.`
    )
  return Effect.succeed({ kind: "param" as const, input: input.name, param: param.name, type })
}

/**
 * Why nothing feeds an input, in the user's terms: a scalar wants a param; an input the graph also
 * returns (an output of the same declared shape) is recurrent state, which runbatch does not carry.
 */
const unfed = (input: TensorMeta, outputs: ReadonlyArray<TensorMeta>, options: OnnxOptions) =>
  Effect.gen(function* () {
    const shape = input.shape ?? []
    if (shape.length === 0)
      return yield* fail(
        `nothing feeds the ONNX input "${input.name}", a scalar (declared []): it takes one value per call, not one per row.`,
        `Declare a param "${input.name}" in the signature (with the default the model expects, e.g. a sample rate) to feed it, or bind it to one with the \`inputs\` option.`
      )
    const axis = yield* batchAxisOf(input, options).pipe(Effect.orElseSucceed(() => 0))
    const returned = outputs.find(
      (o) => shape.length > 1 && describeShape(o.shape) === describeShape(shape) && o.name !== input.name
    )
    if (returned !== undefined)
      return yield* fail(
        `nothing feeds the ONNX input "${input.name}" ${describeShape(shape)}, which looks like recurrent state (the graph returns "${returned.name}" of the same shape). runbatch scores every row on its own and does not carry state from row to row or batch to batch, so models that need it (Silero VAD, streaming RNNs) are out of scope.`,
        `To score each row from a given state, ${whatFeeds(input, axis)}: declare a feature "${input.name}" so.`
      )
    return yield* fail(
      `nothing feeds the ONNX input "${input.name}", declared ${describeShape(shape)}; ${whatFeeds(input, axis)}.`,
      "Name a feature after the graph's input, or bind one with the `inputs` engine option."
    )
  })

const bindColumns = (
  input: TensorMeta,
  options: OnnxOptions,
  features: ReadonlyArray<Signature.Feature>,
  names: ReadonlyArray<string>,
  skipped: ReadonlyArray<string> = []
) =>
  Effect.gen(function* () {
    const bound: Array<string> = []
    let type = input.type ?? "float32"
    for (const name of names) {
      const feature = findFeature(features, name)
      if (feature === undefined)
        return yield* fail(`the input mapping names "${name}", which is not a feature of the signature.`)
      if (!isScalarNumeric(feature)) {
        return yield* fail(
          `the feature "${feature.name}" is not a scalar number, so it cannot be one of the columns of "${input.name}".`
        )
      }
      type = yield* checkInputType(input, feature)
      bound.push(feature.name)
    }
    const shape = input.shape ?? []
    if (shape.length !== 2) {
      return yield* fail(
        `the ONNX input "${input.name}" has shape ${describeShape(shape)}; several features can feed only a 2-D [batch, n] input.`
      )
    }
    const batchAxis = yield* batchAxisOf(input, options)
    const width = shape[1 - batchAxis]
    if (typeof width === "number" && width !== bound.length) {
      return yield* fail(
        `the ONNX input "${input.name}" takes ${width} values per row but ${bound.length} feature(s) are bound to it (${bound.join(", ")})` +
          (skipped.length > 0
            ? `; ${skipped.map((n) => `"${n}"`).join(", ")} left out because not a scalar number.`
            : "."),
        "Make the signature's numeric features match the model's inputs, or bind them with the `inputs` option."
      )
    }
    return { kind: "columns" as const, input: input.name, features: bound, type, batchAxis }
  })

const findParam = (params: ReadonlyArray<Signature.Param>, name: string) =>
  params.find((p) => p.name.toUpperCase() === name.toUpperCase())

/** An input the `inputs` option binds to one name: a feature, or a param for a scalar input. */
const bindNamed = (request: PrepareRequest, options: OnnxOptions, input: TensorMeta, name: string) => {
  const feature = findFeature(request.signature.inputs, name)
  if (feature !== undefined && !("specs" in feature)) return bindTensor(input, feature, options)
  const param = findParam(request.signature.params, name)
  if (param !== undefined && (input.shape ?? []).length === 0) return bindParam(input, param)
  return fail(
    `the inputs option binds "${input.name}" to "${name}", which is not a feature${(input.shape ?? []).length === 0 ? " or a param" : ""} of the signature.`
  )
}

export const bindInputs = (
  request: PrepareRequest,
  options: OnnxOptions,
  graph: { readonly inputs: ReadonlyArray<TensorMeta>; readonly outputs: ReadonlyArray<TensorMeta> }
) =>
  Effect.gen(function* () {
    const features = request.signature.inputs
    const bindings: Array<InputBinding> = []
    const pending = new Map(graph.inputs.map((g) => [g.name, g]))
    if (options.image !== undefined) {
      const image = yield* bindImage(options.image, features, [...pending.values()])
      bindings.push(image)
      pending.delete(image.input)
    }
    for (const [name, bound] of Object.entries(options.inputs ?? {})) {
      const input = pending.get(name)
      if (input === undefined)
        return yield* fail(
          `the inputs option names "${name}", which is not an input of the graph (${graph.inputs.map((g) => g.name).join(", ")}).`
        )
      bindings.push(
        Array.isArray(bound)
          ? yield* bindColumns(input, options, features, bound)
          : yield* bindNamed(request, options, input, bound as string)
      )
      pending.delete(name)
    }
    if (options.inputs === undefined && pending.size === 1 && bindings.length === 0) {
      // The usual tabular export: one input, fed by a list feature of its name or by every number.
      const input = [...pending.values()][0]!
      const sameName = findFeature(features, input.name)
      if (sameName !== undefined && !("specs" in sameName) && sameName.shape !== undefined) {
        bindings.push(yield* bindTensor(input, sameName, options))
      } else {
        const numeric = features.filter(isScalarNumeric).map((f) => f.name)
        const skipped = features.filter((f) => !isScalarNumeric(f)).map((f) => f.name)
        bindings.push(yield* bindColumns(input, options, features, numeric, skipped))
      }
      pending.clear()
    }
    for (const input of [...pending.values()]) {
      const param =
        (input.shape ?? []).length === 0 ? findParam(request.signature.params, input.name) : undefined
      const feature = findFeature(features, input.name)
      if (param !== undefined) bindings.push(yield* bindParam(input, param))
      else if (feature !== undefined && !("specs" in feature))
        bindings.push(yield* bindTensor(input, feature, options))
      else return yield* unfed(input, graph.outputs, options)
      pending.delete(input.name)
    }
    return bindings
  })
