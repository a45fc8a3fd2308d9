/**
 * Which ONNX output (or postprocessed output) becomes which output column: explicit `outputs`, then
 * the same name, then position when the counts agree; a `[batch, 1]` output feeds a scalar column, a
 * struct takes its fields from the outputs named after them.
 */
import type { PrepareRequest } from "@runbatch/plugin-api"
import { DataType, Signature } from "@runbatch/spec"
import { Effect } from "effect"
import { describeShape, fail, NUMERIC_ONNX, perRow, rowsAxis, type TensorMeta } from "./GraphTensor.ts"
import type { OnnxOptions } from "./OnnxOptions.ts"

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
const checkTensorOutput = (feature: Signature.FeatureSpec, output: TensorMeta, options: OnnxOptions) =>
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
    const rowShape = perRow(output, rowsAxis(output, options.batch_axis))
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
  explicit: Readonly<Record<string, string>>,
  options: OnnxOptions
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
      yield* checkTensorOutput(field, output, options)
      fields.push({ feature: field, output: output.name })
    }
    return { kind: "struct" as const, feature, fields }
  })

export const bindOutputs = (
  request: PrepareRequest,
  options: OnnxOptions,
  graph: ReadonlyArray<TensorMeta>
) =>
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
        bindings.push(yield* bindStruct(feature, byName, explicit, options))
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
      yield* checkTensorOutput(feature, output, options)
      bindings.push({ kind: "tensor", feature, output: output.name })
    }
    return bindings
  })
