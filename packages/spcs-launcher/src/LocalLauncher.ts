/**
 * The local JobLauncher: jobs on this machine, one folder each under `<home>/jobs/<DB>/<SCHEMA>/<JOB>/`
 * (JobFolder.ts), each watched by a detached supervisor process (JobSupervisor.ts) so it outlives the
 * client. A client never edits what a running supervisor writes: it asks (cancel.json), and writes a
 * status itself only when no supervisor can — before one started, or after one vanished.
 *
 * No folder from the home down to a job folder (`jobs/`, the database, the schema, the job) may be a
 * symbolic link (LocalHome's rule): each is checked, and used as its real path, before a job is
 * launched, found, read, resumed or deleted, and one that is a link is refused with LocalFileError
 * naming it; listings skip links.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs"
import { availableParallelism, hostname, userInfo } from "node:os"
import { dirname, join, resolve } from "node:path"
import {
  closestNames,
  EntryPoint,
  Identifier,
  InvalidSpec,
  JobExists,
  JobLaunchFailed,
  JobNotFound,
  JobTimeout,
  LocalFileError,
  LocalHome,
  LocalLayout,
  ResumeRefused,
  StageLocation
} from "@runbatch/spec"
import { Clock, Effect } from "effect"
import {
  type CancelRequest,
  type ClientRecord,
  files,
  type JobRecord,
  type ProgressRecord,
  RECORD_VERSION,
  readJson,
  readLines,
  type StatusRecord,
  type SupervisorRecord,
  writeJsonAtomic
} from "./JobFolder.ts"
import type {
  JobHandle,
  JobLauncherShape,
  JobName,
  JobRow,
  LaunchRequest,
  ListJobsOptions,
  LogOptions,
  Reservation,
  WaitOptions
} from "./JobLauncher.ts"
import { summarize } from "./JobProgress.ts"
import { isTerminal, type JobStatus, resumeRefusal } from "./JobStatus.ts"
import { bootId, liveness, stopOrphans } from "./SupervisorLiveness.ts"

export interface LocalLauncherOptions {
  /** The local account's home folder; default `$RUNBATCH_HOME` or `./.runbatch`. */
  readonly home?: string
  /** Current database, for job ids written without one. */
  readonly database?: string
  /** Current schema, for job ids written without one. */
  readonly schema?: string
  /** How long replicas asked to stop (SIGTERM) get before SIGKILL; default 10 s. */
  readonly stopGraceSeconds?: number
  /** A supervisor silent for longer is taken as gone (its job FAILED); default 30 s. */
  readonly heartbeatTimeoutSeconds?: number
}

/** The supervisor's entry: the module beside this one, in its form (built, or sources under a loader). */
export const supervisorEntry: EntryPoint.Entry = EntryPoint.beside(import.meta.url, "supervisor")

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** A filesystem step; its failure becomes LocalFileError naming the file. */
const io = <A>(path: string, f: () => A): Effect.Effect<A, LocalFileError> =>
  Effect.try({
    try: f,
    catch: (error) =>
      new LocalFileError({ path: (error as NodeJS.ErrnoException).path ?? path, reason: reasonOf(error) })
  })

const owner = (): string => {
  try {
    return userInfo().username
  } catch {
    return process.env["USER"] ?? process.env["USERNAME"] ?? "unknown"
  }
}

/** A job's state as a client reads it. */
interface JobState {
  readonly record: JobRecord
  readonly status: JobStatus
  readonly message: string
  readonly completedTime: string | null
  /** Its supervisor's heartbeat is late: look again before calling it gone. */
  readonly silent?: true
}

/** How long a client waits before it looks again at a supervisor whose heartbeat is late. */
const SILENCE_RECHECK_MILLIS = 2000

/** Subfolders of `dir` that are job or schema folders (not temporary or deleted ones). */
const subfolders = (dir: string): Array<string> => {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
      .map((entry) => entry.name)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return []
    throw error
  }
}

/** One rename takes a job's folder away (its name is free at once), then its files are removed. */
const removeJobFolder = (dir: string, uid: string): void => {
  const tombstone = join(dirname(dir), `.deleted-${uid}`)
  try {
    renameSync(dir, tombstone)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return
    throw error
  }
  rmSync(tombstone, { recursive: true, force: true })
}

/**
 * Which launch each local handle stands for (its folder and the launch's uid), so a handle never acts
 * on a later job of the same name, whichever launcher it is given to.
 */
const launches = new WeakMap<JobHandle, { readonly dir: string; readonly uid: string }>()

/** The launch request a record was made from. */
const requestOf = (record: JobRecord): LaunchRequest => ({
  job: { database: record.database, schema: record.schema, name: record.name },
  planLocation: record.planLocation,
  replicas: record.replicas,
  replicaCommand: record.replicaCommand,
  env: record.env,
  cpus: record.cpus,
  ...(record.computePool === null ? {} : { computePool: record.computePool }),
  ...(record.totals === null ? {} : { totals: record.totals }),
  ...(record.outputLocation === null ? {} : { outputLocation: record.outputLocation })
})

/** Which attempt a launch is: the first, or the next of a resumed job. */
interface Lineage {
  readonly attempt: number
  readonly previous: ReadonlyArray<string>
  readonly createdTime: string
  readonly cwd: string
}

export const make = (options: LocalLauncherOptions = {}): JobLauncherShape => {
  const home = resolve(options.home ?? process.env["RUNBATCH_HOME"] ?? ".runbatch")
  const context: Identifier.NameContext = { database: options.database, schema: options.schema }
  const stopGraceMillis = Math.round((options.stopGraceSeconds ?? 10) * 1000)
  const heartbeatTimeoutMillis = Math.round((options.heartbeatTimeoutSeconds ?? 30) * 1000)

  const jobDir = (job: JobName) => LocalLayout.jobDir(home, job)

  /** The real path of `path` (under the home), or LocalFileError naming the symbolic link on its way. */
  const inHome = (path: string): Effect.Effect<string, LocalFileError> =>
    Effect.flatMap(
      io(path, () => LocalHome.locateSync(home, path)),
      (placement) =>
        placement._tag === "Real"
          ? Effect.succeed(placement.path)
          : Effect.fail(new LocalFileError({ path: placement.link, reason: LocalHome.linkReason(placement) }))
    )

  /** Whether the job's output folder on this account has its `_SUCCESS` marker. */
  const outputFinished = (record: JobRecord): boolean => {
    if (record.outputLocation === null) return false
    // A partly qualified location is the job's: its database and schema fill it in.
    const parsed = Effect.runSyncExit(
      StageLocation.parseDirectory(record.outputLocation, {
        database: record.database,
        schema: record.schema
      })
    )
    if (parsed._tag === "Failure") return false
    const output = parsed.value
    const marker = LocalHome.locateSync(
      home,
      join(LocalLayout.stageDir(home, output), output.path, "_SUCCESS")
    )
    return marker._tag === "Real" && existsSync(marker.path)
  }
  const idOf = (job: JobName) => Identifier.formatQualified(job)

  /**
   * The job's state, or undefined when it does not exist (or `uid` is given and the folder now holds
   * another job of the same name). A job whose supervisor vanished is recorded FAILED here, and what
   * is left of it stopped. A late heartbeat counts only when `silenceConfirmed` (the second look).
   */
  const readState = (
    dir: string,
    uid: string | undefined,
    silenceConfirmed: boolean
  ): JobState | undefined => {
    const paths = files(dir)
    const record = readJson<JobRecord>(paths.record)
    if (record === undefined || (uid !== undefined && record.uid !== uid)) return undefined
    const status = readJson<StatusRecord>(paths.status)
    const state = (s: StatusRecord | undefined): JobState => ({
      record,
      status: s?.status ?? "PENDING",
      message: s?.message ?? "",
      completedTime: s?.completedTime ?? null
    })
    if (status !== undefined && isTerminal(status.status)) return state(status)
    const alive = liveness(dir, record, heartbeatTimeoutMillis)
    if (alive.state === "silent" && !silenceConfirmed) return { ...state(status), silent: true }
    if (alive.state === "gone" || alive.state === "silent") {
      // It may have finished between the two reads.
      const again = readJson<StatusRecord>(paths.status)
      if (again !== undefined && isTerminal(again.status)) return state(again)
      const deadPid = alive.state === "gone" ? alive.deadPid : undefined
      if (deadPid !== undefined) stopOrphans(deadPid)
      const now = new Date().toISOString()
      // The coordinator wrote _SUCCESS (every shard committed, the manifest written) and only the
      // supervisor's own record of it was lost: the job is done.
      if (outputFinished(record)) {
        const done: StatusRecord = {
          status: "DONE",
          message: "The job finished; its supervisor stopped before recording it.",
          updatedTime: now,
          completedTime: now
        }
        writeJsonAtomic(paths.status, done)
        return state(done)
      }
      const failed: StatusRecord = {
        status: "FAILED",
        message:
          alive.state === "gone" && alive.neverStarted === true
            ? `The job never started: ${alive.reason}. Remove it (runbatch jobs rm ${idOf(record)}) and run it again.`
            : `The supervisor stopped before the job finished: ${alive.reason}.${deadPid === undefined ? "" : " Its replicas were stopped."} Resume it (runbatch jobs resume ${idOf(record)}): only its uncommitted shards run again.`,
        updatedTime: now,
        completedTime: now
      }
      writeJsonAtomic(paths.status, failed)
      return state(failed)
    }
    const current = state(status)
    if ((current.status === "PENDING" || current.status === "RUNNING") && existsSync(paths.cancel))
      return { ...current, status: "CANCELLING" }
    return current
  }

  /** The job's state, looking twice at a supervisor whose heartbeat is late. */
  const stateOf = (dir: string, uid?: string): Effect.Effect<JobState | undefined, LocalFileError> =>
    Effect.gen(function* () {
      const first = yield* io(dir, () => readState(dir, uid, false))
      if (first?.silent !== true) return first
      yield* Effect.sleep(Math.min(SILENCE_RECHECK_MILLIS, heartbeatTimeoutMillis))
      return yield* io(dir, () => readState(dir, uid, true))
    })

  const rowOf = (state: JobState): JobRow => ({
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

  /** Every job folder under `root` (the real `jobs/` folder), as names; links are not followed. */
  const allJobs = (root: string): Array<JobName> =>
    subfolders(root).flatMap((db) =>
      subfolders(join(root, db)).flatMap((schema) =>
        subfolders(join(root, db, schema)).map((name) => ({
          database: LocalLayout.fromSegment(db),
          schema: LocalLayout.fromSegment(schema),
          name: LocalLayout.fromSegment(name)
        }))
      )
    )

  const notFound = (job: JobName) =>
    Effect.flatMap(
      Effect.flatMap(inHome(LocalLayout.jobsDir(home)), (root) =>
        io(root, () => closestNames(idOf(job), allJobs(root).map(idOf)))
      ),
      (closest) => Effect.fail(new JobNotFound({ job: idOf(job), closest }))
    )

  const handle = (record: JobRecord, dir: string): JobHandle => {
    const id = idOf(record)
    const paths = files(dir)
    let terminal: JobStatus | undefined

    const current = stateOf(dir, record.uid)
    const existing = Effect.flatMap(current, (state) =>
      state === undefined ? Effect.fail(new JobNotFound({ job: id, closest: [] })) : Effect.succeed(state)
    )
    const status = Effect.suspend(() => {
      const known = terminal
      // Once terminal it never changes; only whether the job still exists is looked up.
      if (known !== undefined)
        return Effect.map(
          io(paths.record, () => readJson<JobRecord>(paths.record)),
          (now): JobStatus =>
            now?.uid === record.uid || now?.previous?.includes(record.uid) === true ? known : "DELETED"
        )
      return Effect.map(current, (state): JobStatus => {
        if (state === undefined) return "DELETED"
        if (isTerminal(state.status)) terminal = state.status
        return state.status
      })
    })

    const wait = (waitOptions: WaitOptions = {}) =>
      Effect.gen(function* () {
        const timeout = waitOptions.timeoutSeconds ?? -1
        const started = yield* Clock.currentTimeMillis
        let delay = 50
        for (;;) {
          const state = yield* existing
          if (isTerminal(state.status)) {
            terminal ??= state.status
            return state.status
          }
          const elapsed = (yield* Clock.currentTimeMillis) - started
          if (timeout >= 0 && elapsed >= timeout * 1000) {
            return yield* new JobTimeout({ job: id, timeoutSeconds: timeout, status: state.status })
          }
          const left = timeout >= 0 ? timeout * 1000 - elapsed : delay
          yield* Effect.sleep(Math.max(1, Math.min(delay, left)))
          delay = Math.min(500, Math.round(delay * 1.5))
        }
      })

    const getLogs = (logOptions: LogOptions & { readonly asList?: boolean } = {}) =>
      Effect.gen(function* () {
        yield* existing
        const instance = logOptions.instance ?? 0
        if (!Number.isInteger(instance) || instance < 0 || instance >= record.replicas) {
          return yield* new InvalidSpec({
            spec: "getLogs",
            problems: [
              {
                path: "instance",
                message: `must be a replica index from 0 to ${record.replicas - 1} (the job has ${record.replicas} instance(s)), not ${instance}`
              }
            ]
          })
        }
        const limit = logOptions.limit ?? -1
        const log = yield* inHome(paths.log(instance))
        const lines = yield* io(log, () => readLines(log, limit >= 0 ? limit : undefined))
        return logOptions.asList === true ? lines : lines.join("\n")
      })

    const cancel = Effect.gen(function* () {
      const state = yield* existing
      if (isTerminal(state.status) || state.status === "CANCELLING") return
      yield* io(paths.cancel, () =>
        writeJsonAtomic(paths.cancel, {
          requestedTime: new Date().toISOString(),
          reason: "cancel"
        } satisfies CancelRequest)
      )
    })

    const progress = Effect.gen(function* () {
      const state = yield* existing
      const lines = yield* io(paths.progress, () => readJson<ProgressRecord>(paths.progress))
      const summary = summarize(lines, state.record.totals)
      // A finished job has nothing left to estimate; a stopped one never will.
      return isTerminal(state.status)
        ? { ...summary, etaSeconds: state.status === "DONE" ? 0 : null }
        : summary
    })

    const jobHandle: JobHandle = {
      id,
      request: requestOf(record),
      attempt: record.attempt ?? 1,
      instance: record.previous?.[0] ?? record.uid,
      name: record.name,
      database: record.database,
      schema: record.schema,
      targetInstances: record.replicas,
      status,
      describe: Effect.map(existing, rowOf),
      wait,
      getLogs: getLogs as JobHandle["getLogs"],
      cancel,
      progress
    }
    launches.set(jobHandle, { dir, uid: record.uid })
    return jobHandle
  }

  const validate = (request: LaunchRequest) => {
    const problems: Array<{ path: string; message: string }> = []
    for (const part of ["database", "schema", "name"] as const) {
      const value = request.job?.[part]
      if (typeof value !== "string" || value === "" || value.includes("\u0000"))
        problems.push({ path: `job.${part}`, message: "must be a non-empty name" })
    }
    if (!Number.isInteger(request.replicas) || request.replicas < 1)
      problems.push({
        path: "replicas",
        message: `must be a whole number of at least 1, not ${request.replicas}`
      })
    if (request.cpus !== undefined && (!Number.isInteger(request.cpus) || request.cpus < 1))
      problems.push({ path: "cpus", message: `must be a whole number of at least 1, not ${request.cpus}` })
    if (typeof request.replicaCommand?.command !== "string" || request.replicaCommand.command === "")
      problems.push({ path: "replicaCommand.command", message: "must name the command to run" })
    if (
      !Array.isArray(request.replicaCommand?.args) ||
      request.replicaCommand.args.some((a) => typeof a !== "string")
    )
      problems.push({ path: "replicaCommand.args", message: "must be a list of strings" })
    if (
      request.totals !== undefined &&
      [request.totals.rows, request.totals.shards].some((n) => !Number.isInteger(n) || n < 0)
    )
      problems.push({ path: "totals", message: "must give rows and shards as whole numbers of at least 0" })
    for (const [key, value] of Object.entries(request.env ?? {}))
      if (typeof value !== "string") problems.push({ path: `env.${key}`, message: "must be a string" })
    return problems.length === 0
      ? Effect.void
      : Effect.fail(new InvalidSpec({ spec: "LaunchRequest", problems }))
  }

  /** Record the job (PENDING, its client staging it) under its name, without starting it. */
  const reserve = (request: LaunchRequest, lineage?: Lineage) =>
    Effect.gen(function* () {
      yield* validate(request)
      const job: JobName = {
        database: request.job.database,
        schema: request.job.schema,
        name: request.job.name
      }
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
      const record: JobRecord = {
        version: RECORD_VERSION,
        uid: randomUUID(),
        database: job.database,
        schema: job.schema,
        name: job.name,
        home,
        cwd: lineage?.cwd ?? process.cwd(),
        planLocation: StageLocation.format(plan),
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
        stopGraceMillis,
        attempt: lineage?.attempt ?? 1,
        previous: lineage?.previous ?? []
      }

      // The job's folder is filled under a temporary name and published by one rename, so a job
      // folder always holds a whole record, and two reservations of one name cannot both succeed.
      const dir = yield* inHome(jobDir(job))
      const temp = join(dirname(dir), `.launch-${record.uid}`)
      const staged = files(temp)
      const boot = bootId()
      yield* io(temp, () => {
        mkdirSync(staged.logs, { recursive: true })
        mkdirSync(staged.monitor, { recursive: true })
        writeJsonAtomic(staged.record, record)
        writeJsonAtomic(staged.status, {
          status: "PENDING",
          message: "",
          updatedTime: record.createdTime,
          completedTime: null
        } satisfies StatusRecord)
        writeJsonAtomic(staged.client, {
          pid: process.pid,
          host: hostname(),
          ...(boot === undefined ? {} : { bootId: boot }),
          startedTime: new Date().toISOString()
        } satisfies ClientRecord)
      }).pipe(
        Effect.mapError(
          (error) =>
            new JobLaunchFailed({ job: id, reason: `its record cannot be written: ${error.message}` })
        )
      )
      const published = yield* io(dir, () => {
        try {
          renameSync(temp, dir)
          return true
        } catch (error) {
          rmSync(temp, { recursive: true, force: true })
          const code = (error as NodeJS.ErrnoException).code
          if (code === "ENOTEMPTY" || code === "EEXIST") return false
          throw error
        }
      }).pipe(Effect.mapError((error) => new JobLaunchFailed({ job: id, reason: error.message })))
      if (!published) return yield* new JobExists({ job: id })
      return {
        job: handle(record, dir),
        start: (totals?: LaunchRequest["totals"]) => start(record, dir, totals),
        abandon: abandon(record, dir)
      } satisfies Reservation
    })

  /**
   * Start a reserved job's supervisor, unless it was deleted meanwhile (JobLaunchFailed) or cancelled
   * (it then ends CANCELLED without having run).
   */
  const start = (reserved: JobRecord, dir: string, totals?: LaunchRequest["totals"]) =>
    Effect.gen(function* () {
      const id = idOf(reserved)
      const paths = files(dir)
      const current = yield* io(paths.record, () => readJson<JobRecord>(paths.record))
      if (current?.uid !== reserved.uid) {
        return yield* new JobLaunchFailed({ job: id, reason: "it was deleted while its input was staged." })
      }
      const record: JobRecord =
        totals === undefined
          ? reserved
          : { ...reserved, totals: { rows: totals.rows, shards: totals.shards } }
      if (yield* io(paths.cancel, () => existsSync(paths.cancel))) {
        const now = new Date().toISOString()
        yield* io(paths.status, () => {
          writeJsonAtomic(paths.status, {
            status: "CANCELLED",
            message: "Cancelled while its input was staged; it never started.",
            updatedTime: now,
            completedTime: now
          } satisfies StatusRecord)
          rmSync(paths.client, { force: true })
        })
        return handle(record, dir)
      }
      if (totals !== undefined) yield* io(paths.record, () => writeJsonAtomic(paths.record, record))

      const started = yield* Effect.sync(() => {
        let child: ChildProcess
        try {
          child = spawn(process.execPath, [...supervisorEntry.execArgv, supervisorEntry.file, dir], {
            detached: true,
            stdio: "ignore",
            env: process.env
          })
        } catch (error) {
          return reasonOf(error)
        }
        // A failed start is reported through "error" on the next tick; the job records it then.
        child.on("error", (error) => {
          if (child.pid !== undefined) return
          try {
            writeJsonAtomic(paths.status, {
              status: "INTERNAL_ERROR",
              message: `The job's supervisor could not be started: ${error.message}`,
              updatedTime: new Date().toISOString(),
              completedTime: new Date().toISOString()
            } satisfies StatusRecord)
          } catch {
            // Deleted meanwhile.
          }
        })
        if (child.pid === undefined) return "the supervisor process could not be started."
        const boot = bootId()
        writeJsonAtomic(paths.supervisor, {
          pid: child.pid,
          host: hostname(),
          ...(boot === undefined ? {} : { bootId: boot }),
          startedTime: new Date().toISOString()
        } satisfies SupervisorRecord)
        child.unref()
        return undefined
      })
      // From here the supervisor answers for the job, not its client.
      yield* io(paths.client, () => rmSync(paths.client, { force: true }))
      if (started !== undefined) {
        yield* io(paths.status, () =>
          writeJsonAtomic(paths.status, {
            status: "INTERNAL_ERROR",
            message: `The job's supervisor could not be started: ${started}`,
            updatedTime: new Date().toISOString(),
            completedTime: new Date().toISOString()
          } satisfies StatusRecord)
        )
        return yield* new JobLaunchFailed({
          job: id,
          reason: `its supervisor could not be started: ${started}`
        })
      }
      return handle(record, dir)
    })

  /** Remove a reserved job that never started (if the folder still holds it). */
  const abandon = (reserved: JobRecord, dir: string): Effect.Effect<void> =>
    io(dir, () => {
      if (readJson<JobRecord>(files(dir).record)?.uid !== reserved.uid) return
      removeJobFolder(dir, reserved.uid)
    }).pipe(Effect.ignore)

  const launch = (request: LaunchRequest, lineage?: Lineage) =>
    Effect.flatMap(reserve(request, lineage), (reservation) => reservation.start())

  const find = (text: string) =>
    Effect.gen(function* () {
      const job = yield* Identifier.parseFullyQualified(text, context)
      const dir = yield* inHome(jobDir(job))
      const record = yield* io(dir, () => readJson<JobRecord>(files(dir).record))
      if (record === undefined) return yield* notFound(job)
      return handle(record, dir)
    })

  const listJobs = (listOptions: ListJobsOptions = {}) =>
    Effect.gen(function* () {
      const database =
        listOptions.database === undefined ? undefined : yield* Identifier.resolve(listOptions.database)
      const schema =
        listOptions.schema === undefined ? undefined : yield* Identifier.resolve(listOptions.schema)
      const limit = listOptions.limit ?? 10
      const root = yield* inHome(LocalLayout.jobsDir(home))
      const jobs = (yield* io(root, () => allJobs(root))).filter(
        (job) =>
          (database === undefined || job.database === database) &&
          (schema === undefined || job.schema === schema)
      )
      // Read through the real jobs/ folder its listing came from (home's real path is its parent).
      const states = yield* Effect.forEach(jobs, (job) => stateOf(LocalLayout.jobDir(dirname(root), job)), {
        concurrency: "unbounded"
      })
      const rows = states.flatMap((state) => (state === undefined ? [] : [rowOf(state)]))
      rows.sort((a, b) => b.createdTime.getTime() - a.createdTime.getTime() || a.name.localeCompare(b.name))
      return limit >= 0 ? rows.slice(0, limit) : rows
    })

  const deleteJob = (target: string | JobHandle) =>
    Effect.gen(function* () {
      const job = typeof target === "string" ? yield* find(target) : target
      const launched = launches.get(job)
      const dir = yield* inHome(launched?.dir ?? jobDir(job))
      const paths = files(dir)
      const state = yield* stateOf(dir, launched?.uid)
      if (state === undefined) return yield* notFound(job)
      // A job whose client is still staging it has no supervisor to ask: its client finds it gone.
      const supervised = yield* io(paths.supervisor, () => existsSync(paths.supervisor))
      if (!isTerminal(state.status) && supervised) {
        // Ask the supervisor to stop the replicas, and give it the grace period and a little more.
        yield* io(paths.cancel, () =>
          writeJsonAtomic(paths.cancel, {
            requestedTime: new Date().toISOString(),
            reason: "delete"
          } satisfies CancelRequest)
        )
        const stopped = yield* handle(state.record, dir)
          .wait({ timeoutSeconds: state.record.stopGraceMillis / 1000 + 5 })
          .pipe(
            Effect.as(true),
            Effect.catchTag("JobTimeout", () => Effect.succeed(false))
          )
        if (!stopped) {
          // The supervisor does not answer: stop it and its replicas (its process group) outright.
          const supervisor = yield* io(paths.supervisor, () => readJson<SupervisorRecord>(paths.supervisor))
          if (supervisor !== undefined && supervisor.host === hostname()) {
            try {
              process.kill(-supervisor.pid, "SIGKILL")
            } catch {
              // Gone already.
            }
          }
        }
      }
      // `dir` is real (checked above); removal follows no link, not even one swapped in for the tombstone.
      yield* io(dir, () => removeJobFolder(dir, state.record.uid))
    }).pipe(
      Effect.catchTag("JobNotFound", (error) =>
        typeof target === "string" ? Effect.fail(error) : notFound(target)
      )
    )

  const resume = (target: string | JobHandle) =>
    Effect.gen(function* () {
      const job = typeof target === "string" ? yield* find(target) : target
      const launched = launches.get(job)
      const dir = yield* inHome(launched?.dir ?? jobDir(job))
      const state = yield* stateOf(dir, launched?.uid)
      if (state === undefined) return yield* notFound(job)
      const id = idOf(state.record)
      const refusal = resumeRefusal(state.status)
      if (refusal !== undefined) return yield* new ResumeRefused({ job: id, reason: refusal })
      // The stopped attempt steps aside in one rename (a second resume of it finds nothing to move),
      // the next attempt is launched under the job's name, and the earlier one moves into it.
      const aside = join(dirname(dir), `.resume-${state.record.uid}`)
      const moved = yield* io(dir, () => {
        try {
          renameSync(dir, aside)
          return true
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOENT") return false
          throw error
        }
      })
      if (!moved)
        return yield* new ResumeRefused({
          job: id,
          reason: "it is being resumed or deleted by someone else."
        })
      const attempt = (state.record.attempt ?? 1) + 1
      const next = yield* launch(requestOf(state.record), {
        attempt,
        previous: [...(state.record.previous ?? []), state.record.uid],
        createdTime: state.record.createdTime,
        cwd: state.record.cwd
      }).pipe(Effect.onError(() => io(dir, () => renameSync(aside, dir)).pipe(Effect.ignore)))
      yield* io(dir, () => {
        mkdirSync(join(dir, "attempts"), { recursive: true })
        renameSync(aside, join(dir, "attempts", String(attempt - 1)))
      }).pipe(Effect.ignore)
      return next
    })

  return {
    launch: (request: LaunchRequest) => launch(request),
    reserve: (request: LaunchRequest) => reserve(request),
    getJob: find,
    listJobs,
    deleteJob,
    resume
  }
}
