/**
 * One shard, start to finish: read it in batches (bounded in rows, and in the bytes of the stage files
 * they name: FileBatchCut), apply column handling, bring each mapped column to its feature's type, run
 * the engine (retrying what can be retried), assemble output batches (input columns passed through +
 * outputs), write them as one part and commit it.
 *
 * Row errors either fail the job at the first one (`fail`, naming the shard, the row and the cause)
 * or are recorded in `_ERROR` with null outputs (`record`), keeping one output row per input row.
 * Every message a plugin hands over (row errors, a batch's failure) is redacted before it goes into
 * a RowFailed, `_ERROR` or a log line (plugin-http's `redact`: the secrets the plugins read from the
 * environment, credentials of a known shape) — whatever the plugin did already.
 */
import type {
  EncodeRequest,
  EncoderInstance,
  EngineSession,
  FileReader,
  PluginLogger
} from "@runbatch/plugin-api"
import { redact } from "@runbatch/plugin-http"
import {
  type JobPlan,
  type LocalCopyFailed,
  PluginBatchError,
  RowFailed,
  type Sharding,
  type ShardUnreadable
} from "@runbatch/spec"
import type { OutputCommitter, StageError, StageStore } from "@runbatch/stage-io"
import * as Arrow from "apache-arrow"
import { Effect, type Semaphore, Stream } from "effect"
import { assemble, emptyBatch, selectRows, spreadRows } from "./BatchAssembly.ts"
import { DEFAULT_RETRY, inferWithRetry, type RetryPolicy } from "./EngineCall.ts"
import * as FeatureColumns from "./FeatureColumns.ts"
import { cutByFileBytes, DEFAULT_BATCH_BYTES, type FileBatch, fileColumns } from "./FileBatchCut.ts"
import * as FileMemory from "./FileMemory.ts"
import { normalise, nullOutputs } from "./OutputTypes.ts"
import { Progress } from "./Progress.ts"
import { readShard, shardSchema } from "./ShardReader.ts"
import * as StrictNulls from "./StrictNulls.ts"

export interface ColumnEncoder {
  readonly column: string
  readonly instance: EncoderInstance
  readonly request: EncodeRequest
}

/** What a worker owns: its engine session and its encoders. */
export interface WorkerResources {
  readonly session: EngineSession
  readonly encoders: ReadonlyArray<ColumnEncoder>
  /** Batches the session may run at once (the engine's `concurrentBatches`), across all its shards. */
  readonly batchSlots?: Semaphore.Semaphore
}

/** What running a batch needs: the plan, and how to retry the engine. */
export interface BatchContext {
  readonly plan: JobPlan.JobPlan
  readonly retry?: RetryPolicy
}

export interface ShardContext extends BatchContext {
  readonly committer: OutputCommitter.OutputCommitter
  readonly batchRows: number
}

interface RowProblem {
  readonly column?: string
  readonly message: string
}

const featureBatch = (columns: ReadonlyArray<{ name: string; vector: Arrow.Vector }>, length: number) => {
  const fields = columns.map((c) => new Arrow.Field(c.name, c.vector.type as Arrow.DataType, true))
  const children = columns.map((c) =>
    c.vector.data.length === 1
      ? c.vector.data[0]!
      : Arrow.vectorFromArray([...c.vector] as Array<unknown>, c.vector.type as Arrow.DataType).data[0]!
  )
  return new Arrow.RecordBatch(
    new Arrow.Schema(fields),
    Arrow.makeData({ type: new Arrow.Struct(fields), length, nullCount: 0, children })
  )
}

/**
 * Process one batch; returns the output batch and how many rows carry an error. `firstRow` is the
 * batch's first row within the shard, for messages.
 */
export const processBatch = (
  context: BatchContext,
  resources: WorkerResources,
  shard: Sharding.Shard,
  batch: Arrow.RecordBatch,
  firstRow: number
) =>
  Effect.gen(function* () {
    const { plan } = context
    const progress = yield* Progress
    const record = plan.onError === "record"
    const problems = new Map<number, RowProblem>()
    const note = (row: number, problem: RowProblem) => {
      if (!problems.has(row)) problems.set(row, problem)
    }
    const fail = (row: number, problem: RowProblem) =>
      new RowFailed({
        shard: shard.index,
        file: shard.file,
        row: firstRow + row,
        ...(problem.column === undefined ? {} : { column: problem.column }),
        reason: problem.message
      })

    // A row's stage files, named in its error: the message alone says what went wrong, not with
    // which of the job's files.
    const paths = resources.encoders.map((handler) => batch.getChild(handler.column)!)
    const naming = (row: number, message: string): string => {
      const files = paths
        .map((column) => column.get(row) as unknown)
        // Only stage paths: a column of chat messages (JSON text) is not a file to name.
        .filter(
          (path): path is string =>
            typeof path === "string" && path.startsWith("@") && path.length <= 1024 && !message.includes(path)
        )
      return files.length === 0 ? message : `${message.replace(/\.$/, "")} (${files.join(", ")}).`
    }

    // Column handling: encoded columns replace the raw ones as the features' sources.
    const encoded = new Map<string, Arrow.Vector>()
    for (const handler of resources.encoders) {
      const source = batch.getChild(handler.column)!
      const result = yield* handler.instance.encode(source, handler.request)
      encoded.set(handler.column, result.vector)
      for (const error of result.rowErrors)
        note(error.row, { column: handler.column, message: naming(error.row, redact(error.message)) })
    }

    const features: Array<{ name: string; vector: Arrow.Vector }> = []
    for (const mapping of plan.columnMapping) {
      const feature = plan.signature.inputs.find((f) => f.name === mapping.feature)!
      const source = encoded.get(mapping.column) ?? batch.getChild(mapping.column)!
      const prepared = FeatureColumns.prepare(source, feature, mapping.column, mapping.compatibility)
      for (const error of prepared.errors) note(error.row, { column: mapping.column, message: error.message })
      if (plan.strictNulls === true) {
        for (const row of StrictNulls.nullRows(source, feature)) {
          note(row, { column: mapping.column, message: StrictNulls.message(feature.name) })
        }
      }
      features.push({ name: feature.name, vector: prepared.vector })
    }

    if (!record && problems.size > 0) {
      const [row, problem] = [...problems.entries()].sort((a, b) => a[0] - b[0])[0]!
      return yield* fail(row, problem)
    }

    const okRows = Array.from({ length: batch.numRows }, (_, row) => row).filter((row) => !problems.has(row))
    const engineInput = selectRows(featureBatch(features, batch.numRows), okRows)
    // Outputs for every row of the batch: the engine's for the rows it ran, nulls for the others
    // (built only when the engine ran none of them: most batches never need them).
    let outputs: Arrow.RecordBatch | undefined
    let metrics: Readonly<Record<string, number>> | undefined
    if (okRows.length > 0) {
      const attempt = yield* Effect.result(
        inferWithRetry(
          resources.session,
          engineInput,
          plan.params,
          context.retry ?? DEFAULT_RETRY,
          (error, delay) =>
            progress.log(
              "warn",
              `Retrying a batch of shard ${shard.index} in ${delay} ms: ${redact(error.reason)}`
            )
        )
      )
      if (attempt._tag === "Failure") {
        const failure = attempt.failure
        const reason = redact(failure.reason)
        if (!record) {
          return yield* reason === failure.reason
            ? failure
            : new PluginBatchError({
                plugin: failure.plugin,
                reason,
                retryable: failure.retryable,
                ...(failure.retryAfterMillis === undefined
                  ? {}
                  : { retryAfterMillis: failure.retryAfterMillis })
              })
        }
        for (const row of okRows) note(row, { message: reason })
      } else {
        const result = attempt.success
        if (result.outputs.numRows !== okRows.length) {
          return yield* new PluginBatchError({
            plugin: plan.engine.id,
            reason: `the engine returned ${result.outputs.numRows} rows for a batch of ${okRows.length}; an engine must return one row per input row.`,
            retryable: false
          })
        }
        const normalised = normalise(result.outputs, plan.outputSchema)
        if (typeof normalised === "string") {
          return yield* new PluginBatchError({ plugin: plan.engine.id, reason: normalised, retryable: false })
        }
        // The engine reports rows that failed alone; their outputs are null.
        for (const error of result.rowErrors ?? []) {
          const row = okRows[error.row]
          if (row === undefined) continue
          const message = naming(row, redact(error.message))
          if (!record) return yield* fail(row, { message })
          note(row, { message })
        }
        outputs = spreadRows(normalised, okRows, batch.numRows)
        metrics = result.metrics
      }
    }

    const errors = record
      ? Array.from({ length: batch.numRows }, (_, row) => {
          const problem = problems.get(row)
          return problem === undefined
            ? null
            : problem.column === undefined
              ? problem.message
              : `${problem.column}: ${problem.message}`
        })
      : undefined
    return {
      batch: assemble(batch, outputs ?? nullOutputs(plan.outputSchema, batch.numRows), errors),
      errors: problems.size,
      metrics
    }
  })

/**
 * The output of a shard that yielded no rows: no rows, but its columns — the file's, the outputs' as
 * the plan types them, `_ERROR` when errors are recorded — so a job over no rows still has them.
 */
const emptyOutput = (plan: JobPlan.JobPlan, shard: Sharding.Shard) =>
  Effect.map(shardSchema(plan, shard), (schema) => {
    const errors = plan.onError === "record" ? [] : undefined
    return assemble(emptyBatch(schema), nullOutputs(plan.outputSchema, 0), errors)
  })

/**
 * Run, write and commit one shard as `attempt`; returns its row and error counts. Output batches go
 * into the part as they are produced (the committer writes them row group by row group), so a
 * replica's memory holds a few batches and a row group whatever the shard's size.
 */
export const processShard = (
  context: ShardContext,
  resources: WorkerResources,
  shard: Sharding.Shard,
  attempt: number
) =>
  Effect.gen(function* () {
    const progress = yield* Progress
    // An engine that takes several batches at once (HTTP engines) gets them: its request slots never
    // idle while one batch ends and the next begins. Outputs keep the input's order either way.
    const inFlight = context.plan.batch.concurrentBatches ?? 1
    const files = fileColumns(context.plan)
    const maxBytes = context.plan.batch.maxBatchBytes ?? DEFAULT_BATCH_BYTES
    const rows = readShard(context.plan, shard, context.batchRows)
    // Batches that read stage files are cut by their files' bytes too, before anything is read.
    const batches: Stream.Stream<FileBatch, ShardUnreadable | StageError | LocalCopyFailed, StageStore> =
      files.length === 0
        ? rows.pipe(Stream.map((batch) => ({ batch, fileBytes: 0 })))
        : rows.pipe(
            Stream.mapEffect((batch) => cutByFileBytes(batch, files, maxBytes)),
            Stream.flattenIterable
          )
    let offset = 0
    const outputs = batches.pipe(
      // Read ahead while the engine works on the previous batches.
      Stream.buffer({ capacity: Math.max(2, inFlight) }),
      Stream.map(({ batch, fileBytes }) => {
        const firstRow = offset
        offset += batch.numRows
        return { batch, firstRow, fileBytes }
      }),
      Stream.mapEffect(
        ({ batch, firstRow, fileBytes }) => {
          const run = Effect.andThen(
            // The batches before this one are garbage now (FileMemory).
            Effect.sync(() => FileMemory.beforeFileBatch(fileBytes)),
            processBatch(context, resources, shard, batch, firstRow)
          )
          return resources.batchSlots === undefined ? run : resources.batchSlots.withPermits(1)(run)
        },
        { concurrency: inFlight }
      ),
      Stream.tap((done) => progress.rowsDone(done.batch.numRows, done.errors, done.metrics))
    )
    const written = yield* context.committer.writePartStream(
      shard.index,
      attempt,
      outputs,
      emptyOutput(context.plan, shard)
    )
    yield* context.committer.commitShard(written)
    yield* progress.shardDone
    return { rows: written.part.rows, errors: written.part.errors ?? 0 }
  })

export type ShardServices = StageStore | FileReader | PluginLogger | Progress
