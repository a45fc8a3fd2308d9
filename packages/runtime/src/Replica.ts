/**
 * One replica of a job: the code every runbatch container runs. It reads the job plan from the stage,
 * loads exactly the plugins the plan recorded (same versions, same files), takes its shards by index
 * (`shard % replicas == replica`), skips those already committed (a resumed job), and runs them with
 * `workers` concurrent pipelines, each with its own engine session and encoders. Replica 0 then
 * finishes the output once every replica's shards are committed.
 *
 * Each worker runs on its own worker thread (PipelineThreads): parquet decoding and encoding and
 * onnxruntime's inference all run synchronously on the calling thread, so only separate threads use
 * every core. The CPU budget (`cpus`, from RUNBATCH_CPUS) is split between workers as engine threads.
 */
import { makePluginHost } from "@runbatch/plugin-host"
import { JobName, JobPlan, ReplicaUnplaced, Sharding, StageLocation } from "@runbatch/spec"
import { OutputCommitter, OutputLayout, StageStore } from "@runbatch/stage-io"
import { Effect } from "effect"
import { finish } from "./Coordinator.ts"
import type { RetryPolicy } from "./EngineCall.ts"
import * as HostCapabilities from "./HostCapabilities.ts"
import { type PipelineResult, runPipeline } from "./Pipeline.ts"
import { spawnPipelines } from "./PipelineThreads.ts"
import { Progress } from "./Progress.ts"

/** Rows per batch when neither the job nor the engine says. */
export const DEFAULT_BATCH_ROWS = 4096

export interface ReplicaOptions {
  /** Stage location of the job's plan.json. */
  readonly plan: string
  /**
   * Which replica this is, of how many (SNOWFLAKE_JOB_INDEX, SNOWFLAKE_JOBS_COUNT). Absent: only a
   * plan for one replica runs; a plan for more fails with ReplicaUnplaced.
   */
  readonly replica?: number
  readonly replicas?: number
  /** CPUs this replica may use (engine threads are taken from it). */
  readonly cpus: number
  /** Where to look for plugin packages (default: the working directory, then the plugin host). */
  readonly searchFrom?: ReadonlyArray<string>
  readonly retry?: RetryPolicy
  /**
   * Where the workers run: each on its own worker thread (the default when the stage store can be
   * reopened in a thread), or as fibers on the replica's thread (in-memory stores; engines that only
   * wait on I/O, such as HTTP clients, lose nothing this way).
   */
  readonly isolation?: "threads" | "fibers"
}

export interface ReplicaSummary {
  readonly replica: number
  readonly shards: number
  readonly skipped: number
  readonly rows: number
  readonly errors: number
  readonly finished: boolean
  /** The modules its pipeline threads ran (file URLs; none when it ran fibers). */
  readonly modules: ReadonlyArray<string>
}

/** Read and decode the plan from the stage. */
export const loadPlan = (location: string) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const bytes = yield* store.readBytes(location, { maxBytes: 512 * 1024 * 1024 })
    return yield* JobPlan.parse(new TextDecoder().decode(bytes), location)
  })

/** The next attempt number of each shard: one past any part already written for it. */
const nextAttempts = (layout: OutputLayout.OutputLayout) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const entries = yield* store.list(StageLocation.format(layout.output), { withoutMd5: true })
    const next = new Map<number, number>()
    for (const entry of entries) {
      const match = /part-(\d+)-(\d+)\.parquet$/.exec(entry.path)
      if (match === null) continue
      const shard = Number(match[1])
      next.set(shard, Math.max(next.get(shard) ?? 0, Number(match[2]) + 1))
    }
    return next
  })

/** This replica's index and the replica count: as given, or 0 of 1 for a plan of one replica. */
const placeOf = (options: ReplicaOptions, plan: JobPlan.JobPlan) =>
  options.replica !== undefined && options.replicas !== undefined
    ? Effect.succeed({ replica: options.replica, replicas: options.replicas })
    : plan.replicas <= 1
      ? Effect.succeed({ replica: options.replica ?? 0, replicas: options.replicas ?? 1 })
      : Effect.fail(
          new ReplicaUnplaced({
            missing: options.replica === undefined ? "SNOWFLAKE_JOB_INDEX" : "SNOWFLAKE_JOBS_COUNT",
            planReplicas: plan.replicas
          })
        )

export const runReplica = (given: ReplicaOptions) =>
  Effect.gen(function* () {
    const progress = yield* Progress
    const store = yield* StageStore
    const plan = yield* loadPlan(given.plan)
    const options = { ...given, ...(yield* placeOf(given, plan)) }
    const jobName = JobName.id(plan.job)
    const layout = OutputLayout.make(yield* StageLocation.parse(plan.output.location), jobName)
    const committer = yield* OutputCommitter.make({ layout })
    const mine = Sharding.forReplica(plan.shards, options.replica, options.replicas)
    const done = yield* committer.committed
    const todo = mine.filter((shard) => !done.has(shard.index))
    const attempts = yield* nextAttempts(layout)
    const workers = Math.max(1, Math.min(plan.batch.numWorkers ?? options.cpus, todo.length))
    const threads = Math.max(1, Math.floor(options.cpus / workers))
    const batchRows = plan.batch.maxBatchRows ?? DEFAULT_BATCH_ROWS
    const isolation = options.isolation ?? (store.recipe === undefined ? "fibers" : "threads")
    if (isolation === "threads" && store.recipe === undefined) {
      return yield* Effect.die(
        new Error("isolation: threads needs a stage store that can be reopened in a thread")
      )
    }
    // Threads start loading now, while this thread verifies the plugins.
    const pipelines =
      isolation === "threads" && todo.length > 0 && store.recipe !== undefined
        ? yield* spawnPipelines(
            {
              planLocation: options.plan,
              recipe: store.recipe,
              ...(options.searchFrom === undefined ? {} : { searchFrom: options.searchFrom }),
              replica: options.replica,
              threads,
              batchRows,
              attempts: [...attempts],
              ...(options.retry === undefined ? {} : { retry: options.retry })
            },
            workers
          )
        : undefined

    const host = yield* makePluginHost({
      plugins: JobPlan.pluginSpecifiers(plan),
      ...(options.searchFrom === undefined ? {} : { searchFrom: options.searchFrom })
    })
    yield* host.verify(plan.plugins)
    // Pipeline threads load the engine and encoders themselves; loading them here too (onnxruntime,
    // sharp…) would only take a core from the threads while they start.
    const loadPlugins = Effect.gen(function* () {
      const engine = yield* host.engine(plan.engine.id)
      const encoders = yield* Effect.forEach(plan.columnHandling, (handling) =>
        Effect.map(host.encoder(handling.inputFormat, handling.convertTo), (loaded) => ({ handling, loaded }))
      )
      return { engine, encoders }
    })

    // Shards an earlier attempt committed are done: the job's figures count them (not in its rate).
    const resumed = mine.filter((shard) => done.has(shard.index))
    if (resumed.length > 0) {
      yield* progress.resumed(
        resumed.reduce((n, shard) => n + done.get(shard.index)!.part.rows, 0),
        resumed.length,
        resumed.reduce((n, shard) => n + (done.get(shard.index)!.part.errors ?? 0), 0)
      )
    }
    yield* progress.log("info", todo.length === 0 ? "Nothing left to run." : "Starting inference.")
    let result: PipelineResult & { readonly modules?: ReadonlyArray<string> }
    if (todo.length === 0) result = { rows: 0, errors: 0 }
    else if (pipelines !== undefined) result = yield* pipelines.run(todo)
    else {
      const { engine, encoders } = yield* loadPlugins
      // Fibers on this thread take shards from one list; they share the thread, so no lock is needed.
      let next = 0
      const results = yield* Effect.forEach(
        Array.from({ length: workers }, (_, worker) => worker),
        (worker) =>
          runPipeline({
            plan,
            committer,
            engine,
            encoders,
            replica: options.replica,
            worker,
            threads,
            batchRows,
            attempts,
            nextShard: () => Effect.sync(() => todo[next++]),
            ...(options.retry === undefined ? {} : { retry: options.retry })
          }),
        { concurrency: "unbounded" }
      )
      result = {
        rows: results.reduce((n, r) => n + r.rows, 0),
        errors: results.reduce((n, r) => n + r.errors, 0)
      }
    }
    const { rows, errors, modules = [] } = result
    yield* progress.flush
    yield* progress.log(
      "info",
      `Replica ${options.replica} finished ${todo.length} shard(s), ${rows} row(s).`
    )

    let finished = false
    if (options.replica === 0) {
      const manifest = yield* finish({
        plan,
        committer,
        job: {
          job: jobName,
          planFingerprint: plan.fingerprint,
          runbatchVersion: plan.runbatchVersion,
          startedAt: plan.createdAt,
          model: plan.model,
          function: plan.function.name,
          plugins: plan.plugins
        }
      })
      finished = true
      yield* progress.log(
        "info",
        `Inference finished: ${manifest.rows} row(s) in ${manifest.parts.length} part(s).`
      )
    }
    return {
      replica: options.replica,
      shards: mine.length,
      skipped: mine.length - todo.length,
      rows,
      errors,
      finished,
      modules
    } satisfies ReplicaSummary
  }).pipe(Effect.scoped, Effect.provide(HostCapabilities.layer))
