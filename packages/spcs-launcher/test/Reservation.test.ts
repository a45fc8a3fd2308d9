/**
 * A reserved job — its name taken before its client writes anything, started once its input is
 * staged: it exists, PENDING, throughout; its client's death, a cancel or a delete while it stages
 * each end it without it ever starting. These run no supervisor (a reservation that is never started
 * starts none), so they stay in the unit tier.
 */
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { hostname } from "node:os"
import { describe, expect, it } from "@effect/vitest"
import { LocalLayout } from "@runbatch/spec"
import { Effect } from "effect"
import { type ClientRecord, files, writeJsonAtomic } from "../src/JobFolder.ts"
import { failureOf, fakeRequest, tempDir, withLauncher } from "./support.ts"

const jobFiles = (home: string, name: string) =>
  files(LocalLayout.jobDir(home, { database: "ML", schema: "PUBLIC", name }))

describe("a reserved job", () => {
  it("exists, PENDING, from its reservation on, and is listed", async () => {
    const home = tempDir()
    const seen = await withLauncher(home, (l) =>
      Effect.gen(function* () {
        yield* l.reserve(fakeRequest("STAGING", 2))
        const found = yield* l.getJob("STAGING")
        return {
          status: yield* found.status,
          listed: (yield* l.listJobs()).map((row) => `${row.name} ${row.status}`),
          again: yield* Effect.flip(l.reserve(fakeRequest("STAGING", 1)))
        }
      })
    )
    expect(seen.status).toBe("PENDING")
    expect(seen.listed).toEqual(["STAGING PENDING"])
    expect(seen.again._tag).toBe("JobExists")
    const client = JSON.parse(readFileSync(jobFiles(home, "STAGING").client, "utf8")) as ClientRecord
    expect(client).toMatchObject({ pid: process.pid, host: hostname() })
  })

  it("reads FAILED, never started, once the client staging it is gone", async () => {
    const home = tempDir()
    await withLauncher(home, (l) => l.reserve(fakeRequest("ORPHAN", 1)))
    const exited = spawnSync(process.execPath, ["-e", "0"]).pid
    writeJsonAtomic(jobFiles(home, "ORPHAN").client, {
      pid: exited,
      host: hostname(),
      startedTime: new Date().toISOString()
    } satisfies ClientRecord)
    const row = await withLauncher(home, (l) => Effect.flatMap(l.getJob("ORPHAN"), (job) => job.describe))
    expect(row.status).toBe("FAILED")
    expect(row.message).toBe(
      `The job never started: the client that was staging its input (process ${exited}) stopped before starting it. Remove it (runbatch jobs rm ML.PUBLIC.ORPHAN) and run it again.`
    )
  })

  it("cancelled while it stages, never starts and ends CANCELLED", async () => {
    const home = tempDir()
    const status = await withLauncher(home, (l) =>
      Effect.gen(function* () {
        const reservation = yield* l.reserve(fakeRequest("CALLED_OFF", 1))
        yield* reservation.job.cancel
        expect(yield* reservation.job.status).toBe("CANCELLING")
        const started = yield* reservation.start({ rows: 10, shards: 1 })
        return yield* started.status
      })
    )
    expect(status).toBe("CANCELLED")
    expect(existsSync(jobFiles(home, "CALLED_OFF").supervisor)).toBe(false)
    expect(existsSync(jobFiles(home, "CALLED_OFF").client)).toBe(false)
  })

  it("deleted while it stages: gone at once, and its start fails instead of running it", async () => {
    const home = tempDir()
    const failure = await failureOf(home, (l) =>
      Effect.gen(function* () {
        const reservation = yield* l.reserve(fakeRequest("DROPPED", 1))
        const started = Date.now()
        yield* l.deleteJob("DROPPED")
        // No supervisor to wait for: the delete does not sit out a stop grace period.
        expect(Date.now() - started).toBeLessThan(2000)
        return yield* reservation.start({ rows: 10, shards: 1 })
      })
    )
    expect(failure._tag).toBe("JobLaunchFailed")
    expect(failure.message).toContain("it was deleted while its input was staged.")
    expect(existsSync(jobFiles(home, "DROPPED").dir)).toBe(false)
  })

  it("abandoned: gone, its name free again", async () => {
    const home = tempDir()
    const outcome = await withLauncher(home, (l) =>
      Effect.gen(function* () {
        const reservation = yield* l.reserve(fakeRequest("NEVER", 1))
        yield* reservation.abandon
        const lookup = yield* Effect.flip(l.getJob("NEVER"))
        const again = yield* l.reserve(fakeRequest("NEVER", 1))
        yield* again.abandon
        return lookup._tag
      })
    )
    expect(outcome).toBe("JobNotFound")
  })
})
