/**
 * runbatch's side of the ONNX benchmarks: a job staged the way the client stages it (input parquet
 * in the job's folder, plan written, plugins recorded) and one replica run in this process from the
 * staged shards to the committed output. Staging is setup; only the replica is timed.
 */
import { spawn } from "node:child_process"
import { LocalAccount } from "@runbatch/account"
import { Progress, type ProgressLine, ReplicaCommand, ReplicaMonitor, runReplica } from "@runbatch/runtime"
import { Sql } from "@runbatch/session"
import { StageStore } from "@runbatch/stage-io"
import { JobFixture } from "@runbatch/testkit"
import { Effect, Layer } from "effect"

const account = (home: string) => LocalAccount.layer({ home, database: "ML", schema: "PUBLIC" })

export const stageJob = (
  home: string,
  options: JobFixture.JobFixtureOptions
): Promise<JobFixture.StagedJob> =>
  Effect.runPromise(
    JobFixture.stageJob(options).pipe(
      Effect.provide(
        Layer.mergeAll(StageStore.layerLocal(), Sql.layerLocal()).pipe(Layer.provideMerge(account(home)))
      )
    )
  )

/** Run the whole job as one replica with `cpus` CPUs; returns the wall-clock seconds. */
export const runJob = async (home: string, job: JobFixture.StagedJob, cpus: number): Promise<number> => {
  const lines: Array<ProgressLine> = []
  const start = performance.now()
  await Effect.runPromise(
    runReplica({ plan: job.planLocation, replica: 0, replicas: 1, cpus }).pipe(
      Effect.provide(
        Layer.mergeAll(
          StageStore.layerLocal().pipe(Layer.provide(account(home))),
          ReplicaMonitor.layerAssumeAlive,
          Progress.layerCollect(0, { rows: 0, shards: 0 }, lines)
        )
      )
    )
  )
  return (performance.now() - start) / 1000
}

/**
 * Run the whole job as one `runbatch-replica` process, as a launcher does (the replica command's
 * environment under this process's); returns its wall-clock seconds and the peak RSS it reports
 * (every pipeline thread included).
 */
export const runJobProcess = async (
  home: string,
  job: JobFixture.StagedJob,
  cpus: number
): Promise<{ readonly seconds: number; readonly peakRssBytes: number }> => {
  const start = performance.now()
  const replica = ReplicaCommand.command()
  const child = spawn(replica.command, [...replica.args, "--plan", job.planLocation], {
    env: {
      // As a launcher starts it (RunBatch passes the same to the job's launcher).
      ...ReplicaCommand.environment(),
      ...process.env,
      RUNBATCH_HOME: home,
      RUNBATCH_CPUS: String(cpus)
    },
    stdio: ["ignore", "pipe", "inherit"]
  })
  let output = ""
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString()
  })
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve))
  const seconds = (performance.now() - start) / 1000
  const last = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as {
    type?: string
    peakRssBytes?: number
  }
  if (code !== 0 || last.type !== "done")
    throw new Error(`the replica failed (exit ${code}): ${output.slice(-2000)}`)
  return { seconds, peakRssBytes: last.peakRssBytes ?? 0 }
}
