/**
 * Launching a local job in two steps: `reserve` records it (PENDING, its client staging its input)
 * under its name, `start` starts its supervisor; `launch` is both at once. A job's folder is filled
 * under a temporary name and published by one rename, so a job folder always holds a whole record, and
 * two reservations of one name cannot both succeed.
 */
import { randomUUID } from "node:crypto"
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs"
import { availableParallelism, hostname, userInfo } from "node:os"
import { dirname, join } from "node:path"
import { JobExists, JobLaunchFailed, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { files, type JobRecord, Records, readRecord, removeJobFolder, writeRecord } from "../JobFolder.ts"
import type { JobName, LaunchRequest, Reservation } from "../JobLauncher.ts"
import { supervisorEntry } from "../SupervisorEntry.ts"
import { bootId } from "../SupervisorLiveness.ts"
import { validate } from "./LaunchValidation.ts"
import { idOf, inHome, io, jobDir, type LocalContext } from "./LocalContext.ts"
import { makeHandle } from "./LocalJobHandle.ts"
import { recordStartFailure, spawnSupervisor } from "./SupervisorStart.ts"

/** Which attempt a launch is: the first, or the next of a resumed job. */
export interface Lineage {
  readonly attempt: number
  readonly previous: ReadonlyArray<string>
  readonly createdTime: string
  readonly cwd: string
}

const owner = (): string => {
  try {
    return userInfo().username
  } catch {
    return process.env["USER"] ?? process.env["USERNAME"] ?? "unknown"
  }
}

/** The record of a launch of `request`: the request resolved and completed with defaults. */
const recordOf = (context: LocalContext, request: LaunchRequest, planLocation: string, lineage?: Lineage) =>
  ({
    uid: randomUUID(),
    database: request.job.database,
    schema: request.job.schema,
    name: request.job.name,
    home: context.home,
    cwd: lineage?.cwd ?? process.cwd(),
    planLocation,
    replicas: request.replicas,
    replicaCommand: { command: request.replicaCommand.command, args: [...request.replicaCommand.args] },
    env: { ...request.env },
    cpus: request.cpus ?? availableParallelism(),
    computePool: request.computePool ?? null,
    totals:
      request.totals === undefined ? null : { rows: request.totals.rows, shards: request.totals.shards },
    outputLocation: request.outputLocation ?? null,
    owner: owner(),
    createdTime: lineage?.createdTime ?? new Date().toISOString(),
    stopGraceMillis: context.stopGraceMillis,
    attempt: lineage?.attempt ?? 1,
    previous: lineage?.previous ?? []
  }) satisfies JobRecord

/** Write a new job's folder under a temporary name: its record, PENDING, and its client. */
const stage = (temp: string, record: JobRecord): void => {
  const staged = files(temp)
  const boot = bootId()
  mkdirSync(staged.logs, { recursive: true })
  mkdirSync(staged.monitor, { recursive: true })
  writeRecord(Records.job, staged.record, record)
  writeRecord(Records.status, staged.status, {
    status: "PENDING",
    message: "",
    updatedTime: record.createdTime,
    completedTime: null
  })
  writeRecord(Records.client, staged.client, {
    pid: process.pid,
    host: hostname(),
    ...(boot === undefined ? {} : { bootId: boot }),
    startedTime: new Date().toISOString()
  })
}

/** Rename the staged folder to the job's name; false when a job of that name is there already. */
const publish = (temp: string, dir: string): boolean => {
  try {
    renameSync(temp, dir)
    return true
  } catch (error) {
    rmSync(temp, { recursive: true, force: true })
    const code = (error as NodeJS.ErrnoException).code
    if (code === "ENOTEMPTY" || code === "EEXIST") return false
    throw error
  }
}

/** Record the job (PENDING, its client staging it) under its name, without starting it. */
export const reserve = Effect.fn("LocalLauncher.reserve")(function* (
  context: LocalContext,
  request: LaunchRequest,
  lineage?: Lineage
) {
  yield* validate(request)
  const job: JobName = { database: request.job.database, schema: request.job.schema, name: request.job.name }
  const id = idOf(job)
  const plan = yield* StageLocation.parse(request.planLocation, {
    database: job.database,
    schema: job.schema
  })
  if (!existsSync(supervisorEntry.file)) {
    return yield* new JobLaunchFailed({
      job: id,
      reason: `the launcher's supervisor (${supervisorEntry.file}) is missing: the package is incompletely installed; reinstall @runbatch/spcs-launcher.`
    })
  }
  const record = recordOf(context, request, StageLocation.format(plan), lineage)
  const dir = yield* inHome(context, jobDir(context, job))
  const temp = join(dirname(dir), `.launch-${record.uid}`)
  yield* io(temp, () => stage(temp, record)).pipe(
    Effect.mapError(
      (error) => new JobLaunchFailed({ job: id, reason: `its record cannot be written: ${error.message}` })
    )
  )
  const published = yield* io(dir, () => publish(temp, dir)).pipe(
    Effect.mapError((error) => new JobLaunchFailed({ job: id, reason: error.message }))
  )
  if (!published) return yield* new JobExists({ job: id })
  return {
    job: makeHandle(context, record, dir),
    start: (totals?: LaunchRequest["totals"]) => start(context, record, dir, totals),
    abandon: abandon(record, dir)
  } satisfies Reservation
})

/** Record a reserved job cancelled while its input was staged: it never starts. */
const endUnstarted = (dir: string): void => {
  const paths = files(dir)
  const now = new Date().toISOString()
  writeRecord(Records.status, paths.status, {
    status: "CANCELLED",
    message: "Cancelled while its input was staged; it never started.",
    updatedTime: now,
    completedTime: now
  })
  rmSync(paths.client, { force: true })
}

/**
 * Start a reserved job's supervisor, unless it was deleted meanwhile (JobLaunchFailed) or cancelled
 * (it then ends CANCELLED without having run).
 */
export const start = Effect.fn("LocalLauncher.start")(function* (
  context: LocalContext,
  reserved: JobRecord,
  dir: string,
  totals?: LaunchRequest["totals"]
) {
  const id = idOf(reserved)
  const paths = files(dir)
  const current = yield* io(paths.record, () => readRecord(Records.job, paths.record))
  if (current?.uid !== reserved.uid) {
    return yield* new JobLaunchFailed({ job: id, reason: "it was deleted while its input was staged." })
  }
  const record: JobRecord =
    totals === undefined ? reserved : { ...reserved, totals: { rows: totals.rows, shards: totals.shards } }
  if (yield* io(paths.cancel, () => existsSync(paths.cancel))) {
    yield* io(paths.status, () => endUnstarted(dir))
    return makeHandle(context, record, dir)
  }
  if (totals !== undefined) yield* io(paths.record, () => writeRecord(Records.job, paths.record, record))
  const failed = yield* Effect.sync(() => spawnSupervisor(paths))
  // From here the supervisor answers for the job, not its client.
  yield* io(paths.client, () => rmSync(paths.client, { force: true }))
  if (failed !== undefined) {
    yield* io(paths.status, () => recordStartFailure(paths, failed))
    return yield* new JobLaunchFailed({ job: id, reason: `its supervisor could not be started: ${failed}` })
  }
  return makeHandle(context, record, dir)
})

/** Remove a reserved job that never started (if the folder still holds it). */
const abandon = (reserved: JobRecord, dir: string): Effect.Effect<void> =>
  io(dir, () => {
    if (readRecord(Records.job, files(dir).record)?.uid !== reserved.uid) return
    removeJobFolder(dir, reserved.uid)
  }).pipe(Effect.ignore, Effect.withSpan("LocalLauncher.abandon"))

/** Reserve the job and start it. */
export const launch = Effect.fn("LocalLauncher.launch")(function* (
  context: LocalContext,
  request: LaunchRequest,
  lineage?: Lineage
) {
  const reservation = yield* reserve(context, request, lineage)
  return yield* reservation.start()
})
