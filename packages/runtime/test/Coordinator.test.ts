/**
 * Replica 0's finish, polled on a Schedule: it looks at once, then every `pollMillis`, finalizes as soon
 * as a look finds every shard committed, and fails instead of waiting when a replica was lost or every
 * other replica exited with shards uncommitted. Timing runs on effect's TestClock.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import { type JobPlan, StageLocation } from "@runbatch/spec"
import { type OutputCommitter, OutputLayout, type OutputManifest } from "@runbatch/stage-io"
import { Effect, Exit, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { finish } from "../src/Coordinator.ts"
import { ReplicaMonitor } from "../src/ReplicaMonitor.ts"

const shards = 3
const plan = {
  shards: Array.from({ length: shards }, (_, index) => ({ index }))
} as unknown as JobPlan.JobPlan
const job = {} as OutputManifest.JobInfo

/** A committer whose shards are committed by hand, counting how often it is asked. */
const fakeCommitter = Effect.gen(function* () {
  const output = yield* StageLocation.parse("@ML.PUBLIC.RESULTS/out/")
  const state = { committed: new Set<number>(), looks: 0, finalized: 0, allFromLook: Infinity }
  const committer = {
    layout: OutputLayout.make(output, "JOB"),
    committed: Effect.sync(() => {
      state.looks++
      const committed = state.looks >= state.allFromLook ? plan.shards.map((s) => s.index) : state.committed
      return new Map([...committed].map((shard) => [shard, {}]))
    }),
    finalize: () =>
      Effect.sync(() => {
        state.finalized++
        return { rows: 0, parts: [] }
      })
  } as unknown as OutputCommitter.OutputCommitter
  return { committer, state }
})

const monitor = (status: {
  lost?: ReadonlyArray<{ replica: number; reason: string }>
  othersExited?: boolean
}) =>
  Layer.succeed(ReplicaMonitor, {
    lost: Effect.sync(() => status.lost ?? []),
    othersExited: Effect.sync(() => status.othersExited ?? false)
  })

describe("the coordinator's finish", () => {
  it.effect("looks every pollMillis and finalizes on the first look that finds every shard", () =>
    Effect.gen(function* () {
      const { committer, state } = yield* fakeCommitter
      const fiber = yield* Effect.forkChild(
        finish({ plan, committer, job, pollMillis: 1_000 }).pipe(Effect.provide(monitor({})))
      )
      yield* TestClock.adjust("1 millis")
      expect(state.looks).toBe(1) // at once, then waiting
      yield* TestClock.adjust("998 millis")
      expect(state.looks).toBe(1)
      yield* TestClock.adjust("1 millis")
      expect(state.looks).toBe(2)
      state.committed = new Set([0, 1, 2])
      expect(state.finalized).toBe(0) // not before the next look
      yield* TestClock.adjust("1 second")
      expect(state.looks).toBe(3)
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
      expect(state.finalized).toBe(1)
    })
  )

  it.effect("fails with ReplicaLost on the look after a replica died, without waiting for more", () =>
    Effect.gen(function* () {
      const { committer, state } = yield* fakeCommitter
      const status: { lost?: ReadonlyArray<{ replica: number; reason: string }> } = {}
      const fiber = yield* Effect.forkChild(
        finish({ plan, committer, job }).pipe(Effect.provide(monitor(status)))
      )
      yield* TestClock.adjust("200 millis")
      status.lost = [{ replica: 2, reason: "it was killed by SIGKILL." }]
      yield* TestClock.adjust("200 millis")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error._tag).toBe("ReplicaLost")
      expect(error.message).toContain(
        "Replica 2 stopped before finishing its shards: it was killed by SIGKILL."
      )
      expect(state.looks).toBe(3)
      expect(state.finalized).toBe(0)
    })
  )

  it.effect("fails with ResultsIncomplete, naming the shards, once every other replica exited", () =>
    Effect.gen(function* () {
      const { committer, state } = yield* fakeCommitter
      state.committed = new Set([1])
      const error = yield* Effect.flip(
        finish({ plan, committer, job }).pipe(Effect.provide(monitor({ othersExited: true })))
      )
      expect(error._tag).toBe("ResultsIncomplete")
      expect(error.message).toContain("shard(s) 0, 2 were never committed")
      expect(state.finalized).toBe(0)
    })
  )

  it.effect("finalizes when the last commit landed just before the others exited (it looks again)", () =>
    Effect.gen(function* () {
      const { committer, state } = yield* fakeCommitter
      state.allFromLook = 2
      yield* finish({ plan, committer, job }).pipe(Effect.provide(monitor({ othersExited: true })))
      expect(state.looks).toBe(2)
      expect(state.finalized).toBe(1)
    })
  )
})
