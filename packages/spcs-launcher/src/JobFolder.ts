/**
 * A local job's folder, `<home>/jobs/<DB>/<SCHEMA>/<JOB>/`, and the records in it — the protocol
 * between a job's clients and its supervisor:
 *
 * ```
 * job.json              the launch request as recorded (written once, before the folder is published)
 * status.json           status, message, times; written by the supervisor while it runs, by a client
 *                       only when no supervisor is (before it starts, after it vanished)
 * client.json           the pid and host of the client staging the job's input, until it starts the job
 * supervisor.json       the supervisor's pid and host; its modification time is the heartbeat
 * cancel.json           a client's cancel request, which the supervisor acts on
 * progress.json         each replica's latest progress line
 * supervisor.log        what the supervisor did (replicas started, exited, signalled)
 * logs/replica-<i>.log  replica i's stdout and stderr, as its container log would hold them
 * monitor/replica-<i>.json  {replica, state, code, signal}: what the runtime's ReplicaMonitor reads
 *                       (spec's ReplicaStatus is that protocol)
 * attempts/<n>/         a resumed job's earlier attempts, each the folder as it was when it stopped
 * ```
 *
 * Every JSON record is replaced whole (a temporary file renamed over it), so a reader sees the old
 * record or the new one, never half of one. Each file has one writer at a time: a client asks the
 * supervisor for what it wants (cancel.json) instead of editing what the supervisor writes.
 *
 * Each record carries the folder's format version (`version`; records written before it did carry
 * none and are of version 1) and is checked on read against its guard: a record of another version or
 * a damaged one throws UnreadableRecord, naming the file, which clients report as JobRecordUnreadable.
 * Plain Node, no Effect: the supervisor shares this module and starts in milliseconds.
 */
import { randomBytes } from "node:crypto"
import {
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync
} from "node:fs"
import { basename, dirname, join } from "node:path"
// The protocol modules alone (no dependencies): the supervisor must start in milliseconds.
import * as Guard from "@runbatch/spec/Guard"
import type { Counters } from "@runbatch/spec/ReplicaOutput"
import { fileName } from "@runbatch/spec/ReplicaStatus"
import { JOB_STATUSES, type JobStatus } from "./JobStatus.ts"

/** The version of a job folder's records; a reader refuses any other. */
export const RECORD_VERSION = 1

/** What `job.json` holds: the launch request, resolved and completed with defaults. */
export interface JobRecord {
  /** Unique per launch, so a handle never mistakes a new job of the same name for its own. */
  readonly uid: string
  readonly database: string
  readonly schema: string
  readonly name: string
  /** The local account's home (RUNBATCH_HOME for the replicas). */
  readonly home: string
  /** The launching process's working folder: replicas start in it. */
  readonly cwd: string
  readonly planLocation: string
  readonly replicas: number
  readonly replicaCommand: { readonly command: string; readonly args: ReadonlyArray<string> }
  readonly env: Readonly<Record<string, string>>
  /** The job's total CPU budget; each replica gets floor(cpus / replicas), at least 1. */
  readonly cpus: number
  readonly computePool: string | null
  readonly totals: { readonly rows: number; readonly shards: number } | null
  readonly outputLocation: string | null
  readonly owner: string
  readonly createdTime: string
  /** How long replicas asked to stop (SIGTERM) get before they are killed (SIGKILL). */
  readonly stopGraceMillis: number
  /** 1 for a job's first run, then one more each time it is resumed (absent in older records). */
  readonly attempt?: number
  /** The uids of the job's earlier attempts, oldest first; their folders are under `attempts/`. */
  readonly previous?: ReadonlyArray<string>
}

/** What `status.json` holds. */
export interface StatusRecord {
  readonly status: JobStatus
  readonly message: string
  readonly updatedTime: string
  readonly completedTime: string | null
}

/** What `client.json` holds: the process staging a reserved job, which starts it (or abandons it). */
export interface ClientRecord {
  readonly pid: number
  readonly host: string
  /** The machine's boot id (Linux), so a pid from before a restart is never taken for alive. */
  readonly bootId?: string
  readonly startedTime: string
}

/** What `supervisor.json` holds; its modification time is refreshed every second while it runs. */
export type SupervisorRecord = ClientRecord

/**
 * A replica's latest progress line: its counters, as the runtime prints them (spec's ReplicaOutput).
 * `metrics` is missing from progress written before replicas reported it.
 */
export type ReplicaProgress = Omit<Counters, "metrics" | "resumedRows"> & {
  readonly metrics?: Counters["metrics"]
  readonly resumedRows?: number
}

/** What `progress.json` holds: the latest progress line of each replica that has sent one. */
export interface ProgressRecord {
  readonly replicas: Readonly<Record<string, ReplicaProgress>>
}

/** What `cancel.json` holds. */
export interface CancelRequest {
  readonly requestedTime: string
  /** Delete the job once it has stopped (a client deleting a running job). */
  readonly reason: "cancel" | "delete"
}

/** One kind of record: its guard, and what it is called in messages. */
export interface RecordKind<A> {
  readonly name: string
  readonly guard: Guard.Guard<A>
}

const { count, literal, nullable, number, optional, string, struct } = Guard
const totals = struct({ rows: count, shards: count })

export const Records = {
  job: {
    name: "job.json",
    guard: Guard.exactly<JobRecord>()(
      struct({
        uid: string,
        database: string,
        schema: string,
        name: string,
        home: string,
        cwd: string,
        planLocation: string,
        replicas: count,
        replicaCommand: struct({ command: string, args: Guard.array(string) }),
        env: Guard.record(string),
        cpus: count,
        computePool: nullable(string),
        totals: nullable(totals),
        outputLocation: nullable(string),
        owner: string,
        createdTime: string,
        stopGraceMillis: count,
        attempt: optional(count),
        previous: optional(Guard.array(string))
      })
    )
  },
  status: {
    name: "status.json",
    guard: Guard.exactly<StatusRecord>()(
      struct({
        status: literal(...JOB_STATUSES),
        message: string,
        updatedTime: string,
        completedTime: nullable(string)
      })
    )
  },
  client: {
    name: "client.json",
    guard: Guard.exactly<ClientRecord>()(
      struct({ pid: count, host: string, bootId: optional(string), startedTime: string })
    )
  },
  supervisor: {
    name: "supervisor.json",
    guard: Guard.exactly<SupervisorRecord>()(
      struct({ pid: count, host: string, bootId: optional(string), startedTime: string })
    )
  },
  progress: {
    name: "progress.json",
    guard: Guard.exactly<ProgressRecord>()(
      struct({
        replicas: Guard.record(
          struct({
            rows: number,
            resumedRows: optional(number),
            totalRows: number,
            shardsDone: number,
            shards: number,
            rowsPerSecond: number,
            errors: number,
            metrics: optional(Guard.record(number))
          })
        )
      })
    )
  },
  cancel: {
    name: "cancel.json",
    guard: Guard.exactly<CancelRequest>()(
      struct({ requestedTime: string, reason: literal("cancel", "delete") })
    )
  }
} satisfies Record<string, RecordKind<unknown>>

/** A record that cannot be read: of another version (`found`), or damaged (`found` null). */
export class UnreadableRecord extends Error {
  readonly file: string
  readonly found: string | null
  readonly reason: string

  constructor(file: string, found: string | null, reason: string) {
    super(
      found === null
        ? `${file} is damaged: ${reason}`
        : `${file} is of version ${found}, and this runbatch reads version ${RECORD_VERSION}`
    )
    this.file = file
    this.found = found
    this.reason = reason
  }
}

export interface JobFiles {
  readonly dir: string
  readonly record: string
  readonly status: string
  readonly supervisor: string
  readonly client: string
  readonly cancel: string
  readonly progress: string
  readonly supervisorLog: string
  readonly logs: string
  readonly monitor: string
  readonly log: (replica: number) => string
  readonly monitorFile: (replica: number) => string
}

export const files = (dir: string): JobFiles => ({
  dir,
  record: join(dir, Records.job.name),
  status: join(dir, Records.status.name),
  supervisor: join(dir, Records.supervisor.name),
  client: join(dir, Records.client.name),
  cancel: join(dir, Records.cancel.name),
  progress: join(dir, Records.progress.name),
  supervisorLog: join(dir, "supervisor.log"),
  logs: join(dir, "logs"),
  monitor: join(dir, "monitor"),
  log: (replica) => join(dir, "logs", `replica-${replica}.log`),
  monitorFile: (replica) => join(dir, "monitor", fileName(replica))
})

/**
 * Replace `path` with `text` in one step: written to a temporary name beside it, then renamed over it.
 * Temporary names start with a dot, which no job, record or identifier segment does.
 */
export const writeTextAtomic = (path: string, text: string): void => {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`)
  try {
    writeFileSync(temp, text)
    renameSync(temp, path)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
}

/** Replace `path` with `value` as JSON, whole (`writeTextAtomic`). */
export const writeJsonAtomic = (path: string, value: unknown): void =>
  writeTextAtomic(path, `${JSON.stringify(value, null, 2)}\n`)

/** A file's text, or undefined when it does not exist. */
const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

/** A JSON value as it is in the file, unchecked, or undefined when the file does not exist. */
export const readJson = (path: string): unknown => {
  const text = readText(path)
  return text === undefined ? undefined : JSON.parse(text)
}

/** Write a record of `kind`, whole, stamped with this version. */
export const writeRecord = <A>(_kind: RecordKind<A>, path: string, value: A): void =>
  writeJsonAtomic(path, { version: RECORD_VERSION, ...value })

/**
 * A record of `kind`, checked, or undefined when the file does not exist; UnreadableRecord when it is
 * of another version or damaged.
 */
export const readRecord = <A>(kind: RecordKind<A>, path: string): A | undefined => {
  const text = readText(path)
  if (text === undefined) return undefined
  const read = Guard.parseVersioned(kind.guard, RECORD_VERSION, text)
  if (!read.ok) throw new UnreadableRecord(path, read.found, read.reason)
  return read.value
}

/**
 * The lines of a text file (without the last newline), or only its last `limit` lines, read from the
 * end so a long log costs only what is returned. A missing file has no lines.
 */
export const readLines = (path: string, limit?: number): Array<string> => {
  let fd: number
  try {
    fd = openSync(path, "r")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return []
    throw error
  }
  try {
    const size = fstatSync(fd).size
    const chunks: Array<Buffer> = []
    let start = size
    let newlines = 0
    // Read backwards until the chunk read holds more line breaks than the lines wanted (or all of it).
    while (start > 0 && (limit === undefined || newlines <= limit)) {
      const length = Math.min(64 * 1024, start)
      start -= length
      const chunk = Buffer.alloc(length)
      readSync(fd, chunk, 0, length, start)
      chunks.unshift(chunk)
      for (const byte of chunk) if (byte === 10) newlines++
    }
    const text = Buffer.concat(chunks).toString("utf8")
    const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n")
    // The first line may be cut when reading stopped part-way through the file.
    const whole = start > 0 ? lines.slice(1) : lines
    return limit === undefined ? whole : whole.slice(Math.max(0, whole.length - limit))
  } finally {
    closeSync(fd)
  }
}

/** One rename takes a job's folder away (its name is free at once), then its files are removed. */
export const removeJobFolder = (dir: string, uid: string): void => {
  const tombstone = join(dirname(dir), `.deleted-${uid}`)
  try {
    renameSync(dir, tombstone)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return
    throw error
  }
  rmSync(tombstone, { recursive: true, force: true })
}
