/**
 * One worker's pipeline: its own engine session and encoders, then shards one after another — each
 * read in batches, run, written and committed (ShardProcessor) — until the replica has none left to
 * give. The same code runs as a fiber of the replica or inside a worker thread (PipelineThreads).
 */
import type { EncodeRequest, EngineSession } from "@runbatch/plugin-api"
import type { LoadedEncoder, LoadedEngine } from "@runbatch/plugin-host"
import type { JobPlan, Sharding } from "@runbatch/spec"
import type { OutputCommitter } from "@runbatch/stage-io"
import { Effect, Semaphore } from "effect"
import type { RetryPolicy } from "./EngineCall.ts"
import { type ColumnEncoder, processShard, type WorkerResources } from "./ShardProcessor.ts"

export interface PipelineOptions {
  readonly plan: JobPlan.JobPlan
  readonly committer: OutputCommitter.OutputCommitter
  readonly engine: LoadedEngine
  readonly encoders: ReadonlyArray<{
    readonly handling: JobPlan.JobPlan["columnHandling"][number]
    readonly loaded: LoadedEncoder
  }>
  readonly replica: number
  readonly worker: number
  /** Engine threads of this worker's session: its share of the replica's CPUs. */
  readonly threads: number
  readonly batchRows: number
  /** The attempt number each shard's next part is written as. */
  readonly attempts: ReadonlyMap<number, number>
  /**
   * The next shard to run, or undefined when there are none left; told which one the asking lane has
   * just finished (none at first).
   */
  readonly nextShard: (finished: Sharding.Shard | undefined) => Effect.Effect<Sharding.Shard | undefined>
  readonly retry?: RetryPolicy
}

export interface PipelineResult {
  readonly rows: number
  readonly errors: number
}

export interface WorkerOpenOptions {
  readonly plan: JobPlan.JobPlan
  readonly engine: LoadedEngine
  readonly encoders: PipelineOptions["encoders"]
  readonly threads: number
  readonly replica: number
  readonly worker: number
}

/** A worker's engine session and encoders, closed with the scope. */
export const openWorker = (options: WorkerOpenOptions) =>
  Effect.gen(function* () {
    const { plan } = options
    const session: EngineSession = yield* options.engine.engine.open({
      function: plan.function,
      signature: plan.signature,
      options: plan.engine.options,
      params: plan.params,
      // A copy staged with the job is what a replica can reach wherever it runs.
      artifacts: plan.artifacts.map((a) => ({
        name: a.name,
        location: a.staged ?? a.location,
        bytes: a.bytes
      })),
      engineArgsOverride: plan.engine.engineArgsOverride,
      outputSchema: plan.outputSchema,
      threads: options.threads,
      replica: options.replica,
      worker: options.worker
    })
    const encoders: Array<ColumnEncoder> = []
    for (const { handling, loaded } of options.encoders) {
      const request: EncodeRequest = {
        column: handling.column,
        inputFormat: handling.inputFormat,
        convertTo: handling.convertTo
      }
      encoders.push({
        column: handling.column,
        request,
        instance: yield* loaded.encoder.open({ options: {} })
      })
    }
    // Slots only matter when the engine takes several batches (and so several shards) at once.
    const slots = plan.batch.concurrentBatches ?? 1
    return {
      session,
      encoders,
      ...(slots > 1 ? { batchSlots: Semaphore.makeUnsafe(slots) } : {})
    } satisfies WorkerResources
  })

export const runPipeline = (options: PipelineOptions) =>
  Effect.scoped(
    Effect.gen(function* () {
      const { plan } = options
      const resources = yield* openWorker(options)
      // An engine that takes several batches at once works on as many shards at once too, so one
      // shard's last requests and its part's write overlap the next shard's first requests; the
      // session's batch slots still cap the batches in flight.
      const lanes = plan.batch.concurrentBatches ?? 1
      const lane = Effect.gen(function* () {
        let rows = 0
        let errors = 0
        for (
          let shard = yield* options.nextShard(undefined);
          shard !== undefined;
          shard = yield* options.nextShard(shard)
        ) {
          const result = yield* processShard(
            {
              plan,
              committer: options.committer,
              batchRows: options.batchRows,
              ...(options.retry === undefined ? {} : { retry: options.retry })
            },
            resources,
            shard,
            options.attempts.get(shard.index) ?? 0
          )
          rows += result.rows
          errors += result.errors
        }
        return { rows, errors }
      })
      const done = yield* Effect.all(
        Array.from({ length: lanes }, () => lane),
        { concurrency: "unbounded" }
      )
      return {
        rows: done.reduce((sum, d) => sum + d.rows, 0),
        errors: done.reduce((sum, d) => sum + d.errors, 0)
      } satisfies PipelineResult
    })
  )
