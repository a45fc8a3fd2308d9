/**
 * A local job's handle: its status, wait, logs, cancel, progress and listing row, each read afresh
 * from the job folder. A handle stands for one launch (its folder and the launch's uid), so it never
 * acts on a later job of the same name.
 */
import { InvalidSpec, JobNotFound } from "@runbatch/spec"
import { Effect } from "effect"
import { stopAttempt } from "../AttemptProcesses.ts"
import {
  type CancelRequest,
  files,
  type JobRecord,
  Records,
  readLines,
  readRecord,
  writeRecord
} from "../JobFolder.ts"
import type { JobHandle, LaunchRequest, LogOptions, WaitOptions } from "../JobLauncher.ts"
import { summarize } from "../JobProgress.ts"
import { isTerminal, type JobStatus } from "../JobStatus.ts"
import { rowOf, stateOf } from "./JobState.ts"
import { waitForJob } from "./JobWait.ts"
import { idOf, inHome, io, type LocalContext } from "./LocalContext.ts"

/**
 * Which launch each local handle stands for (its folder and the launch's uid), so a handle never acts
 * on a later job of the same name, whichever launcher it is given to.
 */
const launches = new WeakMap<JobHandle, { readonly dir: string; readonly uid: string }>()

/** The folder and uid of the launch `handle` stands for, when it is a local handle. */
export const launchOf = (handle: JobHandle): { readonly dir: string; readonly uid: string } | undefined =>
  launches.get(handle)

/** The launch request a record was made from. */
export const requestOf = (record: JobRecord): LaunchRequest => ({
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

/** A replica's log, or its last lines; InvalidSpec for an instance the job does not have. */
const logsOf = Effect.fn("JobHandle.getLogs")(function* (
  context: LocalContext,
  dir: string,
  record: JobRecord,
  options: LogOptions & { readonly asList?: boolean }
) {
  const instance = options.instance ?? 0
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
  const limit = options.limit ?? -1
  const log = yield* inHome(context, files(dir).log(instance))
  const lines = yield* io(log, () => readLines(log, limit >= 0 ? limit : undefined))
  return options.asList === true ? lines : lines.join("\n")
})

export const makeHandle = (context: LocalContext, record: JobRecord, dir: string): JobHandle => {
  const id = idOf(record)
  const paths = files(dir)
  let terminal: JobStatus | undefined

  const current = stateOf(context, dir, record.uid)
  const existing = Effect.flatMap(current, (state) =>
    state === undefined ? Effect.fail(new JobNotFound({ job: id, closest: [] })) : Effect.succeed(state)
  )
  // Once terminal it never changes; only whether the job still exists is looked up.
  const status = Effect.fn("JobHandle.status")(function* () {
    const known = terminal
    if (known !== undefined) {
      const now = yield* io(paths.record, () => readRecord(Records.job, paths.record))
      return now?.uid === record.uid || now?.previous?.includes(record.uid) === true ? known : "DELETED"
    }
    const state = yield* current
    if (state === undefined) return "DELETED"
    if (isTerminal(state.status)) terminal = state.status
    return state.status
  })

  const cancel = Effect.fn("JobHandle.cancel")(function* () {
    const state = yield* existing
    // A job that reads ended while its hung (or stopped) supervisor and replicas are still there: they
    // are killed, so the job can be resumed; nothing else would stop them.
    if (isTerminal(state.status)) return yield* io(dir, () => stopAttempt(dir)).pipe(Effect.asVoid)
    if (state.status === "CANCELLING") return
    const request: CancelRequest = { requestedTime: new Date().toISOString(), reason: "cancel" }
    yield* io(paths.cancel, () => writeRecord(Records.cancel, paths.cancel, request))
  })

  const progress = Effect.fn("JobHandle.progress")(function* () {
    const state = yield* existing
    const lines = yield* io(paths.progress, () => readRecord(Records.progress, paths.progress))
    const summary = summarize(lines, state.record.totals)
    // A finished job has nothing left to estimate; a stopped one never will.
    return isTerminal(state.status) ? { ...summary, etaSeconds: state.status === "DONE" ? 0 : null } : summary
  })

  const handle: JobHandle = {
    id,
    request: requestOf(record),
    attempt: record.attempt ?? 1,
    instance: record.previous?.[0] ?? record.uid,
    name: record.name,
    database: record.database,
    schema: record.schema,
    targetInstances: record.replicas,
    status: status(),
    describe: Effect.map(existing, rowOf),
    wait: (options: WaitOptions = {}) =>
      waitForJob(existing, id, options.timeoutSeconds ?? -1, dir).pipe(
        Effect.tap((status) =>
          Effect.sync(() => {
            terminal ??= status
          })
        )
      ),
    getLogs: ((options: LogOptions & { readonly asList?: boolean } = {}) =>
      Effect.andThen(existing, logsOf(context, dir, record, options))) as JobHandle["getLogs"],
    cancel: cancel(),
    progress: progress()
  }
  launches.set(handle, { dir, uid: record.uid })
  return handle
}
