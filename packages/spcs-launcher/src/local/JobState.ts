/**
 * A job's state as a client reads it from the job folder. A client never edits what a running
 * supervisor writes; it records a status itself (as a best effort: a read never fails for want of a
 * write) only when no supervisor can: a job whose supervisor
 * vanished without a terminal status reads FAILED (or DONE, when its output was finished), and what is
 * left of it is stopped. A job recorded FAILED or CANCELLED whose output it finished itself reads DONE.
 * A supervisor whose heartbeat is late is looked at twice, a moment apart, before it is taken for gone.
 */
import { existsSync } from "node:fs"
import { Effect } from "effect"
import { attemptProcesses } from "../AttemptProcesses.ts"
import { files, type JobRecord, Records, readRecord, type StatusRecord, writeRecord } from "../JobFolder.ts"
import type { JobRow } from "../JobLauncher.ts"
import { isTerminal, type JobStatus } from "../JobStatus.ts"
import { type Liveness, liveness, stopOrphans } from "../SupervisorLiveness.ts"
import { type FolderError, idOf, io, type LocalContext } from "./LocalContext.ts"
import { outputFinishedBy } from "./OutputFinished.ts"

/** A job's state as a client reads it. */
export interface JobState {
  readonly record: JobRecord
  readonly status: JobStatus
  readonly message: string
  readonly completedTime: string | null
  /** Its supervisor's heartbeat is late: look again before calling it gone. */
  readonly silent?: true
}

/** How long a client waits before it looks again at a supervisor whose heartbeat is late. */
export const SILENCE_RECHECK_MILLIS = 2000

const stateFrom = (record: JobRecord, status: StatusRecord | undefined): JobState => ({
  record,
  status: status?.status ?? "PENDING",
  message: status?.message ?? "",
  completedTime: status?.completedTime ?? null
})

/**
 * A job recorded as ended, as it reads: one recorded FAILED or CANCELLED whose output it finished
 * itself (replica 0 killed between writing `_SUCCESS` and removing the job's working files) is DONE.
 * Reading records nothing: the record stays as written, and `resume` of the job removes what the
 * coordinator left.
 */
const endedAs = (context: LocalContext, record: JobRecord, status: StatusRecord): JobState =>
  (status.status === "FAILED" || status.status === "CANCELLED") && outputFinishedBy(context, record)
    ? {
        ...stateFrom(record, status),
        status: "DONE",
        message: `The job finished: its output is complete (_SUCCESS written), though it was recorded ${status.status}: ${status.message}`
      }
    : stateFrom(record, status)

/** Record the end of a job whose supervisor is gone (or silent for good), and stop what is left of it. */
const endVanished = (
  context: LocalContext,
  dir: string,
  record: JobRecord,
  alive: Extract<Liveness, { state: "gone" | "silent" }>
): JobState => {
  const paths = files(dir)
  // It may have finished between the two reads.
  const again = readRecord(Records.status, paths.status)
  if (again !== undefined && isTerminal(again.status)) return endedAs(context, record, again)
  const deadPid = alive.state === "gone" ? alive.deadPid : undefined
  if (deadPid !== undefined) stopOrphans(deadPid)
  // Silent is not gone: a hung or stopped supervisor on this machine may wake and write again.
  const lingering = alive.state === "silent" ? attemptProcesses(dir) : []
  const now = new Date().toISOString()
  const ended = (status: JobStatus, message: string): JobState => {
    const written: StatusRecord = { status, message, updatedTime: now, completedTime: now }
    try {
      writeRecord(Records.status, paths.status, written)
    } catch {
      // Recording the end is for later readers; a read on a full or read-only disk still answers, and
      // the next read comes to the same end.
    }
    return stateFrom(record, written)
  }
  // The coordinator wrote _SUCCESS (every shard committed, the manifest written) and only the
  // supervisor's own record of it was lost: the job is done.
  if (outputFinishedBy(context, record))
    return ended("DONE", "The job finished; its supervisor stopped before recording it.")
  return ended(
    "FAILED",
    alive.state === "gone" && alive.neverStarted === true
      ? `The job never started: ${alive.reason}. Remove it (runbatch jobs rm ${idOf(record)}) and run it again.`
      : lingering.length > 0
        ? `The supervisor stopped answering before the job finished: ${alive.reason}. Its processes (pid ${lingering.join(", ")}) are still there, stopped or hung: stop them with runbatch jobs cancel ${idOf(record)}, then resume it.`
        : `The supervisor stopped before the job finished: ${alive.reason}.${deadPid === undefined ? "" : " Its replicas were stopped."} Resume it (runbatch jobs resume ${idOf(record)}): only its uncommitted shards run again.`
  )
}

/**
 * The job's state, or undefined when it does not exist (or `uid` is given and the folder now holds
 * another job of the same name). A late heartbeat counts only when `silenceConfirmed` (the second
 * look). Plain Node: it throws what the folder's reads throw.
 */
export const readState = (
  context: LocalContext,
  dir: string,
  uid: string | undefined,
  silenceConfirmed: boolean
): JobState | undefined => {
  const paths = files(dir)
  const record = readRecord(Records.job, paths.record)
  if (record === undefined || (uid !== undefined && record.uid !== uid)) return undefined
  const status = readRecord(Records.status, paths.status)
  if (status !== undefined && isTerminal(status.status)) return endedAs(context, record, status)
  const alive = liveness(dir, record, context.heartbeatTimeoutMillis)
  if (alive.state === "silent" && !silenceConfirmed) return { ...stateFrom(record, status), silent: true }
  if (alive.state === "gone" || alive.state === "silent") return endVanished(context, dir, record, alive)
  const current = stateFrom(record, status)
  if ((current.status === "PENDING" || current.status === "RUNNING") && existsSync(paths.cancel))
    return { ...current, status: "CANCELLING" }
  return current
}

/** The job's state, looking twice at a supervisor whose heartbeat is late. */
export const stateOf = Effect.fn("LocalLauncher.stateOf")(function* (
  context: LocalContext,
  dir: string,
  uid?: string
): Effect.fn.Return<JobState | undefined, FolderError> {
  const first = yield* io(dir, () => readState(context, dir, uid, false))
  if (first?.silent !== true) return first
  yield* Effect.sleep(Math.min(SILENCE_RECHECK_MILLIS, context.heartbeatTimeoutMillis))
  return yield* io(dir, () => readState(context, dir, uid, true))
})

/** A job's `listJobs` row. */
export const rowOf = (state: JobState): JobRow => ({
  name: state.record.name,
  status: state.status,
  message: state.message,
  databaseName: state.record.database,
  schemaName: state.record.schema,
  owner: state.record.owner,
  computePool: state.record.computePool,
  targetInstances: state.record.replicas,
  createdTime: new Date(state.record.createdTime),
  completedTime: state.completedTime === null ? null : new Date(state.completedTime)
})
