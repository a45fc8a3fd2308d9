/**
 * The entry point of a pipeline worker thread (see PipelineThreads): open the stage store from its
 * recipe, read the plan, load the plugins the plan recorded, run one pipeline with shards asked of the
 * replica's thread, and report the result or the typed error. Messages both ways are ThreadProtocol's;
 * one from the replica that cannot be read fails the pipeline with ThreadMessageInvalid.
 */
import { parentPort, workerData } from "node:worker_threads"
import { makePluginHost } from "@runbatch/plugin-host"
import {
  ErrorWire,
  JobName,
  JobPlan,
  type Sharding,
  StageLocation,
  type ThreadMessageInvalid
} from "@runbatch/spec"
import { OutputCommitter, OutputLayout, StageStore } from "@runbatch/stage-io"
import { Cause, Deferred, Effect, Fiber, Layer, Result } from "effect"
import * as HostCapabilities from "./HostCapabilities.ts"
import { runPipeline } from "./Pipeline.ts"
import type { PipelineThreadData } from "./PipelineThreads.ts"
import { Progress } from "./Progress.ts"
import { loadPlan } from "./Replica.ts"
import { decodeReplicaMessage, envelope, type ThreadMessage } from "./ThreadProtocol.ts"

const port = parentPort!
const data = workerData as PipelineThreadData
const post = (message: ThreadMessage) => port.postMessage(envelope(message))

// Requests for shards, answered in the order they were made (a worker may run several shards at once).
const awaitingShards: Array<(shard: Sharding.Shard | undefined) => void> = []
const nextShard = (finished: Sharding.Shard | undefined) =>
  Effect.callback<Sharding.Shard | undefined>((resume) => {
    awaitingShards.push((shard) => resume(Effect.succeed(shard)))
    post(finished === undefined ? { type: "next" } : { type: "next", finished: finished.index })
  })

const program = Effect.gen(function* () {
  const plan = yield* loadPlan(data.planLocation)
  const host = yield* makePluginHost({
    plugins: JobPlan.pluginSpecifiers(plan),
    ...(data.searchFrom === undefined ? {} : { searchFrom: data.searchFrom })
  })
  const engine = yield* host.engine(plan.engine.id)
  const encoders = yield* Effect.forEach(plan.columnHandling, (handling) =>
    Effect.map(host.encoder(handling.inputFormat, handling.convertTo), (loaded) => ({ handling, loaded }))
  )
  const jobName = JobName.id(plan.job)
  const committer = yield* OutputCommitter.make({
    layout: OutputLayout.make(yield* StageLocation.parse(plan.output.location), jobName)
  })
  return yield* runPipeline({
    plan,
    committer,
    engine,
    encoders,
    replica: data.replica,
    worker: data.worker,
    threads: data.threads,
    batchRows: data.batchRows,
    attempts: new Map(data.attempts),
    nextShard,
    ...(data.retry === undefined ? {} : { retry: data.retry })
  })
}).pipe(
  Effect.provide(HostCapabilities.layer),
  Effect.provide(
    Layer.mergeAll(
      StageStore.layerFromRecipe(data.recipe),
      Progress.layerRelay((event) => post({ type: "progress", event }))
    )
  )
)

// A message from the replica that cannot be read ends the pipeline with that error.
const unreadable = Deferred.makeUnsafe<never, ThreadMessageInvalid>()
const fiber = Effect.runFork(Effect.raceFirst(program, Deferred.await(unreadable)))
port.on("message", (raw: unknown) => {
  const received = decodeReplicaMessage(raw, { replica: data.replica, worker: data.worker })
  if (Result.isFailure(received)) {
    Deferred.doneUnsafe(unreadable, Effect.fail(received.failure))
    return
  }
  const message = received.success
  if (message.type === "shard") {
    awaitingShards.shift()?.(message.shard ?? undefined)
  } else {
    // Stop: interrupting runs the finalizers (the engine session is released); the thread then ends
    // once its event loop is empty, after any native call in flight has completed.
    Effect.runFork(Fiber.interrupt(fiber))
  }
})
const exit = await Effect.runPromise(Fiber.await(fiber))
if (exit._tag === "Success") post({ type: "done", result: exit.value, module: import.meta.url })
else if (!Cause.hasInterruptsOnly(exit.cause)) {
  const failure = Cause.findErrorOption(exit.cause)
  post({
    type: "failed",
    error:
      failure._tag === "Some"
        ? ErrorWire.toWire(failure.value)
        : { tag: "Error", message: Cause.pretty(exit.cause), fields: {} }
  })
}
port.close()
