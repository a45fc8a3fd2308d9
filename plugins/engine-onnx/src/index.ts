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
  Arrow,
  type Artifact,
  defineEngine,
  FileReader,
  type PrepareRequest,
  type RowError
} from "@runbatch/plugin-api"
import { ArrowTypes, EnginePrepareError, PluginBatchError } from "@runbatch/spec"
import { Effect } from "effect"
import * as ort from "onnxruntime-node"
import { imageTensor } from "./ImageTensor.ts"
import { type Binding, bind, modelArtifact, textArtifact } from "./ModelBinding.ts"
import * as OnnxOptions from "./OnnxOptions.ts"
import {
  argmaxColumn,
  ctcColumn,
  labelsOf,
  structColumn,
  tensorColumn,
  vocabularyOf
} from "./OutputColumns.ts"
import { columnsTensor, featureTensor } from "./TensorFeeds.ts"

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
      inputs: session.inputMetadata.map((m) => ({ ...m })),
      outputs: session.outputMetadata.map((m) => ({ ...m }))
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

const batchError = (reason: string) => new PluginBatchError({ plugin: "onnx", reason, retryable: false })

const infer = (
  session: ort.InferenceSession,
  binding: Binding,
  texts: ReadonlyMap<string, string>,
  batch: Arrow.RecordBatch
) =>
  Effect.gen(function* () {
    const rows = batch.numRows
    const feeds: Record<string, ort.Tensor> = {}
    const rowErrors: Array<RowError> = []
    for (const input of binding.inputs) {
      if (input.kind === "columns") {
        feeds[input.input] = columnsTensor(
          input.features.map((f) => batch.getChild(f)!),
          input.type,
          rows
        )
      } else if (input.kind === "tensor") {
        feeds[input.input] = featureTensor(batch.getChild(input.feature)!, input.type, input.dims, rows)
      } else {
        const column = batch.getChild(input.feature)!
        const images = Array.from({ length: rows }, (_, i) => (column.get(i) as Uint8Array | null) ?? null)
        const decoded = yield* Effect.promise(() => imageTensor(images, input.image))
        rowErrors.push(...decoded.failures)
        feeds[input.input] = decoded.tensor
      }
    }
    if (rows === 0) {
      return { outputs: emptyOutputs(binding), rowErrors }
    }
    const results = yield* Effect.tryPromise({
      try: () => session.run(feeds, [...binding.fetches]),
      catch: (error) =>
        batchError(`onnxruntime failed on a batch of ${rows} rows: ${(error as Error).message}`)
    })
    const columns: Record<string, Arrow.Data> = {}
    for (const output of binding.outputs) {
      if (output.kind === "struct") {
        columns[output.feature.name] = structColumn(
          output.feature,
          output.fields.map((f) => tensorColumn(results[f.output]!, f.feature, rows).data[0]!),
          rows
        )
        continue
      }
      const tensor = results[output.output]!
      const vector =
        output.kind === "tensor"
          ? tensorColumn(tensor, output.feature, rows)
          : output.kind === "argmax"
            ? argmaxColumn(
                tensor,
                rows,
                output.labels === undefined ? undefined : labelsOf(texts.get(output.labels)!)
              )
            : ctcColumn(tensor, vocabularyOf(texts.get(output.vocabulary)!, output.appendSpace), output.blank)
      columns[output.feature.name] = vector.data[0]!
    }
    // Failed images were fed as padding; their outputs must not pass for results.
    const failed = new Set(rowErrors.map((e) => e.row))
    return {
      outputs: failed.size === 0 ? new Arrow.RecordBatch(columns) : withNullRows(columns, failed, rows),
      rowErrors
    }
  })

const withNullRows = (columns: Record<string, Arrow.Data>, failed: ReadonlySet<number>, rows: number) =>
  new Arrow.RecordBatch(
    Object.fromEntries(
      Object.entries(columns).map(([name, data]) => {
        const vector = Arrow.makeVector(data)
        return [
          name,
          Arrow.vectorFromArray(
            Array.from({ length: rows }, (_, i) => (failed.has(i) ? null : vector.get(i))),
            data.type
          ).data[0]!
        ]
      })
    )
  )

const emptyOutputs = (binding: Binding) =>
  new Arrow.RecordBatch(
    Object.fromEntries(
      binding.outputs.map((o) => {
        const type =
          o.kind === "ctc" || (o.kind === "argmax" && o.labels !== undefined)
            ? new Arrow.Utf8()
            : o.kind === "argmax"
              ? new Arrow.Int64()
              : ArrowTypes.featureType(o.feature)
        return [o.feature.name, Arrow.vectorFromArray([], type).data[0]!]
      })
    )
  )

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
      return { infer: (batch: Arrow.RecordBatch) => infer(session, binding, texts, batch) }
    })
})
