/**
 * What the vllm and custom-http benchmarks share: a fake model server in its own process (so this
 * process's CPU time is the client's alone), a job staged the way the client stages it, and one replica
 * run here on fibers (HTTP engines wait on a server; worker threads would only add start-up), timed
 * from plan to committed output. The results are read back and checked: every row exactly once.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { LocalAccount } from "@runbatch/account"
import { Progress, type ProgressLine, ReplicaMonitor, runReplica } from "@runbatch/runtime"
import { Sql } from "@runbatch/session"
import { ResultsReader, StageStore } from "@runbatch/stage-io"
import { FakeServerProcess, JobFixture } from "@runbatch/testkit"
import type * as Arrow from "apache-arrow"
import { Effect, Layer } from "effect"

export interface HttpJobOptions {
  readonly server: FakeServerProcess.ServerSpec
  /** The job, given the server's URL (rows, signature, engine and its options). */
  readonly job: (url: string) => JobFixture.JobFixtureOptions
  /** Throws when the results are not what the input asks for (each row once, right values). */
  readonly check: (table: Arrow.Table) => void
}

export interface HttpJobRun {
  readonly rows: number
  /** Wall-clock seconds of the replica, plan to committed output. */
  readonly seconds: number
  /** Requests the server received (retries included) and faults it injected. */
  readonly requests: number
  readonly faults: Readonly<Record<string, number>>
  /** The most requests the server had in hand at once. */
  readonly maxInFlight: number
  /** This process's CPU time (user + system) over the job, in microseconds. */
  readonly cpuMicros: number
  /** The same, per request. */
  readonly cpuMicrosPerRequest: number
  /** Seconds from the server's first request to its last answer. */
  readonly serverSeconds: number
  /** The server's mean time from a request's arrival to its answer (its timer's slack included). */
  readonly serverLatencyMillis: number
  readonly progress: ProgressLine | undefined
}

const account = (home: string) => LocalAccount.layer({ home, database: "ML", schema: "PUBLIC" })

/** Stage, run and check one job against a fresh server process. */
export const runHttpJob = async (options: HttpJobOptions): Promise<HttpJobRun> => {
  const scratch = mkdtempSync(join(tmpdir(), "runbatch-bench-http-"))
  const home = join(scratch, "home")
  const server = await FakeServerProcess.spawn(options.server)
  try {
    const fixture = options.job(server.url)
    const job = await Effect.runPromise(
      JobFixture.stageJob(fixture).pipe(
        Effect.provide(
          Layer.mergeAll(StageStore.layerLocal(), Sql.layerLocal()).pipe(Layer.provideMerge(account(home)))
        )
      )
    )
    const lines: Array<ProgressLine> = []
    const before = (await server.stats()).stats.requests
    const cpu = process.cpuUsage()
    const started = performance.now()
    await Effect.runPromise(
      runReplica({
        plan: job.planLocation,
        replica: 0,
        replicas: 1,
        cpus: 1,
        isolation: "fibers"
      }).pipe(
        Effect.provide(
          Layer.mergeAll(
            StageStore.layerLocal().pipe(Layer.provide(account(home))),
            ReplicaMonitor.layerAssumeAlive,
            Progress.layerCollect(0, { rows: 0, shards: 0 }, lines)
          )
        )
      )
    )
    const seconds = (performance.now() - started) / 1000
    const used = process.cpuUsage(cpu)
    const { stats } = await server.stats()
    const requests = stats.requests - before
    const table = await Effect.runPromise(
      ResultsReader.readTable("@ML.PUBLIC.RESULTS/out/").pipe(
        Effect.provide(StageStore.layerLocal().pipe(Layer.provide(account(home))))
      )
    )
    options.check(table)
    return {
      rows: table.numRows,
      seconds,
      requests,
      faults: stats.faults as Record<string, number>,
      maxInFlight: stats.maxInFlight,
      cpuMicros: used.user + used.system,
      cpuMicrosPerRequest: (used.user + used.system) / requests,
      serverSeconds: (stats.lastAnswerAt - stats.firstRequestAt) / 1000,
      serverLatencyMillis: stats.meanLatencyMillis,
      progress: lines.filter((l) => l.type === "progress").at(-1)
    }
  } finally {
    await server.close()
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** Every key 0…n-1 exactly once, or an error saying what is wrong. */
export const expectEachRowOnce = (rows: ReadonlyArray<Record<string, unknown>>, key: string, n: number) => {
  if (rows.length !== n) throw new Error(`the job wrote ${rows.length} rows for ${n} input rows`)
  rows.forEach((row, i) => {
    if (Number(row[key]) !== i) throw new Error(`row ${i} is missing or repeated (found ${String(row[key])})`)
  })
}

/**
 * The job at two sizes (after an untimed warm-up): the larger run's figures, and the client's CPU per
 * request as the slope between them — what each further request costs, without the fixed costs of a
 * job (plan, plugin checks, opening the session, the output manifest) that a longer job spreads thin.
 */
export const runHttpJobs = async (
  job: (rows: number) => HttpJobOptions,
  rows: number
): Promise<HttpJobRun & { readonly marginalCpuMicrosPerRequest: number }> => {
  await runHttpJob(job(256))
  const small = await runHttpJob(job(Math.round(rows / 4)))
  const large = await runHttpJob(job(rows))
  return {
    ...large,
    marginalCpuMicrosPerRequest: (large.cpuMicros - small.cpuMicros) / (large.requests - small.requests)
  }
}

/**
 * What both HTTP benchmarks report: throughput against the server, client CPU per request, and the
 * run with a share of requests answered 429 (`limited`, whose rows were each checked to come back once).
 */
export const httpFigures = (
  run: HttpJobRun & { readonly marginalCpuMicrosPerRequest: number },
  limited: HttpJobRun,
  options: {
    readonly inFlight: number
    readonly boundRequestsPerSecond: number
    /** The 429 fault of the limited run. */
    readonly fault: { readonly probability: number; readonly retryAfterSeconds: number }
  }
) => ({
  requestsPerSecond: Math.round(run.requests / run.seconds),
  boundRequestsPerSecond: options.boundRequestsPerSecond,
  clientCpuMicrosPerRequest: Math.round(run.marginalCpuMicrosPerRequest),
  clientCpuMicrosPerRequestWholeJob: Math.round(run.cpuMicrosPerRequest),
  serverWindowRequestsPerSecond: Math.round(run.requests / run.serverSeconds),
  // The server's timer answers a little after its latency; against the bound its real latency gives:
  serverMeanLatencyMillis: Math.round(run.serverLatencyMillis * 100) / 100,
  ratioToServerLatencyBound:
    Math.round((run.requests / run.seconds / (options.inFlight / (run.serverLatencyMillis / 1000))) * 1000) /
    1000,
  serverMaxInFlight: run.maxInFlight,
  with429: {
    share: options.fault.probability,
    retryAfterSeconds: options.fault.retryAfterSeconds,
    rows: limited.rows,
    everyRowOnce: true,
    requests: limited.requests,
    answered429: limited.faults["429"] ?? 0,
    seconds: Math.round(limited.seconds * 100) / 100,
    rowsPerSecond: Math.round(limited.rows / limited.seconds)
  }
})
