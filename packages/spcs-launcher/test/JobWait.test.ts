/**
 * Waiting for a job on the test clock: the poll looks often at first, then every half second, and the
 * timeout is measured on the clock, not the wall — nothing here sleeps.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { JobTimeout } from "@runbatch/spec"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import type { JobStatus } from "../src/JobStatus.ts"
import type { JobState } from "../src/local/JobState.ts"
import { waitForJob } from "../src/local/JobWait.ts"

/** A job's state read from a script of statuses; every read is counted with the clock's time. */
const scripted = (statuses: ReadonlyArray<JobStatus>) => {
  const reads: Array<number> = []
  const state = Effect.gen(function* () {
    const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
    reads.push(now)
    const status = statuses[Math.min(reads.length - 1, statuses.length - 1)]!
    return { status } as JobState
  })
  return { state, reads }
}

describe("waiting for a job", () => {
  it.effect("reads at once, then after 50, 75, 112… ms, at most every 500 ms, until terminal", () =>
    Effect.gen(function* () {
      const { state, reads } = scripted([...Array<JobStatus>(9).fill("RUNNING"), "DONE"])
      const fiber = yield* Effect.forkChild(waitForJob(state, "ML.PUBLIC.J", -1))
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.join(fiber)).toBe("DONE")
      const gaps = reads.slice(1).map((t, i) => t - reads[i]!)
      expect(reads[0]).toBe(0)
      expect(gaps).toStrictEqual([50, 75, 112.5, 168.75, 253.125, 379.6875, 500, 500, 500])
    })
  )

  it.effect("times out on the clock with the status read last", () =>
    Effect.gen(function* () {
      const { state, reads } = scripted(["RUNNING"])
      const fiber = yield* Effect.forkChild(Effect.flip(waitForJob(state, "ML.PUBLIC.J", 2)))
      yield* TestClock.adjust("1999 millis")
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber)
      expect(error).toBeInstanceOf(JobTimeout)
      expect(error).toMatchObject({ job: "ML.PUBLIC.J", timeoutSeconds: 2, status: "RUNNING" })
      // No read after the timeout's last look: nothing is left polling.
      const count = reads.length
      yield* TestClock.adjust("10 seconds")
      expect(reads.length).toBe(count)
    })
  )

  it.effect("a job that ends at the timeout's last look is not reported as running", () =>
    Effect.gen(function* () {
      // Read RUNNING at 0, 50, 125, 237.5, 406.25, 659.375 and 1039.0625 ms; DONE at the last look (1.2 s),
      // before the poll's next read (1539.0625 ms).
      const { state, reads } = scripted([...Array<JobStatus>(7).fill("RUNNING"), "DONE"])
      const fiber = yield* Effect.forkChild(waitForJob(state, "ML.PUBLIC.J", 1.2))
      yield* TestClock.adjust("2 seconds")
      expect(yield* Fiber.join(fiber)).toBe("DONE")
      expect(reads.at(-1)).toBe(1200)
    })
  )

  it.effect("a replaced status.json wakes the wait at once, without the clock moving", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "runbatch-jobwait-"))
      let done = false
      const reads: Array<number> = []
      const state = Effect.gen(function* () {
        reads.push(yield* Effect.clockWith((clock) => clock.currentTimeMillis))
        return { status: done ? "DONE" : "RUNNING" } as JobState
      })
      const fiber = yield* Effect.forkChild(waitForJob(state, "ML.PUBLIC.J", -1, dir))
      // Into the half-second reads, then the supervisor's write: a temporary file renamed over it.
      yield* TestClock.adjust("3 seconds")
      const before = reads.length
      done = true
      writeFileSync(join(dir, "status.json.tmp"), "{}")
      renameSync(join(dir, "status.json.tmp"), join(dir, "status.json"))
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 300)))
      expect(fiber.pollUnsafe()).toBeDefined()
      expect(yield* Fiber.join(fiber)).toBe("DONE")
      expect(reads.length).toBe(before + 1)
      rmSync(dir, { recursive: true, force: true })
    })
  )

  it.effect("without a folder to watch, the schedule alone finds the end", () =>
    Effect.gen(function* () {
      const { state } = scripted(["RUNNING", "DONE"])
      const fiber = yield* Effect.forkChild(waitForJob(state, "ML.PUBLIC.J", -1, "/nonexistent/runbatch/job"))
      yield* TestClock.adjust("50 millis")
      expect(yield* Fiber.join(fiber)).toBe("DONE")
    })
  )
})
