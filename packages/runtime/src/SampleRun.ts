/**
 * A dry run's sample: a few input rows through the very code a replica runs on a batch (column
 * handling, type conversion, the engine with its retries, output assembly), in this process and with
 * nothing written. Every row error is collected rather than failing at the first, so a dry run shows
 * them all; the timings give a per-worker rate once the engine is warm.
 */
import type { Sharding } from "@runbatch/spec"
import * as Arrow from "apache-arrow"
import { Effect } from "effect"
import { assemble, ERROR_COLUMN, emptyBatch, recordBatch } from "./BatchAssembly.ts"
import { DEFAULT_RETRY } from "./EngineCall.ts"
import { nullOutputs } from "./OutputTypes.ts"
import { openWorker, type WorkerOpenOptions } from "./Pipeline.ts"
import { Progress } from "./Progress.ts"
import { processBatch } from "./ShardProcessor.ts"

export interface SampleOptions extends Omit<WorkerOpenOptions, "replica" | "worker"> {
  /** The sample rows, with the job's input columns. */
  readonly rows: Arrow.Table
  readonly batchRows: number
  /** Stop starting new batches after this long (the warm-up batch always runs); default 3 s. */
  readonly maxSeconds?: number
}

export interface SampleRowError {
  /** The row within the sample. */
  readonly row: number
  readonly message: string
}

export interface SampleResult {
  /** Output rows as the job writes them with `on_error: record` (so with `_ERROR`). */
  readonly outputs: Arrow.Table
  readonly errors: ReadonlyArray<SampleRowError>
  /** Opening the engine session and encoders (loading the model). */
  readonly openSeconds: number
  /** The first, small batch: the engine's first call is often slow (allocation, compilation). */
  readonly warmup: { readonly rows: number; readonly seconds: number }
  /** The batches after it, full size: the rate a warm worker runs at. */
  readonly measured: { readonly rows: number; readonly seconds: number }
  readonly metrics: Readonly<Record<string, number>>
}

/** Rows in the warm-up batch. */
const WARMUP_ROWS = 8

/** The batches to run: a small warm-up one, then `batchRows` at a time. */
const slices = (total: number, batchRows: number): Array<readonly [number, number]> => {
  const out: Array<readonly [number, number]> = []
  const first = Math.min(total, WARMUP_ROWS, batchRows)
  if (first > 0) out.push([0, first])
  for (let start = first; start < total; start += batchRows)
    out.push([start, Math.min(total, start + batchRows)])
  return out
}

const silentProgress = Progress.layerCollect(0, { rows: 0, shards: 0 }, [])

export const runSample = (options: SampleOptions) =>
  Effect.scoped(
    Effect.gen(function* () {
      const plan = { ...options.plan, onError: "record" as const }
      const opened = performance.now()
      const resources = yield* openWorker({ ...options, plan, replica: 0, worker: 0 })
      const openSeconds = (performance.now() - opened) / 1000

      const input = options.rows.batches.length === 1 ? options.rows.batches[0]! : combine(options.rows)
      const shard: Sharding.Shard = {
        index: 0,
        file: "(dry-run sample)",
        rowGroupStart: 0,
        rowGroupEnd: 0,
        rows: input?.numRows ?? 0
      }
      const outputs: Array<Arrow.RecordBatch> = []
      const errors: Array<SampleRowError> = []
      const metrics: Record<string, number> = {}
      const warmup = { rows: 0, seconds: 0 }
      const measured = { rows: 0, seconds: 0 }
      const budget = (options.maxSeconds ?? 3) * 1000
      const started = performance.now()
      for (const [index, [start, end]] of slices(input?.numRows ?? 0, options.batchRows).entries()) {
        if (index > 0 && performance.now() - started > budget) break
        const t0 = performance.now()
        const done = yield* processBatch(
          { plan, retry: DEFAULT_RETRY },
          resources,
          shard,
          input!.slice(start, end),
          start
        )
        const seconds = (performance.now() - t0) / 1000
        const into = index === 0 ? warmup : measured
        into.rows += end - start
        into.seconds += seconds
        for (const [key, value] of Object.entries(done.metrics ?? {}))
          metrics[key] = (metrics[key] ?? 0) + value
        const column = done.batch.getChild(ERROR_COLUMN)
        for (let row = 0; row < done.batch.numRows; row++) {
          const message = column?.get(row) as string | null | undefined
          if (message !== null && message !== undefined) errors.push({ row: start + row, message })
        }
        outputs.push(done.batch)
      }
      // No rows to sample (an empty input): the outputs still have their columns.
      if (outputs.length === 0) {
        outputs.push(assemble(emptyBatch(options.rows.schema), nullOutputs(plan.outputSchema, 0), []))
      }
      return {
        outputs: new Arrow.Table(outputs),
        errors,
        openSeconds,
        warmup,
        measured,
        metrics
      } satisfies SampleResult
    })
  ).pipe(Effect.provide(silentProgress))

/** One record batch holding every row of a table. */
const combine = (table: Arrow.Table): Arrow.RecordBatch | undefined =>
  table.numRows === 0
    ? undefined
    : recordBatch(
        table.schema.fields,
        Object.fromEntries(table.schema.fields.map((f) => [f.name, table.getChild(f.name)!])),
        table.numRows
      )
