/**
 * A dry run: every check `runBatch` makes, then a few input rows through the engine in this process,
 * and a report — the column mapping, plugins, replicas and shards the job would have, what the sample
 * gave, and how long the whole job should take. Nothing is written: no claim on the output, no staged
 * input, no plan, no job.
 */
import { JobPlanner } from "@runbatch/planner"
import { FileReader, PluginLogger } from "@runbatch/plugin-api"
import type { PlannedPlugin } from "@runbatch/plugin-host"
import { DEFAULT_BATCH_ROWS, runSample, type SampleRowError } from "@runbatch/runtime"
import { type JobPlan, JobSpec, OutputSpec, Sharding, type Signature, StageLocation } from "@runbatch/spec"
import { SaveMode, StageFileReader, StageStore } from "@runbatch/stage-io"
import type * as Arrow from "apache-arrow"
import { Effect } from "effect"
import * as InputSource from "./InputSource.ts"
import { checkBatch, type RunBatchOptions } from "./RunBatch.ts"

export interface DryRunOptions {
  /** Input rows to run through the engine; default 1000 (fewer when the time budget runs out). */
  readonly sampleRows?: number
  /** Stop starting sample batches after this many seconds; default 3. */
  readonly sampleSeconds?: number
}

export interface DryRunReport {
  /** `DB.SCHEMA.NAME` the job would have. */
  readonly job: string
  readonly model: {
    readonly name: string
    readonly version: string
    readonly function: string
    readonly engine: string
  }
  readonly input: {
    readonly description: string
    readonly rows: number
    readonly columns: ReadonlyArray<Signature.Feature>
  }
  readonly output: {
    readonly location: string
    readonly mode: OutputSpec.SaveMode
    /** Result files already there: what `overwrite` would remove (always none with `error`). */
    readonly existingFiles: number
    readonly columns: ReadonlyArray<Signature.Feature>
  }
  readonly columnMapping: JobPlan.JobPlan["columnMapping"]
  readonly columnHandling: JobPlan.JobPlan["columnHandling"]
  readonly params: JobPlan.JobPlan["params"]
  readonly plugins: ReadonlyArray<PlannedPlugin>
  readonly onError: JobPlan.JobPlan["onError"]
  readonly parallelism: {
    readonly replicas: number
    readonly workersPerReplica: number
    readonly threadsPerWorker: number
    /** The shards the input would be split into (about; never more). */
    readonly shards: number
    readonly batchRows: number
  }
  readonly sample: {
    readonly rows: number
    /** Output rows as the job would write them with `on_error: record` (so with `_ERROR`). */
    readonly outputs: Arrow.Table
    readonly errors: ReadonlyArray<SampleRowError>
    /** Loading the model: each worker pays it once. */
    readonly openSeconds: number
    /** One warm worker's rate. */
    readonly rowsPerSecond: number
    readonly metrics: Readonly<Record<string, number>>
  }
  readonly estimate: {
    /** The sample's rate × workers × replicas: assumes the rate scales with them. */
    readonly rowsPerSecond: number
    readonly seconds: number
  }
  /** With `on_error: fail`, a sample row failed: the job would fail too. */
  readonly wouldFail: boolean
}

export const dryRun = (options: RunBatchOptions, dry: DryRunOptions = {}) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const { checked, jobSpec } = yield* checkBatch(options)
    const { request } = checked
    const mode = OutputSpec.modeOf(request.outputSpec)
    const output = yield* SaveMode.preflight({
      layout: checked.layout,
      mode,
      job: `${checked.jobName.database}.${checked.jobName.schema}.${checked.jobName.name}`,
      ...(request.isActive === undefined ? {} : { isActive: request.isActive })
    })
    const parallelism = JobPlanner.parallelismOf(checked)
    const rows = yield* request.input.count
    const batchRows = checked.maxBatchRows ?? DEFAULT_BATCH_ROWS
    const sampleRows = yield* request.input.collect({ limit: Math.max(1, dry.sampleRows ?? 1000) })
    const sample = yield* runSample({
      plan: JobPlanner.planOf(checked, {
        input: { location: StageLocation.format(checked.layout.input), files: [] },
        shards: []
      }),
      engine: checked.loaded.engine,
      encoders: checked.loaded.encoders,
      threads: parallelism.threads,
      rows: sampleRows,
      batchRows,
      maxSeconds: dry.sampleSeconds ?? 3
    }).pipe(
      Effect.provideService(FileReader, FileReader.of(StageFileReader.readerOf(store))),
      Effect.provideService(PluginLogger, JobPlanner.silentLogger)
    )
    const timed = sample.measured.rows > 0 ? sample.measured : sample.warmup
    const perWorker = timed.seconds > 0 ? timed.rows / timed.seconds : 0
    const total = perWorker * parallelism.workers * parallelism.replicas
    const onError = JobSpec.onErrorOf(jobSpec)
    return {
      job: `${checked.jobName.database}.${checked.jobName.schema}.${checked.jobName.name}`,
      model: {
        name: `${request.version.model.database}.${request.version.model.schema}.${request.version.model.name}`,
        version: request.version.version,
        function: checked.function.name,
        engine: checked.engine.id
      },
      input: {
        description: InputSource.describe(options.input, request.input),
        rows,
        columns: checked.columns
      },
      output: {
        location: StageLocation.format(checked.layout.output),
        mode,
        existingFiles: output.results.length,
        columns: checked.outputSchema
      },
      columnMapping: checked.columnMapping,
      columnHandling: checked.columnHandling,
      params: checked.params,
      plugins: checked.plugins,
      onError,
      parallelism: {
        replicas: parallelism.replicas,
        workersPerReplica: parallelism.workers,
        threadsPerWorker: parallelism.threads,
        // About the target, more when the target's shards would exceed the shard limit.
        shards: Math.min(
          Math.max(parallelism.targetShards, Math.ceil(rows / Sharding.DEFAULT_SHARD_LIMITS.maxRows)),
          Math.max(1, rows)
        ),
        batchRows
      },
      sample: {
        rows: sample.outputs.numRows,
        outputs: sample.outputs,
        errors: sample.errors,
        openSeconds: sample.openSeconds,
        rowsPerSecond: perWorker,
        metrics: sample.metrics
      },
      estimate: {
        rowsPerSecond: total,
        // No rows: nothing to run, whatever the rate.
        seconds: rows === 0 ? 0 : total > 0 ? rows / total + sample.openSeconds : Number.POSITIVE_INFINITY
      },
      wouldFail: onError === "fail" && sample.errors.length > 0
    } satisfies DryRunReport
  })
