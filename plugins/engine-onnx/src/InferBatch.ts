/**
 * One batch through an open session: the bound features become the graph's feeds, onnxruntime runs,
 * and its outputs become the signature's output columns. Anything that goes wrong on the way — a size
 * the graph decides at run time that contradicts the signature, a value that will not convert — fails
 * the batch with a PluginBatchError naming it, never a raw exception.
 */
import { Arrow, type RowError } from "@runbatch/plugin-api"
import { ArrowTypes, type Json, PluginBatchError } from "@runbatch/spec"
import { Effect } from "effect"
import type * as ort from "onnxruntime-node"
import { imageTensor } from "./ImageTensor.ts"
import type { Binding, OutputBinding } from "./ModelBinding.ts"
import {
  argmaxColumn,
  ctcColumn,
  labelsOf,
  rowShapeProblem,
  structColumn,
  tensorColumn,
  vocabularyOf
} from "./OutputColumns.ts"
import { columnsTensor, featureTensor, paramTensor } from "./TensorFeeds.ts"
import { joinRows, moveRows, rowsFirst } from "./TensorRows.ts"

const batchError = (reason: string) => new PluginBatchError({ plugin: "onnx", reason, retryable: false })

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** The graph's feeds for a batch, and the rows whose image would not decode. */
const feedsOf = (binding: Binding, batch: Arrow.RecordBatch, params: Readonly<Record<string, Json>>) =>
  Effect.gen(function* () {
    const rows = batch.numRows
    const feeds: Record<string, ort.Tensor> = {}
    const rowErrors: Array<RowError> = []
    for (const input of binding.inputs) {
      if (input.kind === "image") {
        const column = batch.getChild(input.feature)!
        const images = Array.from({ length: rows }, (_, i) => (column.get(i) as Uint8Array | null) ?? null)
        const decoded = yield* Effect.tryPromise({
          try: () => imageTensor(images, input.image),
          catch: (error) => batchError(`cannot feed the ONNX input "${input.input}": ${describe(error)}`)
        })
        rowErrors.push(...decoded.failures)
        feeds[input.input] = decoded.tensor
        continue
      }
      feeds[input.input] = yield* Effect.try({
        try: () =>
          input.kind === "columns"
            ? moveRows(
                columnsTensor(
                  input.features.map((f) => batch.getChild(f)!),
                  input.type,
                  rows
                ),
                input.batchAxis
              )
            : input.kind === "param"
              ? paramTensor(params[input.param] ?? null, input.type)
              : moveRows(
                  featureTensor(batch.getChild(input.feature)!, input.type, input.dims, rows),
                  input.batchAxis
                ),
        catch: (error) => batchError(`cannot feed the ONNX input "${input.input}": ${describe(error)}`)
      })
    }
    return { feeds, rowErrors }
  })

/** The column of one output binding from the graph's results. */
const outputColumn = (
  output: OutputBinding,
  fetched: ort.InferenceSession.OnnxValueMapType,
  binding: Binding,
  texts: ReadonlyMap<string, string>,
  rows: number
): Arrow.Data => {
  // Rows first, wherever the graph keeps them: each row's values are then contiguous.
  const tensorOf = (name: string) => rowsFirst(fetched[name]!, binding.outputRowsAxes[name] ?? 0)
  const checked = (tensor: ort.Tensor, feature: Parameters<typeof tensorColumn>[1]) => {
    const problem = rowShapeProblem(tensor, feature, rows)
    if (problem !== undefined) throw new Error(problem)
    return tensorColumn(tensor, feature, rows).data[0]!
  }
  switch (output.kind) {
    case "struct":
      return structColumn(
        output.feature,
        output.fields.map((f) => checked(tensorOf(f.output), f.feature)),
        rows
      )
    case "tensor":
      return checked(tensorOf(output.output), output.feature)
    case "argmax":
      return argmaxColumn(
        tensorOf(output.output),
        rows,
        output.labels === undefined ? undefined : labelsOf(texts.get(output.labels)!)
      ).data[0]!
    case "ctc":
      return ctcColumn(
        tensorOf(output.output),
        vocabularyOf(texts.get(output.vocabulary)!, output.appendSpace),
        output.blank
      ).data[0]!
  }
}

const runSession = (
  session: ort.InferenceSession,
  binding: Binding,
  feeds: Record<string, ort.Tensor>,
  rows: number
) =>
  Effect.tryPromise({
    try: () => session.run(feeds, [...binding.fetches]),
    catch: (error) => batchError(`onnxruntime failed on a batch of ${rows} rows: ${describe(error)}`)
  })

/** The graph's outputs for a batch: one call, or one per row for a graph of a fixed batch of one. */
const runGraph = (
  session: ort.InferenceSession,
  binding: Binding,
  batch: Arrow.RecordBatch,
  params: Readonly<Record<string, Json>>
) =>
  Effect.gen(function* () {
    if (!binding.oneRowPerCall || batch.numRows === 1) {
      const { feeds, rowErrors } = yield* feedsOf(binding, batch, params)
      return { results: yield* runSession(session, binding, feeds, batch.numRows), rowErrors }
    }
    const perRow: Array<ort.InferenceSession.OnnxValueMapType> = []
    const rowErrors: Array<RowError> = []
    for (let row = 0; row < batch.numRows; row++) {
      const one = yield* feedsOf(binding, batch.slice(row, row + 1), params)
      rowErrors.push(...one.rowErrors.map((e) => ({ ...e, row: e.row + row })))
      perRow.push(yield* runSession(session, binding, one.feeds, 1))
    }
    const results = Object.fromEntries(
      binding.fetches.map((name) => [
        name,
        joinRows(
          perRow.map((r) => r[name]!),
          binding.outputRowsAxes[name] ?? 0
        )
      ])
    )
    return { results, rowErrors }
  })

export const inferBatch = (
  session: ort.InferenceSession,
  binding: Binding,
  texts: ReadonlyMap<string, string>,
  batch: Arrow.RecordBatch,
  params: Readonly<Record<string, Json>>
) =>
  Effect.gen(function* () {
    const rows = batch.numRows
    if (rows === 0) return { outputs: emptyOutputs(binding), rowErrors: [] }
    const { results, rowErrors } = yield* runGraph(session, binding, batch, params)
    const columns: Record<string, Arrow.Data> = {}
    for (const output of binding.outputs) {
      columns[output.feature.name] = yield* Effect.try({
        try: () => outputColumn(output, results, binding, texts, rows),
        catch: (error) =>
          batchError(`cannot make the output "${output.feature.name}" of a batch: ${describe(error)}`)
      })
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
