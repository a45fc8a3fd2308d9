/**
 * A supervised job's run: its replicas, how it is ending, and the transitions between — a replica
 * settled, a stop asked for, the job finished — each writing what the job's clients read (status,
 * progress, monitor files) and noting what it did in supervisor.log. The process exits when every
 * replica settled.
 *
 * Every write is fenced: it happens only while the job folder still holds this run's attempt (its
 * job.json has this run's uid). A supervisor that hung or was stopped while its job was resumed (or
 * deleted) wakes to a folder that is no longer its own; it then kills its replicas and itself (its
 * process group) without writing anything, so no line, status or heartbeat of it lands in the next
 * attempt, and no replica of it goes on committing into the job's output.
 */
import { appendFileSync, closeSync } from "node:fs"
import * as ReplicaStatus from "@runbatch/spec/ReplicaStatus"
import type { ReplicaProgress } from "../JobFolder.ts"
import {
  type JobFiles,
  type JobRecord,
  Records,
  readRecord,
  writeRecord,
  writeTextAtomic
} from "../JobFolder.ts"
import { isTerminal, type JobStatus } from "../JobStatus.ts"
import { failureMessage, type Replica } from "./Replica.ts"

export type Ending = { readonly status: "FAILED" | "CANCELLED" | "INTERNAL_ERROR"; readonly message: string }

/** Append a line to supervisor.log; a deleted job folder has nothing left to write to. */
export const noteIn = (paths: JobFiles) => (message: string) => {
  try {
    appendFileSync(paths.supervisorLog, `${new Date().toISOString()} ${message}\n`)
  } catch {
    // The job folder is gone (deleted).
  }
}

/**
 * Write the job's status, unless another writer already ended it (a client that took the supervisor
 * for gone); whether it was written.
 */
export const writeStatus = (
  paths: JobFiles,
  note: (message: string) => void,
  status: JobStatus,
  message: string
) => {
  const current = readRecord(Records.status, paths.status)
  if (current !== undefined && isTerminal(current.status)) return false
  const now = new Date().toISOString()
  // Noted first: a client that sees the status (a wait wakes as status.json is replaced) then finds
  // the supervisor's log already saying so.
  note(`status ${status}${message === "" ? "" : `: ${message.split("\n")[0]}`}`)
  writeRecord(Records.status, paths.status, {
    status,
    message,
    updatedTime: now,
    completedTime: isTerminal(status) ? now : null
  })
  return true
}

export class JobRun {
  readonly paths: JobFiles
  readonly record: JobRecord
  readonly replicas: Array<Replica> = []
  readonly timers: Array<NodeJS.Timeout> = []
  readonly note: (message: string) => void
  ending: Ending | undefined
  finished = false
  /** The latest progress line of each replica, written out at most twice a second. */
  private readonly progress: Record<string, ReplicaProgress> = {}
  private progressDirty = false

  constructor(paths: JobFiles, record: JobRecord) {
    this.paths = paths
    this.record = record
    const note = noteIn(paths)
    this.note = (message) => {
      if (this.ownsFolder()) note(message)
    }
  }

  /**
   * Whether the job folder still holds this run's attempt; when it does not (resumed or deleted under
   * this run), the run's whole process group is killed here, without a write.
   */
  ownsFolder(): boolean {
    let uid: string | undefined
    try {
      uid = readRecord(Records.job, this.paths.record)?.uid
    } catch {
      uid = undefined
    }
    if (uid === this.record.uid) return true
    this.finished = true
    for (const timer of this.timers) clearInterval(timer)
    this.killAll()
    try {
      // The supervisor leads the group its replicas are in (it was started detached).
      process.kill(-process.pid, "SIGKILL")
    } catch {
      // Not a group leader (started some other way): its replicas were killed above.
    }
    process.exit(0)
  }

  writeStatus(status: JobStatus, message: string): boolean {
    return this.ownsFolder() && writeStatus(this.paths, this.note, status, message)
  }

  /** Replica `index`'s state, where the runtime's ReplicaMonitor reads it. */
  monitor(replica: Replica, state: ReplicaStatus.ReplicaStatus["state"]): void {
    if (!this.ownsFolder()) return
    writeTextAtomic(
      this.paths.monitorFile(replica.index),
      ReplicaStatus.format({ replica: replica.index, state, code: replica.code, signal: replica.signal })
    )
  }

  recordProgress(replica: number, line: ReplicaProgress): void {
    this.progress[String(replica)] = line
    this.progressDirty = true
  }

  flushProgress(): void {
    if (!this.progressDirty || !this.ownsFolder()) return
    this.progressDirty = false
    writeRecord(Records.progress, this.paths.progress, { replicas: { ...this.progress } })
  }

  /** Stop the timers, close the logs and exit the process. */
  exit(code: number): void {
    this.finished = true
    for (const timer of this.timers) clearInterval(timer)
    for (const replica of this.replicas) {
      if (replica.killTimer !== undefined) clearTimeout(replica.killTimer)
      if (replica.logFd !== undefined) closeSync(replica.logFd)
      replica.logFd = undefined
    }
    process.exit(code)
  }

  /** Once every replica settled: record how the job ended, and exit. */
  finish(): void {
    if (this.finished || this.replicas.some((r) => !r.settled)) return
    this.flushProgress()
    // Every replica finished its work: the job is done, even if a stop was asked for meanwhile.
    const succeeded =
      this.replicas.length === this.record.replicas &&
      this.replicas.every((r) => r.code === 0 && r.signal === null)
    if (this.ending === undefined || succeeded) this.writeStatus("DONE", "")
    else this.writeStatus(this.ending.status, this.ending.message)
    this.exit(0)
  }

  /** SIGTERM every running replica, SIGKILL after the job's grace period. */
  stopAll(why: string): void {
    for (const replica of this.replicas) {
      if (replica.exited || replica.child === undefined) continue
      this.note(`stopping replica ${replica.index} (${why}): SIGTERM`)
      replica.child.kill("SIGTERM")
      replica.killTimer ??= setTimeout(() => {
        if (replica.exited) return
        this.note(`replica ${replica.index} still running after ${this.record.stopGraceMillis} ms: SIGKILL`)
        replica.child?.kill("SIGKILL")
      }, this.record.stopGraceMillis)
    }
    this.finish()
  }

  /** End the job (the first ending counts): stop its replicas, then record `next` once they settled. */
  end(next: Ending, why: string): void {
    if (this.ending !== undefined) return
    this.ending = next
    this.stopAll(why)
  }

  /** SIGKILL every replica still running: nothing is left to report to, or the supervisor failed. */
  killAll(): void {
    for (const replica of this.replicas) if (!replica.exited) replica.child?.kill("SIGKILL")
  }

  /** A replica is done (exited and its output drained): a failure ends the job. */
  settle(replica: Replica): void {
    if (replica.settled) return
    replica.settled = true
    if (replica.logFd !== undefined) closeSync(replica.logFd)
    replica.logFd = undefined
    if (replica.killTimer !== undefined) clearTimeout(replica.killTimer)
    if ((replica.code !== 0 || replica.signal !== null) && this.ending === undefined) {
      this.end(
        { status: "FAILED", message: failureMessage(replica, this.record.replicas) },
        `replica ${replica.index} failed`
      )
    }
    this.finish()
  }
}
