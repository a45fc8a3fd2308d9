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

/** A session whose first `failures` calls fail, retryable, asking to wait `retryAfterMillis`. */
const session = (failures: number, retryAfterMillis: number) => {
  const state = { calls: 0 }
  const engine: EngineSession = {
    infer: (input) =>
      Effect.suspend(() => {
        state.calls++
        return state.calls <= failures
          ? Effect.fail(
              new PluginBatchError({ plugin: "t", reason: "busy (429)", retryable: true, retryAfterMillis })
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
})
