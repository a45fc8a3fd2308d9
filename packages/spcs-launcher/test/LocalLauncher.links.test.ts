/**
 * The local launcher follows no symbolic link below the home: whichever folder of a job's path is the
 * link — the home's `jobs/` folder, the database, the schema or the job folder itself — no job is
 * found, read, resumed or deleted through it. The target is a finished job's folder (its record, status
 * and a replica log) in another folder, which must stay exactly as it was. No job is started here:
 * launching through such a link is refused before anything is written (packages/runbatch's
 * test/e2e/Security.test.ts tries it through the CLI).
 */
import { createHash } from "node:crypto"
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalFileError, LocalLayout } from "@runbatch/spec"
import { Effect } from "effect"
import type { JobLauncherShape } from "../src/index.ts"
import { RECORD_VERSION } from "../src/JobFolder.ts"
import { tempDir, withLauncher } from "./support.ts"

const CHAIN = ["jobs", "ML", "PUBLIC", "J"] as const
const levels = [
  { level: "the home's jobs/ folder", depth: 1 },
  { level: "the database folder", depth: 2 },
  { level: "the schema folder", depth: 3 },
  { level: "the job folder", depth: 4 }
] as const

/** A DONE job ML.PUBLIC.J, as the launcher records one, in the home-like folder `root`. */
const plantJob = (root: string) => {
  const dir = LocalLayout.jobDir(root, { database: "ML", schema: "PUBLIC", name: "J" })
  mkdirSync(join(dir, "logs"), { recursive: true })
  const now = new Date().toISOString()
  writeFileSync(
    join(dir, "job.json"),
    JSON.stringify({
      version: RECORD_VERSION,
      uid: "u-1",
      database: "ML",
      schema: "PUBLIC",
      name: "J",
      home: root,
      cwd: root,
      planLocation: "@ML.PUBLIC.RESULTS/out/_runbatch/J/plan.json",
      replicas: 1,
      replicaCommand: { command: process.execPath, args: [] },
      env: {},
      cpus: 1,
      computePool: null,
      totals: null,
      outputLocation: null,
      owner: "someone",
      createdTime: now,
      stopGraceMillis: 1000,
      attempt: 1,
      previous: []
    })
  )
  writeFileSync(
    join(dir, "status.json"),
    JSON.stringify({ status: "DONE", message: "", updatedTime: now, completedTime: now })
  )
  writeFileSync(join(dir, "logs", "replica-0.log"), "replica 0 logged this\n")
}

/** Every file under `dir` (following no links) with its sha256. */
const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name)
        return [relative(dir, path), createHash("sha256").update(readFileSync(path)).digest("hex")]
      })
  )

const attempt = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.match(effect, { onFailure: (error): unknown => error, onSuccess: (value): unknown => value })

describe.each(levels)("a symbolic link out of the home at $level", ({ depth }) => {
  it("no job is found, read, resumed or deleted through it", async () => {
    const outside = tempDir("runbatch-outside-")
    plantJob(outside)
    const home = tempDir()
    const link = join(home, ...CHAIN.slice(0, depth))
    mkdirSync(dirname(link), { recursive: true })
    symlinkSync(join(outside, ...CHAIN.slice(0, depth)), link)
    const before = snapshot(outside)

    const outcomes = await withLauncher(home, (launcher: JobLauncherShape) =>
      Effect.gen(function* () {
        return {
          getJob: yield* attempt(launcher.getJob("ML.PUBLIC.J")),
          logs: yield* attempt(Effect.flatMap(launcher.getJob("ML.PUBLIC.J"), (job) => job.getLogs())),
          listJobs: yield* attempt(launcher.listJobs()),
          resume: yield* attempt(launcher.resume("ML.PUBLIC.J")),
          deleteJob: yield* attempt(launcher.deleteJob("ML.PUBLIC.J"))
        }
      })
    )
    expect(snapshot(outside)).toStrictEqual(before)
    for (const [what, outcome] of Object.entries(outcomes)) {
      // Below jobs/, a listing does not follow links: it finds no job.
      if (what === "listJobs" && depth > 1) {
        expect(outcome, what).toStrictEqual([])
        continue
      }
      expect(outcome, what).toBeInstanceOf(LocalFileError)
      expect((outcome as LocalFileError).message, what).toContain(
        `${CHAIN.slice(0, depth).join("/")} is a symbolic link`
      )
    }
  })
})

it("a home that is itself a symbolic link works", async () => {
  const real = tempDir("runbatch-real-home-")
  plantJob(real)
  const home = join(tempDir(), "home")
  symlinkSync(real, home)
  const outcome = await withLauncher(home, (launcher) =>
    Effect.gen(function* () {
      const job = yield* launcher.getJob("ML.PUBLIC.J")
      const logs = yield* job.getLogs()
      const listed = (yield* launcher.listJobs()).map((row) => row.name)
      yield* launcher.deleteJob("ML.PUBLIC.J")
      return { status: yield* job.status, logs, listed }
    })
  )
  expect(outcome).toStrictEqual({ status: "DELETED", logs: "replica 0 logged this", listed: ["J"] })
  expect(readdirSync(join(real, "jobs", "ML", "PUBLIC"))).toStrictEqual([])
})
