/**
 * How a signature meets an ONNX graph: the model artifact, which features feed which ONNX input
 * (InputBinding) and which ONNX output becomes which output column (OutputBinding). Worked out once in
 * `prepare` (plan time, where every mismatch becomes a clear EnginePrepareError) and again in each
 * worker's `open`.
 */
import type { Artifact, PrepareRequest } from "@runbatch/plugin-api"
import type { EnginePrepareError } from "@runbatch/spec"
import { Effect } from "effect"
import { fail, rowsAxis, type TensorMeta } from "./GraphTensor.ts"
import { bindInputs, type InputBinding } from "./InputBinding.ts"
import type { OnnxOptions } from "./OnnxOptions.ts"
import { bindOutputs, type OutputBinding } from "./OutputBinding.ts"

export type { InputBinding, OutputBinding, TensorMeta }

export interface Binding {
  readonly model: Artifact
  readonly inputs: ReadonlyArray<InputBinding>
  readonly outputs: ReadonlyArray<OutputBinding>
  /** ONNX outputs to fetch (only tensors: ZipMap sequences cannot be returned). */
  readonly fetches: ReadonlyArray<string>
  /** The dimension holding the rows of each fetched output, when it is not the first. */
  readonly outputRowsAxes: Readonly<Record<string, number>>
  /** The graph was exported with a batch of one (`[1, 3, 224, 224]`): it runs one row per call. */
  readonly oneRowPerCall: boolean
}

/** Whether an input's rows dimension is fixed (at 1: other fixed sizes are refused when binding). */
const fixedBatch = (binding: InputBinding, graph: ReadonlyArray<TensorMeta>) => {
  if (binding.kind === "param") return false
  const shape = graph.find((g) => g.name === binding.input)?.shape ?? []
  return typeof shape[binding.kind === "image" ? 0 : binding.batchAxis] === "number"
}

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

/** Bind a request's signature to a graph's inputs and outputs, or explain why they do not fit. */
export const bind = (
  request: PrepareRequest,
  options: OnnxOptions,
  model: Artifact,
  graph: { readonly inputs: ReadonlyArray<TensorMeta>; readonly outputs: ReadonlyArray<TensorMeta> }
): Effect.Effect<Binding, EnginePrepareError> =>
  Effect.gen(function* () {
    const inputs = yield* bindInputs(request, options, graph)
    const outputs = yield* bindOutputs(request, options, graph.outputs)
    const fetches = [
      ...new Set(outputs.flatMap((o) => (o.kind === "struct" ? o.fields.map((f) => f.output) : [o.output])))
    ]
    const outputRowsAxes = Object.fromEntries(
      graph.outputs
        .filter((o) => fetches.includes(o.name))
        .map((o) => [o.name, rowsAxis(o, options.batch_axis)] as const)
        .filter(([, axis]) => axis !== 0)
    )
    const oneRowPerCall = inputs.some((input) => fixedBatch(input, graph.inputs))
    return { model, inputs, outputs, fetches, outputRowsAxes, oneRowPerCall }
  })
