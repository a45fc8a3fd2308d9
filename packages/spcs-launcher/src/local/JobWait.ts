/**
 * Waiting for a job: its state read again and again until it is terminal, on a schedule that looks
 * often at first (a short job ends in well under a second) and then every half second. A local job's
 * folder is also watched: when the supervisor replaces `status.json`, the state is read at once, so a
 * job is seen to end when it ends, not up to half a second later (the watch is a shortcut; the
 * schedule alone still finds the end where a filesystem gives no events). The poll runs in the
 * waiting fiber: interrupting the wait, or its timeout, stops it and its watch at once.
 */
import { type FSWatcher, watch } from "node:fs"
import { JobTimeout } from "@runbatch/spec"
import { Duration, Effect, Option, Queue } from "effect"
import { Records } from "../JobFolder.ts"
import { isTerminal, type JobStatus } from "../JobStatus.ts"
import type { JobState } from "./JobState.ts"

const FIRST_MILLIS = 50
const LONGEST_MILLIS = 500

/** 50 ms, then half as long again each time (75, 112, 169 ms…), at most 500 ms. */
export const pollDelays = function* (): Generator<number> {
  for (let millis = FIRST_MILLIS; ; millis = Math.min(LONGEST_MILLIS, millis * 1.5)) yield millis
}

/**
 * Takes a value whenever `status.json` in `dir` is replaced; never when the folder cannot be watched.
 * Changes between two takes count once.
 */
const statusChanges = (dir: string) =>
  Effect.gen(function* () {
    const changes = yield* Queue.sliding<void>(1)
    yield* Effect.acquireRelease(
      Effect.sync((): FSWatcher | undefined => {
        try {
          const watcher = watch(dir, { persistent: false }, (_event, name) => {
            if (name === null || name === Records.status.name) Queue.offerUnsafe(changes, undefined)
          })
          // A folder removed under the watch (a job deleted) ends it; the schedule goes on.
          watcher.on("error", () => watcher.close())
          return watcher
        } catch {
          return undefined
        }
      }),
      (watcher) => Effect.sync(() => watcher?.close())
    )
    return Queue.take(changes)
  })

/**
 * Read `state` until the job is terminal and return its status; JobTimeout when `timeoutSeconds`
 * (negative: none) run out first, with the status read at that moment. `dir`, the job's folder, is
 * watched for its status changing.
 */
export const waitForJob = Effect.fn("JobHandle.wait")(function* <E>(
  state: Effect.Effect<JobState, E>,
  job: string,
  timeoutSeconds: number,
  dir?: string
): Effect.fn.Return<JobStatus, E | JobTimeout> {
  const poll = Effect.scoped(
    Effect.gen(function* () {
      const changed = dir === undefined ? Effect.never : yield* statusChanges(dir)
      const delays = pollDelays()
      while (true) {
        const current = yield* state
        if (isTerminal(current.status)) return current
        yield* Effect.raceFirst(Effect.sleep(Duration.millis(delays.next().value)), changed)
      }
    })
  )
  if (timeoutSeconds < 0) return (yield* poll).status
  const ended = yield* Effect.timeoutOption(poll, Duration.millis(timeoutSeconds * 1000))
  if (Option.isSome(ended)) return ended.value.status
  // Time is up: one last look, so a job that ended this instant is not reported as running.
  const last = yield* state
  if (isTerminal(last.status)) return last.status
  return yield* new JobTimeout({ job, timeoutSeconds, status: last.status })
})
