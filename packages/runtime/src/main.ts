#!/usr/bin/env node
/**
 * `runbatch-replica`: the replica command a launcher starts, once per replica — a local child process,
 * or the entry point of the runtime container in Snowpark Container Services.
 *
 *   runbatch-replica --plan @DB.SCHEMA.STAGE/out/_runbatch/JOB/plan.json
 *
 * Replica index and count come from SNOWFLAKE_JOB_INDEX / SNOWFLAKE_JOBS_COUNT (what SPCS sets for
 * job services with REPLICAS) or --replica / --replicas — without them only a plan of one replica
 * runs; the CPU budget from RUNBATCH_CPUS (or the machine's CPUs, capped by the container's cgroup
 * quota); the local account's home from RUNBATCH_HOME, or in a container the stages alone, each at
 * its stage volume's mount path (RUNBATCH_STAGE_MOUNTS, JSON: stage → folder; RUNBATCH_OBJECT_STORE=1
 * for a volume's write-once rules); the supervisor's replica status folder
 * from RUNBATCH_MONITOR_DIR, and its pid from RUNBATCH_SUPERVISOR_PID (the replica stops when it
 * dies); V8's heap growing factor from RUNBATCH_HEAP_GROWING_PERCENT (default 50; 0 leaves V8's own).
 * The plugins to load come from the plan alone (each recorded with its specifier), never from the
 * environment. Progress and log lines go to stdout as JSON; the exit code is 0 on success, 1 when the
 * job failed, 2 for bad arguments, 130/143 when interrupted.
 */
import { availableParallelism } from "node:os"
import { setFlagsFromString } from "node:v8"
import { ReplicaOutput } from "@runbatch/spec"
import { StageStore } from "@runbatch/stage-io"
import { Cause, Effect, Exit, Fiber, Layer } from "effect"
import { quotaCpus } from "./ContainerCpus.ts"
import { exitAfterOutput } from "./ExitAfterOutput.ts"
import { Progress } from "./Progress.ts"
import { runReplica } from "./Replica.ts"
import { ReplicaMonitor } from "./ReplicaMonitor.ts"
import { parseStageMounts } from "./StageMounts.ts"

const usage = "usage: runbatch-replica --plan @DB.SCHEMA.STAGE/…/plan.json [--replica N --replicas M]"

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? undefined : process.argv[index + 1]
}

const integer = (source: string, text: string | undefined, fallback: number): number => {
  if (text === undefined || text === "") return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(
      `runbatch-replica: ${source} is ${JSON.stringify(text)}, not a whole number\n${usage}\n`
    )
    process.exit(2)
  }
  return value
}

const plan = argument("plan") ?? process.env["RUNBATCH_PLAN"]
if (plan === undefined) {
  process.stderr.write(`runbatch-replica: --plan is required\n${usage}\n`)
  process.exit(2)
}
// Absent, they are left to the plan: one replica runs as 0 of 1, more fail with ReplicaUnplaced.
const indexText = argument("replica") ?? process.env["SNOWFLAKE_JOB_INDEX"]
const countText = argument("replicas") ?? process.env["SNOWFLAKE_JOBS_COUNT"]
const given =
  indexText === undefined || indexText === "" || countText === undefined || countText === ""
    ? {}
    : {
        replica: integer("the replica index", indexText, 0),
        replicas: integer("the replica count", countText, 1)
      }
const replica = given.replica ?? 0
const replicas = given.replicas ?? 1
if (replica >= replicas) {
  process.stderr.write(`runbatch-replica: replica ${replica} is out of range for ${replicas} replica(s)\n`)
  process.exit(2)
}
// In a container the cgroup's quota, not the node's cores, is what the replica may use.
const machineCpus = Math.min(availableParallelism(), quotaCpus() ?? Number.POSITIVE_INFINITY)
const cpus = Math.max(1, integer("RUNBATCH_CPUS", process.env["RUNBATCH_CPUS"], machineCpus))
// V8 lets a small heap grow up to 4× its live size before a full collection; the Arrow buffers promoted
// meanwhile made a replica's peak RSS ~55 MB higher for 100 shards than for 10 (docs/performance.md).
// A fixed factor, set before any pipeline thread starts, keeps the peak flat at the same speed.
const heapGrowingPercent = integer(
  "RUNBATCH_HEAP_GROWING_PERCENT",
  process.env["RUNBATCH_HEAP_GROWING_PERCENT"],
  50
)
if (heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`)
const monitorDir = process.env["RUNBATCH_MONITOR_DIR"]

// Started by a local supervisor: if it dies (kill -9), stop at once instead of running on unwatched.
// Its job then reads FAILED and is resumed; in SPCS the platform stops a service's containers itself.
// Only a direct child can watch its parent this way (a replica command may wrap this one: npx, a shell).
const supervisorPid = Number(process.env["RUNBATCH_SUPERVISOR_PID"])
if (Number.isInteger(supervisorPid) && supervisorPid > 0 && process.ppid === supervisorPid) {
  setInterval(() => {
    if (process.ppid !== supervisorPid) process.kill(process.pid, "SIGKILL")
  }, 200).unref()
}

const write = (line: ReplicaOutput.Line) => process.stdout.write(`${ReplicaOutput.format(line)}\n`)

const mounted = parseStageMounts(process.env["RUNBATCH_STAGE_MOUNTS"])
if ("problem" in mounted) {
  process.stderr.write(`runbatch-replica: ${mounted.problem}\n${usage}\n`)
  process.exit(2)
}

const services = Layer.mergeAll(
  StageStore.layerLocalHome({
    objectStore: process.env["RUNBATCH_OBJECT_STORE"] === "1",
    ...(mounted.mounts === undefined ? {} : { stageMounts: mounted.mounts })
  }),
  monitorDir === undefined
    ? ReplicaMonitor.layerAssumeAlive
    : ReplicaMonitor.layerStatusFolder(monitorDir, replicas),
  Progress.layerStdout(replica, { rows: 0, shards: 0 })
)

const fiber = Effect.runFork(runReplica({ plan, ...given, cpus }).pipe(Effect.provide(services)))
let signal: NodeJS.Signals | undefined
for (const name of ["SIGTERM", "SIGINT"] as const) {
  process.once(name, () => {
    signal = name
    Effect.runFork(Fiber.interrupt(fiber))
  })
}
const exit = await Effect.runPromise(Fiber.await(fiber))

/** The replica's last line, and its exit code. */
const end = (): number => {
  if (Exit.isSuccess(exit)) {
    // The peak memory of the whole process (every pipeline thread included), for capacity planning.
    write({
      type: "done",
      replica,
      summary: exit.value,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      entry: import.meta.url
    })
    return 0
  }
  const failure = Cause.findErrorOption(exit.cause)
  if (failure._tag === "Some") {
    const error = failure.value as { readonly _tag?: string; readonly message?: string }
    write({
      type: "failed",
      replica,
      error: { tag: error._tag ?? "Error", message: error.message ?? String(error) }
    })
    return 1
  }
  if (signal !== undefined) {
    write({ type: "interrupted", replica, signal })
    return signal === "SIGINT" ? 130 : 143
  }
  write({ type: "failed", replica, error: { tag: "Defect", message: Cause.pretty(exit.cause) } })
  return 1
}

// Not process.exit at once: the supervisor may not have read every line yet (ExitAfterOutput.ts).
await exitAfterOutput(end())
