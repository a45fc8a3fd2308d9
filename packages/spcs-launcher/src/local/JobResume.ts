/**
 * Resuming a stopped local job: the stopped attempt steps aside in one rename (a second resume of it
 * finds nothing to move), the next attempt is launched under the job's name, and the earlier one moves
 * into it (`attempts/<n>/`). Only a job that stopped before finishing can be resumed, and only once
 * every process of its last attempt is gone: a hung supervisor's job reads FAILED, but it and its
 * replicas could wake and write into the next attempt. A resume killed half-way is undone by the next
 * lookup (ResumeAside).
 */
import { mkdirSync, renameSync } from "node:fs"
import { dirname, join } from "node:path"
import { ResumeRefused } from "@runbatch/spec"
import { Effect } from "effect"
import { attemptProcesses } from "../AttemptProcesses.ts"
import type { JobHandle } from "../JobLauncher.ts"
import { resumeRefusal } from "../JobStatus.ts"
import { launch } from "./JobLaunch.ts"
import { find, notFound } from "./JobLookup.ts"
import { SILENCE_RECHECK_MILLIS, stateOf } from "./JobState.ts"
import { idOf, inHome, io, jobDir, type LocalContext } from "./LocalContext.ts"
import { launchOf, requestOf } from "./LocalJobHandle.ts"
import { asideOf, recoverAsides } from "./ResumeAside.ts"

/** Move `dir` to `aside`; false when it is not there (resumed or deleted by someone else). */
const stepAside = (dir: string, aside: string): boolean => {
  try {
    renameSync(dir, aside)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false
    throw error
  }
}

/**
 * The processes of the attempt in `dir` that outlive a short wait: a supervisor that has just recorded
 * how its job ended exits within milliseconds, a hung or stopped one does not.
 */
const lingering = (dir: string) =>
  Effect.gen(function* () {
    const deadline = Date.now() + SILENCE_RECHECK_MILLIS
    for (;;) {
      const pids = yield* io(dir, () => attemptProcesses(dir))
      if (pids.length === 0 || Date.now() >= deadline) return pids
      yield* Effect.sleep(50)
    }
  })

export const resume = Effect.fn("LocalLauncher.resume")(function* (
  context: LocalContext,
  target: string | JobHandle
) {
  const job = typeof target === "string" ? yield* find(context, target) : target
  const launched = launchOf(job)
  const dir = yield* inHome(context, launched?.dir ?? jobDir(context, job))
  yield* Effect.sync(() => recoverAsides(dirname(dir)))
  const state = yield* stateOf(context, dir, launched?.uid)
  if (state === undefined) return yield* notFound(context, job)
  const id = idOf(state.record)
  const refusal = resumeRefusal(state.status)
  if (refusal !== undefined) return yield* new ResumeRefused({ job: id, reason: refusal })
  const alive = yield* lingering(dir)
  if (alive.length > 0) {
    return yield* new ResumeRefused({
      job: id,
      reason: `processes of its last attempt still run on this machine (pid ${alive.join(", ")}: its supervisor, hung or stopped, and its replicas), though it reads ${state.status}; they could still write into its output. Stop them with runbatch jobs cancel ${id}, then resume.`
    })
  }
  const aside = asideOf(dir, state.record.uid)
  if (!(yield* io(dir, () => stepAside(dir, aside))))
    return yield* new ResumeRefused({ job: id, reason: "it is being resumed or deleted by someone else." })
  const attempt = (state.record.attempt ?? 1) + 1
  const next = yield* launch(context, requestOf(state.record), {
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
