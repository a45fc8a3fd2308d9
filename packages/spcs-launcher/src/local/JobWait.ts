/**
 * Waiting for a job: its state read again and again until it is terminal, on a schedule that looks
 * often at first (a short job ends in well under a second) and then every half second. The poll runs in
 * the waiting fiber: interrupting the wait, or its timeout, stops it at once — nothing is left polling.
 */
import { JobTimeout } from "@runbatch/spec"
import { Duration, Effect, Option, Schedule } from "effect"
import { isTerminal, type JobStatus } from "../JobStatus.ts"
import type { JobState } from "./JobState.ts"

/** 50 ms, then half as long again each time (75, 112, 169 ms…), at most 500 ms. */
export const pollSchedule = Schedule.min([
  Schedule.exponential("50 millis", 1.5),
  Schedule.spaced("500 millis")
])

/**
 * Read `state` until the job is terminal and return its status; JobTimeout when `timeoutSeconds`
 * (negative: none) run out first, with the status read at that moment.
 */
export const waitForJob = Effect.fn("JobHandle.wait")(function* <E>(
  state: Effect.Effect<JobState, E>,
  job: string,
  timeoutSeconds: number
): Effect.fn.Return<JobStatus, E | JobTimeout> {
  const poll = state.pipe(Effect.repeat({ schedule: pollSchedule, until: (s) => isTerminal(s.status) }))
  if (timeoutSeconds < 0) return (yield* poll).status
  const ended = yield* Effect.timeoutOption(poll, Duration.millis(timeoutSeconds * 1000))
  if (Option.isSome(ended)) return ended.value.status
  // Time is up: one last look, so a job that ended this instant is not reported as running.
  const last = yield* state
  if (isTerminal(last.status)) return last.status
  return yield* new JobTimeout({ job, timeoutSeconds, status: last.status })
})
