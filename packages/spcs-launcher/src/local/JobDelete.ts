/**
 * Deleting a local job: a running one is asked to stop (cancel.json, reason "delete") and given its
 * grace period and a little more; a supervisor that does not answer is stopped outright with its
 * replicas (its process group). Then the folder goes in one rename.
 */
import { existsSync } from "node:fs"
import { hostname } from "node:os"
import { Effect } from "effect"
import { files, type JobFiles, Records, readRecord, removeJobFolder, writeRecord } from "../JobFolder.ts"
import type { JobHandle } from "../JobLauncher.ts"
import { isTerminal } from "../JobStatus.ts"
import { find, notFound } from "./JobLookup.ts"
import { type JobState, stateOf } from "./JobState.ts"
import { inHome, io, jobDir, type LocalContext } from "./LocalContext.ts"
import { launchOf, makeHandle } from "./LocalJobHandle.ts"

/** Kill the supervisor's process group (it and its replicas), when it runs on this host. */
const killSupervisor = (paths: JobFiles): void => {
  const supervisor = readRecord(Records.supervisor, paths.supervisor)
  if (supervisor === undefined || supervisor.host !== hostname()) return
  try {
    process.kill(-supervisor.pid, "SIGKILL")
  } catch {
    // Gone already.
  }
}

/** Ask the supervisor to stop the job, wait its grace period and a little more, then stop it outright. */
const stopRunning = Effect.fn("LocalLauncher.deleteJob.stop")(function* (
  context: LocalContext,
  dir: string,
  state: JobState
) {
  const paths = files(dir)
  yield* io(paths.cancel, () =>
    writeRecord(Records.cancel, paths.cancel, { requestedTime: new Date().toISOString(), reason: "delete" })
  )
  const stopped = yield* makeHandle(context, state.record, dir)
    .wait({ timeoutSeconds: state.record.stopGraceMillis / 1000 + 5 })
    .pipe(
      Effect.as(true),
      Effect.catchTag("JobTimeout", () => Effect.succeed(false))
    )
  if (!stopped) yield* io(paths.supervisor, () => killSupervisor(paths))
})

export const deleteJob = Effect.fn("LocalLauncher.deleteJob")(
  function* (context: LocalContext, target: string | JobHandle) {
    const job = typeof target === "string" ? yield* find(context, target) : target
    const launched = launchOf(job)
    const dir = yield* inHome(context, launched?.dir ?? jobDir(context, job))
    const paths = files(dir)
    const state = yield* stateOf(context, dir, launched?.uid)
    if (state === undefined) return yield* notFound(context, job)
    // A job whose client is still staging it has no supervisor to ask: its client finds it gone.
    const supervised = yield* io(paths.supervisor, () => existsSync(paths.supervisor))
    if (!isTerminal(state.status) && supervised) yield* stopRunning(context, dir, state)
    // `dir` is real (checked above); removal follows no link, not even one swapped in for the tombstone.
    yield* io(dir, () => removeJobFolder(dir, state.record.uid))
  },
  (effect, context, target) =>
    Effect.catchTag(effect, "JobNotFound", (error) =>
      typeof target === "string" ? Effect.fail(error) : notFound(context, target)
    )
)
