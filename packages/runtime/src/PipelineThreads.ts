/**
 * A replica's workers as worker threads, one pipeline each. onnxruntime-node runs inference
 * synchronously on the calling thread, and parquet is decoded and encoded in WebAssembly on the calling
 * thread too, so pipelines sharing one thread take turns; on their own threads they use every core
 * (measured: gbdt benchmark, docs/performance.md). The replica's thread stays free to hand out shards,
 * relay progress and, on replica 0, poll for the job's finish.
 *
 * Threads start before the replica has verified its plugins, so their start-up (loading modules and
 * plugins: ~0.4 s of a 2-core machine's time each) overlaps the replica's. Each opens the same stage
 * store from its recipe, loads the same plugins, and asks this thread for shards one at a time, so a
 * slow shard never holds others back. The two sides talk in ThreadProtocol's messages, decoded on
 * receipt. The first failure is returned as the same typed error (ErrorWire); a thread that dies
 * without one is WorkerCrashed. The threads belong to the scope they were started in: when it closes
 * (the replica finished, failed or was interrupted) every thread still running is stopped.
 */
import { Worker } from "node:worker_threads"
import {
  EntryPoint,
  ErrorWire,
  type Sharding,
  type ThreadMessageInvalid,
  WorkerCrashed
} from "@runbatch/spec"
import type { StoreRecipe } from "@runbatch/stage-io"
import { Duration, Effect, Result, type Scope } from "effect"
import type { RetryPolicy } from "./EngineCall.ts"
import type { PipelineResult } from "./Pipeline.ts"
import { Progress, relay } from "./Progress.ts"
import { decodeThreadMessage, envelope, type ThreadMessage } from "./ThreadProtocol.ts"

/** What a pipeline thread is started with (plain data: it is copied to the thread). */
export interface PipelineThreadData {
  readonly planLocation: string
  readonly recipe: StoreRecipe
  readonly searchFrom?: ReadonlyArray<string>
  readonly replica: number
  readonly worker: number
  readonly threads: number
  readonly batchRows: number
  readonly attempts: ReadonlyArray<readonly [number, number]>
  readonly retry?: RetryPolicy
}

const entry = EntryPoint.beside(import.meta.url, "pipeline-thread")

/**
 * V8's young generation per thread. Batches are short-lived garbage in bulk, and by default each
 * isolate lets its young generation grow to 48 MB before collecting, which makes a replica's memory
 * creep up over its first shards. 8 MB keeps that creep smaller at the same speed (gbdt benchmark,
 * docs/performance.md).
 */
const YOUNG_GENERATION_MB = Number(process.env["RUNBATCH_YOUNG_GENERATION_MB"] ?? 8)

/**
 * V8's old generation per thread: unlimited by default. Its heuristics let each thread's heap grow by
 * ~30 MB over the first shards before settling; 128 removes that growth at the same speed (measured),
 * but a batch holding large strings (base64 images for an HTTP engine) could then exhaust a thread,
 * so it is a choice for memory-tight containers, not the default.
 */
const OLD_GENERATION_MB = Number(process.env["RUNBATCH_OLD_GENERATION_MB"] ?? 0)

/** How long a thread asked to stop may take to finish its current batch before it is terminated. */
const STOP_GRACE = Duration.seconds(30)

/** A started pipeline thread, and whether it has exited. */
interface RunningThread {
  readonly thread: Worker
  readonly exited: Promise<void>
  readonly hasExited: () => boolean
}

const startThread = (data: PipelineThreadData): RunningThread => {
  const thread = new Worker(entry.file, {
    workerData: data,
    execArgv: [...entry.execArgv],
    resourceLimits: {
      maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
      ...(OLD_GENERATION_MB > 0 ? { maxOldGenerationSizeMb: OLD_GENERATION_MB } : {})
    }
  })
  let hasExited = false
  const exited = new Promise<void>((done) =>
    thread.once("exit", () => {
      hasExited = true
      done()
    })
  )
  return { thread, exited, hasExited: () => hasExited }
}

/**
 * Ask a thread to stop and wait until it has exited. It is not terminated outright: a native call in
 * flight (sharp's, for one) crashes the process if its thread is torn down under it, so it finishes its
 * current call, releases its session and ends; only one that does not within the grace period is
 * terminated. (Interruptible inside the finalizer that runs it, so the grace period can end the wait.)
 */
const stopThread = ({ thread, exited, hasExited }: RunningThread): Effect.Effect<void> =>
  Effect.promise(() => {
    if (!hasExited()) thread.postMessage(envelope({ type: "stop" }))
    return exited
  }).pipe(
    Effect.interruptible,
    Effect.timeoutOrElse({
      duration: STOP_GRACE,
      orElse: () => Effect.promise(() => thread.terminate().then(() => exited))
    })
  )

export interface Pipelines {
  /**
   * Hand `shards` out to the threads, one at a time, and wait for them all. Threads ask for shards as
   * soon as they are ready; until `run` is called their requests wait.
   */
  readonly run: (
    shards: ReadonlyArray<Sharding.Shard>
  ) => Effect.Effect<PipelineResult & { readonly modules: ReadonlyArray<string> }, Error, Progress>
}

type Received = Result.Result<ThreadMessage, ThreadMessageInvalid>

/**
 * Start `workers` pipeline threads now, so loading their modules and plugins overlaps what the replica
 * does before it has shards to give (reading the plan, verifying plugins). Closing the scope stops every
 * thread still running, all at once, the careful way (`stopThread`).
 */
export const spawnPipelines = (
  data: Omit<PipelineThreadData, "worker">,
  workers: number
): Effect.Effect<Pipelines, never, Scope.Scope> =>
  Effect.gen(function* () {
    // Until `run` is called, messages are kept; then they are handled in order.
    const backlog: Array<{ readonly worker: number; readonly message: Received }> = []
    const exits: Array<{ readonly worker: number; readonly code: number; readonly error?: Error }> = []
    let handle: ((worker: number, message: Received) => void) | undefined
    let handleExit: ((worker: number, code: number, error?: Error) => void) | undefined
    const listen = (running: RunningThread, worker: number) => {
      running.thread.on("message", (raw: unknown) => {
        const message = decodeThreadMessage(raw, { replica: data.replica, worker })
        if (handle === undefined) backlog.push({ worker, message })
        else handle(worker, message)
      })
      let crash: Error | undefined
      running.thread.on("error", (error) => {
        crash = error
      })
      running.thread.on("exit", (code) => {
        if (handleExit === undefined)
          exits.push({ worker, code, ...(crash === undefined ? {} : { error: crash }) })
        else handleExit(worker, code, crash)
      })
    }
    const threads = yield* Effect.acquireRelease(
      Effect.sync(() =>
        Array.from({ length: workers }, (_, worker) => {
          const running = startThread({ ...data, worker })
          listen(running, worker)
          return running
        })
      ),
      (threads) => Effect.forEach(threads, stopThread, { concurrency: "unbounded", discard: true })
    )

    const run = (shards: ReadonlyArray<Sharding.Shard>) =>
      Effect.flatMap(Progress, (progress) =>
        Effect.callback<PipelineResult & { readonly modules: ReadonlyArray<string> }, Error>((resume) => {
          const finished = new Set<number>()
          const modules = new Set<string>()
          let next = 0
          let rows = 0
          let errors = 0
          let failure: Error | undefined
          // The shards each thread is on (one per lane), to name them if the thread dies.
          const current = new Map<number, Array<Sharding.Shard>>()
          // The first failure ends the run; closing the scope then stops the other threads.
          const fail = (error: Error) => {
            if (failure !== undefined || finished.size === workers) return
            failure = error
            resume(Effect.fail(error))
          }
          handle = (worker, received) => {
            if (Result.isFailure(received)) return fail(received.failure)
            const message = received.success
            switch (message.type) {
              case "next": {
                const shard = failure === undefined ? (shards[next++] ?? null) : null
                const running = (current.get(worker) ?? []).filter((s) => s.index !== message.finished)
                current.set(worker, shard === null ? running : [...running, shard])
                threads[worker]!.thread.postMessage(envelope({ type: "shard", shard }))
                return
              }
              case "progress":
                Effect.runSync(relay(progress, message.event))
                return
              case "done":
                finished.add(worker)
                modules.add(message.module)
                rows += message.result.rows
                errors += message.result.errors
                if (finished.size === workers && failure === undefined)
                  resume(Effect.succeed({ rows, errors, modules: [...modules] }))
                return
              case "failed":
                fail(ErrorWire.fromWire(message.error, { replica: data.replica, worker }))
            }
          }
          handleExit = (worker, code, crash) => {
            if (!finished.has(worker)) {
              const running = current.get(worker) ?? []
              const reason = [
                crash?.message ?? `its thread exited with code ${code}.`,
                // A WebAssembly panic (parquet-wasm decoding a damaged file) reads just "unreachable".
                crash?.message === "unreachable"
                  ? "(a WebAssembly module panicked, as on a damaged parquet file)"
                  : "",
                running.length === 0
                  ? ""
                  : `while running ${running
                      .map(
                        (shard) =>
                          `shard ${shard.index} (${shard.file}, row groups ${shard.rowGroupStart}–${shard.rowGroupEnd - 1})`
                      )
                      .join(" and ")}.`
              ]
                .filter((part) => part !== "")
                .join(" ")
              fail(new WorkerCrashed({ replica: data.replica, worker, reason }))
            }
          }
          for (const { worker, message } of backlog.splice(0)) handle(worker, message)
          for (const { worker, code, error } of exits.splice(0)) handleExit(worker, code, error)
          // Interrupted (the replica was cancelled): hand out no more shards; the scope stops the threads.
          return Effect.sync(() => {
            failure ??= new Error("interrupted")
          })
        })
      )
    return { run } satisfies Pipelines
  })
