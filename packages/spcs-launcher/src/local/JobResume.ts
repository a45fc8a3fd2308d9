/**
 * Resuming a stopped local job: the stopped attempt steps aside in one rename (a second resume of it
 * finds nothing to move), the next attempt is launched under the job's name, and the earlier one moves
 * into it (`attempts/<n>/`). Only a job that stopped before finishing can be resumed.
 */
import { mkdirSync, renameSync } from "node:fs"
import { dirname, join } from "node:path"
import { ResumeRefused } from "@runbatch/spec"
import { Effect } from "effect"
import type { JobHandle } from "../JobLauncher.ts"
import { resumeRefusal } from "../JobStatus.ts"
import { launch } from "./JobLaunch.ts"
import { find, notFound } from "./JobLookup.ts"
import { stateOf } from "./JobState.ts"
import { idOf, inHome, io, jobDir, type LocalContext } from "./LocalContext.ts"
import { launchOf, requestOf } from "./LocalJobHandle.ts"

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

export const resume = Effect.fn("LocalLauncher.resume")(function* (
  context: LocalContext,
  target: string | JobHandle
) {
  const job = typeof target === "string" ? yield* find(context, target) : target
  const launched = launchOf(job)
  const dir = yield* inHome(context, launched?.dir ?? jobDir(context, job))
  const state = yield* stateOf(context, dir, launched?.uid)
  if (state === undefined) return yield* notFound(context, job)
  const id = idOf(state.record)
  const refusal = resumeRefusal(state.status)
  if (refusal !== undefined) return yield* new ResumeRefused({ job: id, reason: refusal })
  const aside = join(dirname(dir), `.resume-${state.record.uid}`)
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
