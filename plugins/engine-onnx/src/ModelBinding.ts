/**
 * How a signature meets an ONNX graph: which features feed which ONNX input, and which ONNX output (or
 * postprocessed output) becomes which output column. Worked out once in `prepare` (plan time, where
 * every mismatch becomes a clear EnginePrepareError) and again in each worker's `open`.
 *
 * Inputs, in order of precedence: the `image` option binds an image feature to a 4-D input; explicit
 * `inputs` bind each ONNX input to a feature or a list of scalar features; otherwise a graph with one
 * 2-D input `[batch, n]` takes all scalar numeric features in signature order (the usual sklearn /
 * XGBoost / LightGBM export), and a graph with several inputs takes each from the feature of the same
 * name. Outputs: explicit `outputs`, then the same name, then position when the counts agree; a
 * `[batch, 1]` output feeds a scalar column.
 */
import type { Artifact, PrepareRequest } from "@runbatch/plugin-api"
import { DataType, EnginePrepareError, Signature } from "@runbatch/spec"
import { Effect } from "effect"
import type { ImageOptions, OnnxOptions } from "./OnnxOptions.ts"

export interface TensorMeta {
  readonly name: string
  readonly isTensor: boolean
  readonly type?: string
  readonly shape?: ReadonlyArray<number | string>
}

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

export type OutputBinding =
  | { readonly kind: "tensor"; readonly feature: Signature.FeatureSpec; readonly output: string }
  /** A struct column whose fields each come from an ONNX output (e.g. label and probabilities). */
  | {
      readonly kind: "struct"
      readonly feature: Signature.FeatureGroupSpec
      readonly fields: ReadonlyArray<{ readonly feature: Signature.FeatureSpec; readonly output: string }>
    }
  | {
      readonly kind: "argmax"
      readonly feature: Signature.Feature
      readonly output: string
      readonly labels?: string
    }
  | {
      readonly kind: "ctc"
      readonly feature: Signature.Feature
      readonly output: string
      readonly vocabulary: string
      readonly blank: number
      readonly appendSpace: boolean
    }

export interface Binding {
  readonly model: Artifact
  readonly inputs: ReadonlyArray<InputBinding>
  readonly outputs: ReadonlyArray<OutputBinding>
  /** ONNX outputs to fetch (only tensors: ZipMap sequences cannot be returned). */
  readonly fetches: ReadonlyArray<string>
}

const fail = (reason: string, fix?: string) =>
  Effect.fail(new EnginePrepareError({ engine: "onnx", reason, ...(fix === undefined ? {} : { fix }) }))

const NUMERIC_ONNX = new Set([
  "float32",
  "float64",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint8",
  "uint16",
  "uint32",
  "uint64"
])

const isScalarNumeric = (f: Signature.Feature): boolean =>
  !("specs" in f) && f.shape === undefined && (DataType.isNumeric(f.dtype) || f.dtype === "BOOL")

const describeShape = (shape: ReadonlyArray<number | string> | undefined) => `[${(shape ?? []).join(", ")}]`

/** The model artifact: the one the options name, or the only `.onnx` one. */
export const modelArtifact = (artifacts: ReadonlyArray<Artifact>, options: OnnxOptions) => {
  if (options.model !== undefined) {
    const named = artifacts.find((a) => a.name === options.model)
    return named === undefined
      ? fail(
          `the model artifact "${options.model}" is not among the version's artifacts (${artifacts.map((a) => a.name).join(", ") || "none"}).`,
          "Log the version with the .onnx file (runbatch model log --onnx FILE), or fix the `model` option."
        )
      : Effect.succeed(named)
  }
  const onnx = artifacts.filter((a) => a.name.toLowerCase().endsWith(".onnx"))
  if (onnx.length === 1) return Effect.succeed(onnx[0]!)
  return fail(
    onnx.length === 0
      ? "the model version has no .onnx artifact."
      : `the model version has several .onnx artifacts (${onnx.map((a) => a.name).join(", ")}).`,
    onnx.length === 0
      ? "Log the version with its .onnx file (runbatch model log --onnx FILE)."
      : "Name the graph with the `model` engine option."
  )
}

/** The artifact a postprocessing step reads (labels, vocabulary). */
export const textArtifact = (artifacts: ReadonlyArray<Artifact>, name: string) => {
  const found = artifacts.find((a) => a.name === name)
  return found === undefined
    ? fail(
        `the artifact "${name}" named by the postprocess options is not among the version's artifacts.`,
        "Log the version with it (--artifact FILE)."
      )
    : Effect.succeed(found)
}

const findFeature = (features: ReadonlyArray<Signature.Feature>, name: string) =>
  features.find((f) => f.name.toUpperCase() === name.toUpperCase())

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

const bindInputs = (request: PrepareRequest, options: OnnxOptions, graph: ReadonlyArray<TensorMeta>) =>
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

const zipMapFix =
  "Export the classifier without ZipMap (skl2onnx: options={id(model): {'zipmap': False}}) so probabilities come out as a tensor."

const requireTensor = (feature: Signature.Feature, output: TensorMeta) =>
  output.isTensor
    ? Effect.void
    : fail(
        `the ONNX output "${output.name}" for "${feature.name}" is not a tensor (a ZipMap sequence of maps, which onnxruntime-node cannot return).`,
        zipMapFix
      )

/** An ONNX output can feed a column when its element type and per-row shape fit the feature's. */
const checkTensorOutput = (feature: Signature.FeatureSpec, output: TensorMeta) =>
  Effect.gen(function* () {
    yield* requireTensor(feature, output)
    const type = output.type ?? ""
    const numeric = DataType.isNumeric(feature.dtype) || feature.dtype === "BOOL"
    if (
      type === "string" ? feature.dtype !== "STRING" : numeric !== NUMERIC_ONNX.has(type) && type !== "bool"
    ) {
      return yield* fail(
        `the ONNX output "${output.name}" holds ${type} values but the output "${feature.name}" is ${feature.dtype}.`
      )
    }
    const rowShape = (output.shape ?? []).slice(1)
    const featureShape = feature.shape ?? []
    const scalarOk =
      featureShape.length === 0 && (rowShape.length === 0 || (rowShape.length === 1 && rowShape[0] === 1))
    // Sizes both fix must agree; a symbolic size (or -1 in the signature) is checked per batch.
    const fixedDisagree = rowShape.some(
      (dim, i) => typeof dim === "number" && featureShape[i] !== -1 && featureShape[i] !== dim
    )
    if (!scalarOk && (rowShape.length !== featureShape.length || fixedDisagree)) {
      return yield* fail(
        `the ONNX output "${output.name}" has shape ${describeShape(output.shape)} but the output "${feature.name}" has shape ${describeShape(featureShape)}.`,
        `Declare "${feature.name}" with shape ${describeShape(rowShape.map((d) => (typeof d === "number" ? d : -1)))} (-1 where the graph decides the size).`
      )
    }
  })

const structAdvice = (feature: Signature.FeatureGroupSpec) =>
  `the output "${feature.name}" is ${Signature.describeType(feature)}; an ONNX output is a tensor, so only an unshaped struct whose fields are named after (or mapped to) ONNX outputs can be filled.`

/**
 * A struct output: each field from the ONNX output named in `outputs` as `struct.field`, else the
 * output of the field's name.
 */
const bindStruct = (
  feature: Signature.FeatureGroupSpec,
  byName: ReadonlyMap<string, TensorMeta>,
  explicit: Readonly<Record<string, string>>
) =>
  Effect.gen(function* () {
    if (feature.shape !== undefined || feature.specs.some(Signature.isGroup))
      return yield* fail(structAdvice(feature))
    const fields: Array<{ feature: Signature.FeatureSpec; output: string }> = []
    for (const field of feature.specs as ReadonlyArray<Signature.FeatureSpec>) {
      const name = explicit[`${feature.name}.${field.name}`] ?? field.name
      const output = byName.get(name.toUpperCase())
      if (output === undefined) {
        return yield* fail(
          `no ONNX output for the field "${field.name}" of the output "${feature.name}" (the graph's outputs are ${[...byName.values()].map((g) => `"${g.name}"`).join(", ")}).`,
          `Name the field after an ONNX output, or map it with \`outputs: {"${feature.name}.${field.name}": <onnx output>}\`.`
        )
      }
      yield* checkTensorOutput(field, output)
      fields.push({ feature: field, output: output.name })
    }
    return { kind: "struct" as const, feature, fields }
  })

const bindOutputs = (request: PrepareRequest, options: OnnxOptions, graph: ReadonlyArray<TensorMeta>) =>
  Effect.gen(function* () {
    const outputs = request.signature.outputs
    const bindings: Array<OutputBinding> = []
    const byName = new Map(graph.map((g) => [g.name.toUpperCase(), g]))
    const rest = outputs.filter((f) => options.postprocess?.[f.name] === undefined)
    for (const feature of outputs) {
      const step = options.postprocess?.[feature.name]
      if (step === undefined) continue
      const source = byName.get(step.source.toUpperCase())
      if (source === undefined)
        return yield* fail(
          `the postprocess step for "${feature.name}" reads "${step.source}", which is not an output of the graph.`
        )
      yield* requireTensor(feature, source)
      if (step.kind === "argmax") {
        bindings.push({
          kind: "argmax",
          feature,
          output: source.name,
          ...(step.labels === undefined ? {} : { labels: step.labels })
        })
      } else {
        if ("specs" in feature || feature.dtype !== "STRING")
          return yield* fail(`CTC decoding produces text; declare "${feature.name}" as STRING.`)
        bindings.push({
          kind: "ctc",
          feature,
          output: source.name,
          vocabulary: step.vocabulary,
          blank: step.blank ?? 0,
          appendSpace: step.append_space ?? true
        })
      }
    }
    const explicit = options.outputs ?? {}
    const positional =
      rest.length === graph.length &&
      rest.every((f) => explicit[f.name] === undefined && !byName.has(f.name.toUpperCase()))
    for (const [index, feature] of rest.entries()) {
      if (Signature.isGroup(feature) && explicit[feature.name] === undefined) {
        bindings.push(yield* bindStruct(feature, byName, explicit))
        continue
      }
      const named = explicit[feature.name]
      const output =
        named !== undefined
          ? byName.get(named.toUpperCase())
          : (byName.get(feature.name.toUpperCase()) ?? (positional ? graph[index] : undefined))
      if (output === undefined) {
        return yield* fail(
          `no ONNX output for the output "${feature.name}" (the graph's outputs are ${graph.map((g) => `"${g.name}"`).join(", ")}).`,
          "Name outputs after the graph's, or map them with the `outputs` engine option."
        )
      }
      if (Signature.isGroup(feature)) return yield* fail(structAdvice(feature))
      yield* checkTensorOutput(feature, output)
      bindings.push({ kind: "tensor", feature, output: output.name })
    }
    return bindings
  })

/** Bind a request's signature to a graph's inputs and outputs, or explain why they do not fit. */
export const bind = (
  request: PrepareRequest,
  options: OnnxOptions,
  model: Artifact,
  graph: { readonly inputs: ReadonlyArray<TensorMeta>; readonly outputs: ReadonlyArray<TensorMeta> }
): Effect.Effect<Binding, EnginePrepareError> =>
  Effect.gen(function* () {
    const inputs = yield* bindInputs(request, options, graph.inputs)
    const outputs = yield* bindOutputs(request, options, graph.outputs)
    const fetched = outputs.flatMap((o) => (o.kind === "struct" ? o.fields.map((f) => f.output) : [o.output]))
    return { model, inputs, outputs, fetches: [...new Set(fetched)] }
  })
