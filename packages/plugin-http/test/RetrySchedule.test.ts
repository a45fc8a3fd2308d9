import { afterEach, beforeEach, describe, expect, it, vi } from "@effect/vitest"
import { Data, Effect, Fiber, Schedule } from "effect"
import { TestClock } from "effect/testing"
import { retrySchedule } from "../src/RetrySchedule.ts"

class Busy extends Data.TaggedError("Busy")<{ readonly retryAfterMillis?: number }> {}
class Refused extends Data.TaggedError("Refused")<{ readonly reason?: string }> {}

const rules = {
  transient: (failure: Busy | Refused) => failure._tag === "Busy",
  retryAfterOf: (failure: Busy | Refused) => (failure._tag === "Busy" ? failure.retryAfterMillis : undefined)
}
const backoff = { initialMillis: 1_000, maxMillis: 30_000 }

/** An attempt that fails with `failures[i]` on attempt i, then succeeds; counts its attempts. */
const flaky = (failures: ReadonlyArray<Busy | Refused>) => {
  const attempts = { count: 0 }
  const attempt = Effect.suspend(() => {
    const failure = failures[attempts.count++]
    return failure === undefined ? Effect.succeed("ok") : Effect.fail(failure)
  })
  return { attempts, attempt }
}

describe("retrySchedule", () => {
  // Jitter at its midpoint: backoff waits exactly their base, Retry-After waits +10%.
  beforeEach(() => void vi.spyOn(Math, "random").mockReturnValue(0.5))
  afterEach(() => void vi.restoreAllMocks())

  it.effect("waits a doubling backoff between transient failures", () =>
    Effect.gen(function* () {
      const { attempts, attempt } = flaky([new Busy({}), new Busy({})])
      const fiber = yield* attempt.pipe(Effect.retry(retrySchedule(backoff, 3, rules)), Effect.forkChild)
      yield* TestClock.adjust("999 millis")
      expect(attempts.count).toBe(1)
      yield* TestClock.adjust("1 millis")
      expect(attempts.count).toBe(2)
      yield* TestClock.adjust("1999 millis")
      expect(attempts.count).toBe(2)
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(fiber)).toBe("ok")
      expect(attempts.count).toBe(3)
    })
  )

  it.effect("waits what the server asked, cut to the backoff's cap", () =>
    Effect.gen(function* () {
      const { attempts, attempt } = flaky([
        new Busy({ retryAfterMillis: 5_000 }),
        new Busy({ retryAfterMillis: 3_600_000 })
      ])
      const fiber = yield* attempt.pipe(Effect.retry(retrySchedule(backoff, 3, rules)), Effect.forkChild)
      yield* TestClock.adjust("5499 millis")
      expect(attempts.count).toBe(1)
      yield* TestClock.adjust("1 millis")
      expect(attempts.count).toBe(2)
      // An hour asked: 30 s (the cap) + 10%.
      yield* TestClock.adjust("32999 millis")
      expect(attempts.count).toBe(2)
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(fiber)).toBe("ok")
    })
  )

  it.effect("stops when the budget is spent, the last failure standing; retries counted by a tap", () =>
    Effect.gen(function* () {
      const { attempts, attempt } = flaky([new Busy({}), new Busy({}), new Busy({ retryAfterMillis: 1 })])
      const retries: Array<number> = []
      const schedule = retrySchedule(backoff, 2, rules).pipe(
        Schedule.tap(({ output }) => Effect.sync(() => retries.push(output)))
      )
      const fiber = yield* attempt.pipe(Effect.retry(schedule), Effect.flip, Effect.forkChild)
      yield* TestClock.adjust("3 seconds")
      expect(yield* Fiber.join(fiber)).toEqual(new Busy({ retryAfterMillis: 1 }))
      expect(attempts.count).toBe(3)
      expect(retries).toEqual([1, 2])
    })
  )

  it.effect("does not retry a failure that is not transient, nor count it", () =>
    Effect.gen(function* () {
      const { attempts, attempt } = flaky([new Refused({})])
      const retries: Array<number> = []
      const schedule = retrySchedule(backoff, 3, rules).pipe(
        Schedule.tap(({ output }) => Effect.sync(() => retries.push(output)))
      )
      const failure = yield* attempt.pipe(Effect.retry(schedule), Effect.flip)
      expect(failure).toEqual(new Refused({}))
      expect(attempts.count).toBe(1)
      expect(retries).toEqual([])
    })
  )
})
