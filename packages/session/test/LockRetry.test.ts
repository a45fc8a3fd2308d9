/**
 * The wait for a database another process holds locked, on the TestClock: backoff that grows to its
 * cap, DatabaseBusy once the wait window has passed (and not before), success as soon as the lock is
 * free, and no retry for any other failure.
 */
import { describe, expect, it } from "@effect/vitest"
import { DatabaseBusy, SqlError } from "@runbatch/spec"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { LockConflict, retryWhileLocked } from "../src/LockRetry.ts"

/** An attempt that finds ML locked until `freeAt` (on the Clock), recording when it ran. */
const lockedUntil = (freeAt: number, times: Array<number>) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    times.push(now)
    return now < freeAt ? Effect.fail(new LockConflict({ database: "ML" })) : Effect.succeed("done")
  })

/** Run `effect` in a fiber and move the TestClock on 10 ms at a time until it ends. */
const runOnTestClock = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(Effect.result(effect))
    while (fiber.pollUnsafe() === undefined) yield* TestClock.adjust("10 millis")
    return yield* Fiber.join(fiber)
  })

describe("retryWhileLocked", () => {
  it.effect(
    "retries with growing waits capped at a second, then fails with DatabaseBusy past the window",
    () =>
      Effect.gen(function* () {
        const times: Array<number> = []
        const result = yield* runOnTestClock(
          retryWhileLocked(lockedUntil(Number.POSITIVE_INFINITY, times), 5000)
        )
        expect(result._tag).toBe("Failure")
        const busy = result._tag === "Failure" ? result.failure : undefined
        expect(busy).toBeInstanceOf(DatabaseBusy)
        expect(busy).toMatchObject({ database: "ML" })
        const waited = (busy as DatabaseBusy).waitedMillis
        // Not before the window has passed, and the last wait is cut short: one attempt just past it.
        expect(waited).toBeGreaterThanOrEqual(5000)
        expect(waited).toBeLessThan(5000 + 50)
        expect(times.at(-1)).toBe(waited)
        const waits = times.slice(1).map((time, i) => time - times[i]!)
        // 20 ms first (jittered by ±20 %, rounded to the 10 ms steps of the clock), growing ×1.5.
        expect(waits[0]).toBeLessThanOrEqual(30)
        expect(waits.slice(0, 8).every((wait, i) => i === 0 || wait >= waits[i - 1]! - 20)).toBe(true)
        expect(Math.max(...waits)).toBeLessThanOrEqual(1200 + 10)
        expect(Math.max(...waits)).toBeGreaterThanOrEqual(800)
      })
  )

  it.effect("succeeds at the first attempt after the lock is freed", () =>
    Effect.gen(function* () {
      const times: Array<number> = []
      const result = yield* runOnTestClock(retryWhileLocked(lockedUntil(300, times), 5000))
      expect(result).toMatchObject({ _tag: "Success", success: "done" })
      expect(times.at(-1)).toBeGreaterThanOrEqual(300)
      expect(times.at(-2)).toBeLessThan(300)
      expect(times.length).toBeGreaterThan(3)
    })
  )

  it.effect("does not retry any other failure", () =>
    Effect.gen(function* () {
      let attempts = 0
      const failing = Effect.suspend(() => {
        attempts++
        return Effect.fail(new SqlError({ statement: "SELECT 1", reason: "broken" }))
      })
      const error = yield* Effect.flip(retryWhileLocked(failing, 5000))
      expect(error).toBeInstanceOf(SqlError)
      expect(attempts).toBe(1)
    })
  )
})
