/**
 * The runtime's retries of a batch an engine failed as retryable: the wait honours the engine's
 * `retryAfterMillis` (a server's Retry-After) only up to the policy's cap, so a server asking for
 * hours, years or nonsense stalls no job; the attempts end. Timing runs on effect's TestClock.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import type { EngineSession, InferResult } from "@runbatch/plugin-api"
import { PluginBatchError } from "@runbatch/spec"
import { MemoryStage } from "@runbatch/testkit"
import * as Arrow from "apache-arrow"
import { Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { backoff, inferWithRetry, type RetryPolicy } from "../src/EngineCall.ts"

const policy: RetryPolicy = { attempts: 4, baseDelayMillis: 100, maxDelayMillis: 1_000 }

const batch = new Arrow.RecordBatch({ x: Arrow.vectorFromArray([1, 2], new Arrow.Float64()).data[0]! })

/** A session whose first `failures` calls fail, retryable, asking to wait `retryAfterMillis` (if any). */
const session = (failures: number, retryAfterMillis?: number, retryable = true) => {
  const state = { calls: 0 }
  const engine: EngineSession = {
    infer: (input) =>
      Effect.suspend(() => {
        state.calls++
        return state.calls <= failures
          ? Effect.fail(
              new PluginBatchError({
                plugin: "t",
                reason: "busy (429)",
                retryable,
                ...(retryAfterMillis === undefined ? {} : { retryAfterMillis })
              })
            )
          : Effect.succeed<InferResult>({ outputs: input })
      })
  }
  return { engine, state }
}

describe("inferWithRetry and a server's Retry-After", () => {
  it("waits at least the ask up to the cap, never more than the cap (plus the backoff's 20%)", () => {
    for (let i = 0; i < 50; i++) {
      expect(backoff(policy, 1, 700)).toBeGreaterThanOrEqual(700)
      expect(backoff(policy, 1, 700)).toBeLessThanOrEqual(1_000 * 1.2)
      for (const asked of [1_500, 3_600_000, 99_999_999_999_000, Number.POSITIVE_INFINITY]) {
        const delay = backoff(policy, 1, asked)
        expect(delay, String(asked)).toBeGreaterThanOrEqual(1_000)
        expect(delay, String(asked)).toBeLessThanOrEqual(1_000 * 1.2)
      }
      // Nonsense asks count as none: the exponential backoff alone (100 ms ±20% for the first retry).
      for (const asked of [Number.NaN, -1]) {
        expect(backoff(policy, 1, asked)).toBeGreaterThanOrEqual(80)
        expect(backoff(policy, 1, asked)).toBeLessThanOrEqual(120)
      }
    }
  })

  for (const [name, asked] of [
    ["99999999999 s", 99_999_999_999_000],
    ["an hour", 3_600_000],
    ["a date a month ahead", 30 * 24 * 3_600_000]
  ] as const) {
    it.effect(`retries a batch whose server asks for ${name} after at most the cap`, () =>
      Effect.gen(function* () {
        const { engine, state } = session(2, asked)
        const delays: Array<number> = []
        const fiber = yield* Effect.forkChild(
          inferWithRetry(engine, batch, {}, policy, (_error, delay) =>
            Effect.sync(() => {
              delays.push(delay)
            })
          ).pipe(Effect.provide(MemoryStage.host(new Map())))
        )
        // Two waits of at most the cap (plus 20%): the third attempt has run and succeeded.
        yield* TestClock.adjust("1200 millis")
        yield* TestClock.adjust("1200 millis")
        expect(state.calls).toBe(3)
        expect(delays).toHaveLength(2)
        for (const delay of delays) expect(delay).toBeLessThanOrEqual(1_200)
        const exit = yield* Fiber.await(fiber)
        assert.isTrue(Exit.isSuccess(exit))
      })
    )
  }

  it.effect("ends after its attempts when the server keeps asking for years", () =>
    Effect.gen(function* () {
      const { engine, state } = session(99, 99_999_999_999_000)
      const fiber = yield* Effect.forkChild(
        inferWithRetry(engine, batch, {}, policy).pipe(Effect.provide(MemoryStage.host(new Map())))
      )
      for (let i = 0; i < policy.attempts; i++) yield* TestClock.adjust("1200 millis")
      expect(state.calls).toBe(policy.attempts)
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit))
    })
  )

  it.effect("backs off exponentially with jitter: no attempt before its delay has passed", () =>
    Effect.gen(function* () {
      const { engine, state } = session(3)
      const delays: Array<number> = []
      const fiber = yield* Effect.forkChild(
        inferWithRetry(engine, batch, {}, policy, (_error, delay) =>
          Effect.sync(() => {
            delays.push(delay)
          })
        ).pipe(Effect.provide(MemoryStage.host(new Map())))
      )
      // Retry n waits 100·2^(n-1) ms ±20%: 80–120, then 160–240, then 320–480.
      yield* TestClock.adjust("79 millis")
      expect(state.calls).toBe(1)
      expect(delays).toHaveLength(1) // told before the wait
      yield* TestClock.adjust("41 millis") // 120
      expect(state.calls).toBe(2)
      yield* TestClock.adjust("119 millis") // 239: the second wait is at least 160 after at least 80
      expect(state.calls).toBe(2)
      yield* TestClock.adjust("121 millis") // 360
      expect(state.calls).toBe(3)
      yield* TestClock.adjust("480 millis")
      expect(state.calls).toBe(4)
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
      expect(delays).toHaveLength(3)
      delays.forEach((delay, i) => {
        expect(delay).toBeGreaterThanOrEqual(100 * 2 ** i * 0.8)
        expect(delay).toBeLessThanOrEqual(100 * 2 ** i * 1.2)
      })
    })
  )

  it.effect("fails at once, without waiting, on an error that is not retryable", () =>
    Effect.gen(function* () {
      const { engine, state } = session(1, undefined, false)
      const error = yield* Effect.flip(
        inferWithRetry(engine, batch, {}, policy).pipe(Effect.provide(MemoryStage.host(new Map())))
      )
      expect(error.retryable).toBe(false)
      expect(state.calls).toBe(1)
    })
  )
})
