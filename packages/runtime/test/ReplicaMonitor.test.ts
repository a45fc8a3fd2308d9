/**
 * The replicas' status files are read through spec's ReplicaStatus: what the supervisor writes is
 * understood, and a file of another version or a damaged one fails with ReplicaStatusUnreadable
 * instead of being taken for "no news" (the coordinator would then wait on a replica it cannot see).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { ReplicaStatus, ReplicaStatusUnreadable } from "@runbatch/spec"
import { Effect } from "effect"
import { ReplicaMonitor } from "../src/index.ts"

let folder: string
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "runbatch-monitor-"))
})
afterEach(() => rmSync(folder, { recursive: true, force: true }))

const monitor = <A, E>(f: (monitor: ReplicaMonitor["Service"]) => Effect.Effect<A, E>) =>
  ReplicaMonitor.use(f).pipe(Effect.provide(ReplicaMonitor.layerStatusFolder(folder, 2)))

describe("ReplicaMonitor.layerStatusFolder", () => {
  it.effect("reads the supervisor's status files", () =>
    Effect.gen(function* () {
      writeFileSync(join(folder, "replica-0.json"), ReplicaStatus.format({ replica: 0, state: "running" }))
      writeFileSync(
        join(folder, "replica-1.json"),
        ReplicaStatus.format({ replica: 1, state: "exited", code: null, signal: "SIGKILL" })
      )
      expect(yield* monitor((m) => m.lost)).toStrictEqual([
        { replica: 1, reason: "it was killed by SIGKILL." }
      ])
      expect(yield* monitor((m) => m.othersExited)).toBe(true)
    })
  )

  it.effect("a replica without a status file yet is no news", () =>
    Effect.gen(function* () {
      expect(yield* monitor((m) => m.lost)).toStrictEqual([])
      expect(yield* monitor((m) => m.othersExited)).toBe(false)
    })
  )

  it.effect("fails with ReplicaStatusUnreadable on a file of another version", () =>
    Effect.gen(function* () {
      const file = join(folder, "replica-1.json")
      writeFileSync(file, JSON.stringify({ version: 2, replica: 1, state: "paused" }))
      const error = yield* Effect.flip(monitor((m) => m.othersExited))
      expect(error).toBeInstanceOf(ReplicaStatusUnreadable)
      expect(error).toMatchObject({ file, found: "2" })
      expect(error.message).toContain("is of version 2, and this replica reads version 1")
    })
  )

  it.effect("fails with ReplicaStatusUnreadable on a file that misses a field", () =>
    Effect.gen(function* () {
      writeFileSync(join(folder, "replica-0.json"), JSON.stringify({ version: 1, replica: 0 }))
      const error = yield* Effect.flip(monitor((m) => m.lost))
      expect(error).toMatchObject({ found: null, reason: "state: missing" })
    })
  )
})
