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
 * - A replica command that cannot be started → INTERNAL_ERROR.
 * - A cancel request (cancel.json) → CANCELLING, every replica stopped, CANCELLED.
 * - Stopping is SIGTERM, then SIGKILL after the job's grace period.
 * - Its own SIGTERM/SIGINT (a shutdown) → replicas stopped, FAILED.
 *
 * It refreshes a heartbeat (the modification time of supervisor.json) every second, so a client can
 * tell a live supervisor from one that vanished (killed, machine restarted) and report FAILED rather
 * than RUNNING forever. Replicas stay in the supervisor's process group, so a client that finds the
 * supervisor gone can stop them too.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, utimesSync, writeSync } from "node:fs"
import { hostname } from "node:os"
// The protocol module alone (no dependencies): the supervisor must start in milliseconds.
import * as ReplicaOutput from "@runbatch/spec/ReplicaOutput"
import {
  type CancelRequest,
  files,
  type JobRecord,
  type MonitorRecord,
  type ProgressRecord,
  type ReplicaProgress,
  readJson,
  type StatusRecord,
  type SupervisorRecord,
  writeJsonAtomic
} from "./JobFolder.ts"
import { isTerminal, type JobStatus } from "./JobStatus.ts"
import { lineSplitter, tailText } from "./ReplicaLog.ts"
import { bootId } from "./SupervisorLiveness.ts"

/** How often the supervisor looks for requests and refreshes its heartbeat. */
const POLL_MILLIS = 200
const HEARTBEAT_MILLIS = 1000
const PROGRESS_FLUSH_MILLIS = 500
/** How long a replica's output may keep arriving after it exited (a grandchild holding stdout). */
const DRAIN_MILLIS = 2000
/** Log lines quoted in a failure message. */
const TAIL_LINES = 10

interface Replica {
  readonly index: number
  child: ChildProcess | undefined
  spawned: boolean
  exited: boolean
  settled: boolean
  code: number | null
  signal: string | null
  failure: { readonly tag: string; readonly message: string } | undefined
  readonly tail: Array<string>
  logFd: number | undefined
  killTimer: NodeJS.Timeout | undefined
}

type Ending = { readonly status: "FAILED" | "CANCELLED" | "INTERNAL_ERROR"; readonly message: string }

/** CPU share of one replica: floor(cpus / replicas), at least 1. */
export const cpuShare = (cpus: number, replicas: number): number => Math.max(1, Math.floor(cpus / replicas))

/** The environment of replica `index`: SPCS's job-container variables and runbatch's own. */
export const replicaEnvironment = (
  record: JobRecord,
  index: number,
  monitorDir: string,
  base: NodeJS.ProcessEnv = process.env
): NodeJS.ProcessEnv => ({
  ...base,
  ...record.env,
  SNOWFLAKE_JOB_INDEX: String(index),
  SNOWFLAKE_JOBS_COUNT: String(record.replicas),
  SNOWFLAKE_SERVICE_NAME: record.name,
  SNOWFLAKE_DATABASE: record.database,
  SNOWFLAKE_SCHEMA: record.schema,
  RUNBATCH_PLAN: record.planLocation,
  RUNBATCH_HOME: record.home,
  RUNBATCH_CPUS: String(cpuShare(record.cpus, record.replicas)),
  RUNBATCH_MONITOR_DIR: monitorDir,
  // Replicas stop at once should this supervisor die: nothing would watch them any more.
  RUNBATCH_SUPERVISOR_PID: String(process.pid)
})

const how = (replica: Pick<Replica, "code" | "signal">): string =>
  replica.signal !== null
    ? `was killed by ${replica.signal}`
    : `exited with code ${replica.code === null ? "unknown" : replica.code}`

/** Why the job failed, from the replica that ended it. */
export const failureMessage = (
  replica: Pick<Replica, "index" | "code" | "signal" | "failure" | "tail">,
  replicas: number
): string => {
  const error = replica.failure === undefined ? "" : ` ${replica.failure.tag}: ${replica.failure.message}`
  const tail =
    replica.tail.length === 0
      ? ""
      : `\nLast lines of its log (getLogs({ instance: ${replica.index} })):\n${replica.tail.map((l) => `  ${l}`).join("\n")}`
  return `Replica ${replica.index} of ${replicas} ${how(replica)}.${error}${tail}`
}

export const supervise = (dir: string): void => {
  const paths = files(dir)
  const note = (message: string) => {
    try {
      appendFileSync(paths.supervisorLog, `${new Date().toISOString()} ${message}\n`)
    } catch {
      // The job folder is gone (deleted): nothing left to write to.
    }
  }
  let finished = false
  const timers: Array<NodeJS.Timeout> = []
  const replicas: Array<Replica> = []

  /** Write the job's status, unless another writer already ended it (a client that took us for gone). */
  const writeStatus = (status: JobStatus, message: string): boolean => {
    const current = readJson<StatusRecord>(paths.status)
    if (current !== undefined && isTerminal(current.status)) return false
    const now = new Date().toISOString()
    writeJsonAtomic(paths.status, {
      status,
      message,
      updatedTime: now,
      completedTime: isTerminal(status) ? now : null
    } satisfies StatusRecord)
    note(`status ${status}${message === "" ? "" : `: ${message.split("\n")[0]}`}`)
    return true
  }

  const exit = (code: number) => {
    finished = true
    for (const timer of timers) clearInterval(timer)
    for (const replica of replicas) {
      if (replica.killTimer !== undefined) clearTimeout(replica.killTimer)
      if (replica.logFd !== undefined) closeSync(replica.logFd)
      replica.logFd = undefined
    }
    process.exit(code)
  }

  let record: JobRecord
  try {
    const read = readJson<JobRecord>(paths.record)
    if (read === undefined) throw new Error("job.json is missing")
    record = read
  } catch (error) {
    note(`cannot read the job record: ${String(error)}`)
    try {
      writeStatus("INTERNAL_ERROR", `The supervisor cannot read the job record: ${String(error)}`)
    } finally {
      exit(70)
    }
    return
  }

  const boot = bootId()
  writeJsonAtomic(paths.supervisor, {
    pid: process.pid,
    host: hostname(),
    ...(boot === undefined ? {} : { bootId: boot }),
    startedTime: new Date().toISOString()
  } satisfies SupervisorRecord)
  note(`supervisor ${process.pid} started for ${record.database}.${record.schema}.${record.name}`)

  // Progress: the latest line of each replica, written out at most twice a second.
  const progress: Record<string, ReplicaProgress> = {}
  let progressDirty = false
  const flushProgress = () => {
    if (!progressDirty) return
    progressDirty = false
    writeJsonAtomic(paths.progress, { replicas: { ...progress } } satisfies ProgressRecord)
  }

  const monitor = (replica: Replica, state: MonitorRecord["state"]) =>
    writeJsonAtomic(paths.monitorFile(replica.index), {
      replica: replica.index,
      state,
      code: replica.code,
      signal: replica.signal
    } satisfies MonitorRecord)

  let ending: Ending | undefined

  const finish = () => {
    if (finished || replicas.some((r) => !r.settled)) return
    flushProgress()
    // Every replica finished its work: the job is done, even if a stop was asked for meanwhile.
    const succeeded =
      replicas.length === record.replicas && replicas.every((r) => r.code === 0 && r.signal === null)
    if (ending === undefined || succeeded) writeStatus("DONE", "")
    else writeStatus(ending.status, ending.message)
    exit(0)
  }

  const stopAll = (why: string) => {
    for (const replica of replicas) {
      if (replica.exited || replica.child === undefined) continue
      note(`stopping replica ${replica.index} (${why}): SIGTERM`)
      replica.child.kill("SIGTERM")
      replica.killTimer ??= setTimeout(() => {
        if (replica.exited) return
        note(`replica ${replica.index} still running after ${record.stopGraceMillis} ms: SIGKILL`)
        replica.child?.kill("SIGKILL")
      }, record.stopGraceMillis)
    }
    finish()
  }

  const end = (next: Ending, why: string) => {
    if (ending !== undefined) return
    ending = next
    stopAll(why)
  }

  const settle = (replica: Replica) => {
    if (replica.settled) return
    replica.settled = true
    if (replica.logFd !== undefined) closeSync(replica.logFd)
    replica.logFd = undefined
    if (replica.killTimer !== undefined) clearTimeout(replica.killTimer)
    if ((replica.code !== 0 || replica.signal !== null) && ending === undefined) {
      end(
        { status: "FAILED", message: failureMessage(replica, record.replicas) },
        `replica ${replica.index} failed`
      )
    }
    finish()
  }

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      note(`received ${signal}`)
      end(
        {
          status: "FAILED",
          message: `The supervisor was stopped by ${signal} before the job finished; its replicas were stopped.`
        },
        signal
      )
    })
  }
  process.on("SIGHUP", () => note("received SIGHUP (ignored)"))
  process.on("uncaughtException", (error) => {
    note(`internal error: ${error.stack ?? String(error)}`)
    for (const replica of replicas) if (!replica.exited) replica.child?.kill("SIGKILL")
    try {
      writeStatus("INTERNAL_ERROR", `The job's supervisor failed: ${error.message}`)
    } finally {
      exit(70)
    }
  })

  const checkRequests = () => {
    if (finished) return
    if (!existsSync(paths.record)) {
      // The job was deleted under us: stop everything, there is nothing left to report to.
      for (const replica of replicas) if (!replica.exited) replica.child?.kill("SIGKILL")
      exit(0)
      return
    }
    const status = readJson<StatusRecord>(paths.status)
    if (status !== undefined && isTerminal(status.status) && ending === undefined) {
      // A client took this supervisor for gone (no heartbeat for too long) and ended the job.
      end({ status: "FAILED", message: status.message }, `the job was ended elsewhere (${status.status})`)
      return
    }
    if (ending === undefined && existsSync(paths.cancel)) {
      const request = readJson<CancelRequest>(paths.cancel)
      note(`cancel requested${request === undefined ? "" : ` (${request.reason})`}`)
      writeStatus("CANCELLING", "Cancelling: stopping every replica.")
      end({ status: "CANCELLED", message: "Cancelled by request." }, "cancelled")
    }
  }

  timers.push(
    setInterval(() => {
      try {
        utimesSync(paths.supervisor, new Date(), new Date())
      } catch {
        // Checked below: a deleted job folder stops the supervisor.
      }
    }, HEARTBEAT_MILLIS),
    setInterval(checkRequests, POLL_MILLIS),
    setInterval(flushProgress, PROGRESS_FLUSH_MILLIS)
  )

  // Cancelled before it started: no replica is started at all.
  checkRequests()
  if (ending !== undefined) return

  mkdirSync(paths.logs, { recursive: true })
  mkdirSync(paths.monitor, { recursive: true })
  let started = 0
  for (let index = 0; index < record.replicas; index++) {
    const replica: Replica = {
      index,
      child: undefined,
      spawned: false,
      exited: false,
      settled: false,
      code: null,
      signal: null,
      failure: undefined,
      tail: [],
      logFd: openSync(paths.log(index), "a"),
      killTimer: undefined
    }
    replicas.push(replica)
    monitor(replica, "starting")
    const remember = (text: string) => {
      if (replica.logFd !== undefined) writeSync(replica.logFd, `${text}\n`)
      const line = ReplicaOutput.parse(text)
      if (line.type === "progress") {
        progress[String(index)] = line.progress
        progressDirty = true
      } else if (line.type === "failed") {
        replica.failure = { tag: line.tag, message: line.message }
      }
      const shown = line.type === "failed" ? undefined : tailText(line)
      if (shown !== undefined) {
        replica.tail.push(shown)
        if (replica.tail.length > TAIL_LINES) replica.tail.shift()
      }
    }
    const child = spawn(record.replicaCommand.command, [...record.replicaCommand.args], {
      cwd: record.cwd,
      env: replicaEnvironment(record, index, paths.monitor),
      stdio: ["ignore", "pipe", "pipe"]
    })
    replica.child = child
    const stdout = lineSplitter(remember)
    const stderr = lineSplitter(remember)
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => stdout.push(chunk))
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk))
    child.once("spawn", () => {
      replica.spawned = true
      note(`replica ${index} started: pid ${child.pid}`)
      monitor(replica, "running")
      if (++started === record.replicas && ending === undefined) writeStatus("RUNNING", "")
    })
    child.once("error", (error) => {
      if (replica.spawned) {
        note(`replica ${index}: ${error.message}`)
        return
      }
      // The command could not be started at all: a fault of the launch, not of the job's work.
      replica.exited = true
      monitor(replica, "exited")
      note(`replica ${index} could not be started: ${error.message}`)
      end(
        {
          status: "INTERNAL_ERROR",
          message: `Replica ${index} of ${record.replicas} could not be started: ${error.message} (command ${record.replicaCommand.command}, in ${record.cwd}).`
        },
        `replica ${index} could not be started`
      )
      settle(replica)
    })
    child.once("exit", (code, signal) => {
      replica.exited = true
      replica.code = code
      replica.signal = signal
      monitor(replica, "exited")
      note(`replica ${index} ${how(replica)}`)
      const drained = () => {
        stdout.end()
        stderr.end()
        settle(replica)
      }
      const timer = setTimeout(drained, DRAIN_MILLIS)
      child.once("close", () => {
        clearTimeout(timer)
        drained()
      })
    })
  }
}
