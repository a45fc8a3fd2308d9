/**
 * The `onnx` engine: ONNX models on onnxruntime-node's CPU provider — the way a TypeScript team runs
 * sklearn, XGBoost, LightGBM, CatBoost and PyTorch models exported to ONNX.
 *
 * `prepare` (plan time) reads the graph's inputs and outputs and binds them to the signature
 * (ModelBinding), refusing what cannot run (wrong shapes or types, a ZipMap output, a missing artifact)
 * before anything starts. `open` creates one session per worker with the worker's share of the CPU
 * budget as intra-op threads (oversubscribing threads is the classic way Node ONNX jobs go slow), and
 * `infer` feeds a batch and turns the outputs into columns.
 */
import {
  type Arrow,
  type Artifact,
  defineEngine,
  FileReader,
  type PrepareRequest
} from "@runbatch/plugin-api"
import { EnginePrepareError, type Json } from "@runbatch/spec"
import { Effect } from "effect"
import * as ort from "onnxruntime-node"
import { tensorMeta } from "./GraphTensor.ts"
import { inferBatch } from "./InferBatch.ts"
import { bind, modelArtifact, textArtifact } from "./ModelBinding.ts"
import * as OnnxOptions from "./OnnxOptions.ts"

/** Rows per batch when the job does not say: large enough to amortise each run's overhead. */
const TABULAR_BATCH_ROWS = 8192
const IMAGE_BATCH_ROWS = 16

const readArtifact = (artifact: Artifact) =>
  Effect.flatMap(FileReader, (reader) =>
    reader.read(artifact.location, { maxBytes: 2 ** 31 - 1 }).pipe(
      Effect.mapError(
        (error) =>
          new EnginePrepareError({
            engine: "onnx",
            reason: `the artifact ${artifact.name} cannot be read: ${error.message}`
          })
      )
    )
  )

const createSession = (bytes: Uint8Array, threads: number | undefined) =>
  Effect.tryPromise({
    try: () =>
      ort.InferenceSession.create(bytes, {
        graphOptimizationLevel: "all",
        executionMode: "sequential",
        interOpNumThreads: 1,
        ...(threads === undefined ? {} : { intraOpNumThreads: threads })
      }),
    catch: (error) =>
      new EnginePrepareError({
        engine: "onnx",
        reason: `onnxruntime cannot load the graph: ${(error as Error).message}`,
        fix: "Check that the artifact is an ONNX model (opset supported by onnxruntime 1.30)."
      })
  })

/** Options, artifacts and graph bound together: what prepare checks and open reuses. */
const load = (request: PrepareRequest, threads: number | undefined) =>
  Effect.gen(function* () {
    const options = yield* OnnxOptions.decode(request.options)
    const model = yield* modelArtifact(request.artifacts, options)
    const session = yield* createSession(yield* readArtifact(model), threads ?? options.threads)
    const binding = yield* bind(request, options, model, {
      inputs: session.inputMetadata.map(tensorMeta),
      outputs: session.outputMetadata.map(tensorMeta)
    })
    const texts = new Map<string, string>()
    for (const output of binding.outputs) {
      const name =
        output.kind === "argmax" ? output.labels : output.kind === "ctc" ? output.vocabulary : undefined
      if (name === undefined || texts.has(name)) continue
      texts.set(
        name,
        new TextDecoder().decode(yield* readArtifact(yield* textArtifact(request.artifacts, name)))
      )
    }
    return { options, session, binding, texts }
  })

export default defineEngine({
  id: "onnx",
  prepare: (request) =>
    Effect.scoped(
      Effect.gen(function* () {
        const { options, session, binding } = yield* load(request, 1)
        yield* Effect.promise(() => session.release())
        return {
          outputSchema: request.signature.outputs,
          capabilities: {
            preferredBatchRows: binding.inputs.some((i) => i.kind === "image")
              ? IMAGE_BATCH_ROWS
              : TABULAR_BATCH_ROWS,
            ...(options.threads === undefined ? {} : { threadsPerSession: options.threads })
          }
        }
      })
    ),
  open: (request) =>
    Effect.gen(function* () {
      const { session, binding, texts } = yield* Effect.acquireRelease(
        load(request, request.threads),
        (loaded) => Effect.promise(() => loaded.session.release()).pipe(Effect.ignore)
      )
      return {
        infer: (batch: Arrow.RecordBatch, params: Readonly<Record<string, Json>>) =>
          inferBatch(session, binding, texts, batch, params)
      }
    })
})
