/**
 * Which features feed which ONNX input. In order of precedence: the `image` option binds an image
 * feature to a 4-D input; explicit `inputs` bind each ONNX input to a feature or a list of scalar
 * features; otherwise a graph with one 2-D input `[batch, n]` takes all scalar numeric features in
 * signature order (the usual sklearn / XGBoost / LightGBM export), and a graph with several inputs
 * takes each from the feature of the same name.
 */
import type { PrepareRequest } from "@runbatch/plugin-api"
import { DataType, type Signature } from "@runbatch/spec"
import { Effect } from "effect"
import { describeShape, fail, findFeature, NUMERIC_ONNX, type TensorMeta } from "./GraphTensor.ts"
import type { ImageOptions, OnnxOptions } from "./OnnxOptions.ts"

export type InputBinding =
  /** `[batch, n]` from n scalar features, interleaved row by row. */
  | {
      readonly kind: "columns"
      readonly input: string
      readonly features: ReadonlyArray<string>
      readonly type: string
    }
  /** `[batch, ...shape]` from one feature (scalar or list). */
  | {
      readonly kind: "tensor"
      readonly input: string
      readonly feature: string
      readonly type: string
      readonly dims: ReadonlyArray<number>
    }
  /** `[batch, 3, h, w]` (or NHWC) decoded from image bytes. */
  | { readonly kind: "image"; readonly input: string; readonly feature: string; readonly image: ImageOptions }

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

/** Per-row dims of an input (its shape without the batch dimension), checked against a feature. */
const rowDims = (input: TensorMeta, feature: Signature.FeatureSpec) => {
  const shape = (input.shape ?? []).slice(1)
  const featureShape = feature.shape ?? []
  // A scalar feature may feed [batch] or [batch, 1].
  if (featureShape.length === 0 && (shape.length === 0 || (shape.length === 1 && shape[0] === 1))) {
    return Effect.succeed(shape.map(() => 1))
  }
  if (shape.length !== featureShape.length) {
    return fail(
      `the ONNX input "${input.name}" has shape ${describeShape(input.shape)} but the feature "${feature.name}" has shape ${describeShape(featureShape)}.`,
      "Declare the feature with the shape the graph takes (FeatureSpec shape), or bind the input with the `inputs` option."
    )
  }
  const dims: Array<number> = []
  for (const [i, dim] of shape.entries()) {
    const want = featureShape[i]!
    if (typeof dim === "number" && want !== -1 && dim !== want) {
      return fail(
        `the ONNX input "${input.name}" needs ${dim} values in dimension ${i + 1}, the feature "${feature.name}" has ${want}.`
      )
    }
    dims.push(typeof dim === "number" ? dim : want)
  }
  return Effect.succeed(dims)
}

const bindColumns = (
  input: TensorMeta,
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
    const width = shape[1]
    if (typeof width === "number" && width !== bound.length) {
      return yield* fail(
        `the ONNX input "${input.name}" takes ${width} values per row but ${bound.length} feature(s) are bound to it (${bound.join(", ")})` +
          (skipped.length > 0
            ? `; ${skipped.map((n) => `"${n}"`).join(", ")} left out because not a scalar number.`
            : "."),
        "Make the signature's numeric features match the model's inputs, or bind them with the `inputs` option."
      )
    }
    return { kind: "columns" as const, input: input.name, features: bound, type }
  })

export const bindInputs = (request: PrepareRequest, options: OnnxOptions, graph: ReadonlyArray<TensorMeta>) =>
  Effect.gen(function* () {
    const features = request.signature.inputs
    const bindings: Array<InputBinding> = []
    const pending = new Map(graph.map((g) => [g.name, g]))
    if (options.image !== undefined) {
      const image = options.image
      const feature = findFeature(features, image.feature)
      if (feature === undefined || "specs" in feature || feature.dtype !== "BYTES") {
        return yield* fail(
          `the image option names the feature "${image.feature}", which is not a BYTES feature of the signature.`,
          "Image features hold the file's bytes: declare them BYTES and add column handling raw_bytes for a column of stage paths."
        )
      }
      const candidates = graph.filter((g) => (g.shape ?? []).length === 4)
      const input =
        image.input === undefined
          ? candidates.length === 1
            ? candidates[0]
            : undefined
          : pending.get(image.input)
      if (input === undefined) {
        return yield* fail(
          image.input === undefined
            ? `the image option needs the 4-D image input of the graph; found ${candidates.length}.`
            : `the graph has no input "${image.input}".`,
          "Name it with image.input."
        )
      }
      bindings.push({ kind: "image", input: input.name, feature: feature.name, image })
      pending.delete(input.name)
    }
    if (options.inputs !== undefined) {
      for (const [name, bound] of Object.entries(options.inputs)) {
        const input = pending.get(name)
        if (input === undefined)
          return yield* fail(
            `the inputs option names "${name}", which is not an input of the graph (${graph.map((g) => g.name).join(", ")}).`
          )
        if (Array.isArray(bound)) bindings.push(yield* bindColumns(input, features, bound))
        else {
          const feature = findFeature(features, bound as string)
          if (feature === undefined || "specs" in feature)
            return yield* fail(
              `the inputs option binds "${name}" to "${String(bound)}", which is not a feature of the signature.`
            )
          const type = yield* checkInputType(input, feature)
          bindings.push({
            kind: "tensor",
            input: name,
            feature: feature.name,
            type,
            dims: yield* rowDims(input, feature)
          })
        }
        pending.delete(name)
      }
    } else if (pending.size === 1 && bindings.length === 0) {
      const input = [...pending.values()][0]!
      const sameName = findFeature(features, input.name)
      if (sameName !== undefined && !("specs" in sameName) && sameName.shape !== undefined) {
        const type = yield* checkInputType(input, sameName)
        bindings.push({
          kind: "tensor",
          input: input.name,
          feature: sameName.name,
          type,
          dims: yield* rowDims(input, sameName)
        })
      } else {
        const numeric = features.filter(isScalarNumeric).map((f) => f.name)
        const skipped = features.filter((f) => !isScalarNumeric(f)).map((f) => f.name)
        bindings.push(yield* bindColumns(input, features, numeric, skipped))
      }
      pending.clear()
    } else {
      for (const input of [...pending.values()]) {
        const feature = findFeature(features, input.name)
        if (feature === undefined || "specs" in feature) continue
        const type = yield* checkInputType(input, feature)
        bindings.push({
          kind: "tensor",
          input: input.name,
          feature: feature.name,
          type,
          dims: yield* rowDims(input, feature)
        })
        pending.delete(input.name)
      }
    }
    if (pending.size > 0) {
      return yield* fail(
        `nothing feeds the ONNX input(s) ${[...pending.keys()].map((n) => `"${n}"`).join(", ")}.`,
        "Name features after the graph's inputs, or bind them with the `inputs` engine option."
      )
    }
    return bindings
  })
