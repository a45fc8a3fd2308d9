/** Runtime test helpers: a fresh home, a session and stages over it, staged jobs and their results. */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { LocalAccount, Sql } from "@runbatch/session"
import { Signature } from "@runbatch/spec"
import { LocalCopy, ResultsReader, StageStore } from "@runbatch/stage-io"
import { JobFixture, OnnxModels } from "@runbatch/testkit"
import type * as Arrow from "apache-arrow"
import { Effect, Fiber, Layer } from "effect"
import { onTestFinished } from "vitest"
import { Progress, type ProgressLine, ReplicaMonitor, runReplica } from "../src/index.ts"

export const tempHome = (): string => {
  const home = mkdtempSync(join(tmpdir(), "runbatch-runtime-"))
  onTestFinished(() => rmSync(home, { recursive: true, force: true }))
  return home
}

export const accountLayer = (home: string) =>
  Layer.mergeAll(StageStore.layerLocal(), Sql.layerLocal()).pipe(
    Layer.provideMerge(LocalAccount.layer({ home, database: "ML", schema: "PUBLIC" }))
  )

export const stage = (home: string, options: JobFixture.JobFixtureOptions) =>
  Effect.runPromise(JobFixture.stageJob(options).pipe(Effect.provide(accountLayer(home))))

export interface ReplicaRun {
  readonly replica?: number
  readonly replicas?: number
  readonly cpus?: number
  readonly monitor?: Layer.Layer<ReplicaMonitor>
  readonly isolation?: "threads" | "fibers"
  /** Wraps the home's local store (as StoreWithoutLocalPath does). */
  readonly store?: Layer.Layer<StageStore, never, StageStore>
  /** The folder a store without local paths has its files copied into to be read. */
  readonly copies?: string
}

/** Start one replica in this process; returns its fiber and the lines it reports. */
export const forkInProcess = (home: string, job: JobFixture.StagedJob, run: ReplicaRun = {}) => {
  const lines: Array<ProgressLine> = []
  const replica = run.replica ?? 0
  const local = StageStore.layerLocal().pipe(
    Layer.provide(LocalAccount.layer({ home, database: "ML", schema: "PUBLIC" }))
  )
  const replicaRun = runReplica({
    plan: job.planLocation,
    replica,
    replicas: run.replicas ?? 1,
    cpus: run.cpus ?? 2,
    retry: { attempts: 4, baseDelayMillis: 5, maxDelayMillis: 50 },
    ...(run.isolation === undefined ? {} : { isolation: run.isolation })
  })
  const fiber = Effect.runFork(
    (run.copies === undefined
      ? replicaRun
      : Effect.provideService(replicaRun, LocalCopy.TemporaryFolder, run.copies)
    ).pipe(
      Effect.provide(
        Layer.mergeAll(
          run.store === undefined ? local : run.store.pipe(Layer.provide(local)),
          run.monitor ?? ReplicaMonitor.layerAssumeAlive,
          Progress.layerCollect(replica, { rows: 0, shards: 0 }, lines)
        )
      )
    )
  )
  return { fiber, lines }
}

/** Run one replica in this process; returns its exit and the lines it reported. */
export const runInProcess = async (home: string, job: JobFixture.StagedJob, run: ReplicaRun = {}) => {
  const { fiber, lines } = forkInProcess(home, job, run)
  const exit = await Effect.runPromise(Fiber.await(fiber))
  return { exit, lines }
}

/** Wait until `condition` holds (for something another thread or process does; not a timing test). */
export const waitFor = async (condition: () => boolean, millis = 10_000) => {
  const until = Date.now() + millis
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out waiting")
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** The job's results as one table (verified against the manifest). */
export const results = (home: string, location = "@ML.PUBLIC.RESULTS/out/", allowIncomplete = false) =>
  Effect.runPromise(
    ResultsReader.readTable(location, { allowIncomplete }).pipe(Effect.provide(accountLayer(home)))
  )

/** Rows of a table as plain objects, sorted by `key`. */
export const rowsOf = (table: Arrow.Table, key: string): Array<Record<string, unknown>> =>
  table
    .toArray()
    .map((row) => ({ ...(row as { toJSON(): Record<string, unknown> }).toJSON() }))
    .sort((a, b) => Number(a[key]) - Number(b[key]))

const GBDT_FEATURES = 13

/**
 * The sample GBDT (onnx) over `count` rows of ID and F0..F12 (two decimals, the same for the same
 * seed): its model bytes, its rows as onnxruntime takes them, and the job fixture's options.
 */
export const gbdtJob = (count: number, seed: number) => {
  const model = OnnxModels.gbdt()
  const next = OnnxModels.random(seed)
  const rows = Array.from({ length: count }, (_, i) => {
    const row: Record<string, number> = { ID: i }
    for (let j = 0; j < GBDT_FEATURES; j++) row[`F${j}`] = Math.round(next() * 1000) / 100
    return row
  })
  const features = Array.from({ length: GBDT_FEATURES }, (_, j) => Signature.feature(`f${j}`, "DOUBLE"))
  const options = {
    rows,
    columns: [
      Signature.feature("ID", "INT64"),
      ...features.map((f) => Signature.feature(f.name.toUpperCase(), "DOUBLE"))
    ],
    signature: Signature.signature(features, [
      Signature.feature("label", "INT64"),
      Signature.feature("probabilities", "FLOAT", { shape: [3] })
    ]),
    engine: "onnx",
    artifacts: { "model.onnx": model }
  } satisfies JobFixture.JobFixtureOptions
  const features2d = rows.map((r) => Array.from({ length: GBDT_FEATURES }, (_, j) => r[`F${j}`]!))
  return { model, rows, features: features2d, options }
}
