/**
 * A job's supervisor: the detached process the local launcher starts for each job, so a job outlives
 * the client that launched it. It starts replica `i` of `n` as a child process with the environment
 * Snowpark Container Services gives a job container, writes each replica's state where the runtime's
 * ReplicaMonitor reads it, keeps each replica's output as its log, sums progress, and records the job's
 * status until it is terminal — then it exits.
 *
 * - Every replica exits 0 → DONE.
 * - A replica exits non-zero or by a signal → the others are stopped and the job is FAILED, with a
 *   message naming the replica, how it ended, the error of its `failed` line and its last log lines.
 * - A replica whose output is of another version of the protocol → stopped, FAILED (ReplicaOutputMismatch).
 * - A replica command that cannot be started → INTERNAL_ERROR.
 * - A cancel request (cancel.json) → CANCELLING, every replica stopped, CANCELLED.
 * - Stopping is SIGTERM, then SIGKILL after the job's grace period.
 * - Its own SIGTERM/SIGINT (a shutdown) → replicas stopped, FAILED.
 *
 * It refreshes a heartbeat (the modification time of supervisor.json) every second, so a client can
 * tell a live supervisor from one that vanished (killed, machine restarted) and report FAILED rather
 * than RUNNING forever. Replicas stay in the supervisor's process group, so a client that finds the
 * supervisor gone can stop them too.
 *
 * Plain Node and timers, not Effect: the supervisor must start in milliseconds (importing effect alone
 * takes longer than its whole start-up), and it is one process per job that lives exactly as long as
 * its job — the process is its scope. Its steps: `supervise` (below), JobRun (the transitions),
 * ReplicaProcess (one replica), the request poll here.
 */
import { existsSync, mkdirSync, utimesSync } from "node:fs"
import { hostname } from "node:os"
import { files, type JobFiles, type JobRecord, Records, readRecord, writeRecord } from "./JobFolder.ts"
import { isTerminal } from "./JobStatus.ts"
import { bootId } from "./SupervisorLiveness.ts"
import { JobRun, noteIn, writeStatus } from "./supervise/JobRun.ts"
import { startReplica } from "./supervise/ReplicaProcess.ts"

export { failureMessage } from "./supervise/Replica.ts"
export { cpuShare, replicaEnvironment } from "./supervise/ReplicaEnvironment.ts"

/** How often the supervisor looks for requests and refreshes its heartbeat. */
const POLL_MILLIS = 200
const HEARTBEAT_MILLIS = 1000
const PROGRESS_FLUSH_MILLIS = 500

/** The job's record; on failure INTERNAL_ERROR is recorded and the process exits. */
const readJobRecord = (paths: JobFiles): JobRecord | undefined => {
  const note = noteIn(paths)
  try {
    const read = readRecord(Records.job, paths.record)
    if (read === undefined) throw new Error("job.json is missing")
    return read
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    note(`cannot read the job record: ${reason}`)
    try {
      writeStatus(paths, note, "INTERNAL_ERROR", `The supervisor cannot read the job record: ${reason}`)
    } finally {
      process.exit(70)
    }
    return undefined
  }
}

/** Announce this supervisor (supervisor.json: its pid, host and boot). */
const announce = (paths: JobFiles): void => {
  const boot = bootId()
  writeRecord(Records.supervisor, paths.supervisor, {
    pid: process.pid,
    host: hostname(),
    ...(boot === undefined ? {} : { bootId: boot }),
    startedTime: new Date().toISOString()
  })
}

/** A shutdown fails the job; an internal error ends it INTERNAL_ERROR with every replica killed. */
const handleSignals = (run: JobRun): void => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      run.note(`received ${signal}`)
      run.end(
        {
          status: "FAILED",
          message: `The supervisor was stopped by ${signal} before the job finished; its replicas were stopped.`
        },
        signal
      )
    })
  }
  process.on("SIGHUP", () => run.note("received SIGHUP (ignored)"))
  process.on("uncaughtException", (error) => {
    run.note(`internal error: ${error.stack ?? String(error)}`)
    run.killAll()
    try {
      run.writeStatus("INTERNAL_ERROR", `The job's supervisor failed: ${error.message}`)
    } finally {
      run.exit(70)
    }
  })
}

/** What the job's clients ask for, or did: a deletion, an ending recorded elsewhere, a cancel. */
const checkRequests = (run: JobRun): void => {
  const { paths } = run
  if (run.finished) return
  // Deleted or resumed under this run: everything of it is stopped, nothing is written.
  if (!run.ownsFolder()) return
  const status = readRecord(Records.status, paths.status)
  if (status !== undefined && isTerminal(status.status) && run.ending === undefined) {
    // A client took this supervisor for gone (no heartbeat for too long) and ended the job.
    run.end({ status: "FAILED", message: status.message }, `the job was ended elsewhere (${status.status})`)
    return
  }
  if (run.ending === undefined && existsSync(paths.cancel)) {
    const request = readRecord(Records.cancel, paths.cancel)
    run.note(`cancel requested${request === undefined ? "" : ` (${request.reason})`}`)
    run.writeStatus("CANCELLING", "Cancelling: stopping every replica.")
    run.end({ status: "CANCELLED", message: "Cancelled by request." }, "cancelled")
  }
}

/** The heartbeat, the request poll and the progress flush, until the run exits. */
const startTimers = (run: JobRun): void => {
  run.timers.push(
    setInterval(() => {
      if (!run.ownsFolder()) return
      try {
        utimesSync(run.paths.supervisor, new Date(), new Date())
      } catch {
        // It went this instant (the request poll stops the run), or the disk refuses: the heartbeat
        // goes stale and a client reading the job says why.
      }
    }, HEARTBEAT_MILLIS),
    setInterval(() => checkRequests(run), POLL_MILLIS),
    setInterval(() => run.flushProgress(), PROGRESS_FLUSH_MILLIS)
  )
}

export const supervise = (dir: string): void => {
  const paths = files(dir)
  const record = readJobRecord(paths)
  if (record === undefined) return
  announce(paths)
  const run = new JobRun(paths, record)
  run.note(`supervisor ${process.pid} started for ${record.database}.${record.schema}.${record.name}`)
  handleSignals(run)
  startTimers(run)

  // Cancelled before it started: no replica is started at all.
  checkRequests(run)
  if (run.ending !== undefined) return

  mkdirSync(paths.logs, { recursive: true })
  mkdirSync(paths.monitor, { recursive: true })
  let started = 0
  for (let index = 0; index < record.replicas; index++) {
    startReplica(run, index, () => {
      if (++started === record.replicas && run.ending === undefined) run.writeStatus("RUNNING", "")
    })
  }
}
