/**
 * A `jobs resume` killed in its window — the stopped attempt renamed aside (`.resume-<uid>.<pid>.<boot>`),
 * the next attempt not launched yet — leaves the job under that name only. The next lookup puts it
 * back (its resumer is dead), so status finds it as it was and resume runs it to DONE; the aside of a
 * resume still running is left to it. The state is built as the kill leaves it: the job folder renamed
 * to an aside named by a process that has exited.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, it } from "@effect/vitest"
import { type JobNotFound, LocalLayout } from "@runbatch/spec"
import { Effect } from "effect"
import { bootId } from "../../src/SupervisorLiveness.ts"
import { failureOf, fakeRequest, readJsonFile, withLauncher } from "../support.ts"

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "runbatch-aside-"))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))
const tempDir = () => mkdtempSync(join(root, "t-"))

const jobFolder = (home: string, name: string) =>
  LocalLayout.jobDir(home, { database: "ML", schema: "PUBLIC", name })

/** A job that FAILED on its first run (its replicas run fine once resumed). */
const failedJob = async (home: string, name: string) => {
  const job = await withLauncher(home, (l) =>
    l.launch(fakeRequest(name, 1, { FAKE_MODE: "fail", FAKE_ONCE_DIR: tempDir() }))
  )
  await Effect.runPromise(job.wait({ timeoutSeconds: 30 }))
  return readJsonFile<{ uid: string }>(join(jobFolder(home, name), "job.json"))!.uid
}

/** Step the job aside as a resume by process `pid` does. */
const stepAside = (home: string, name: string, uid: string, pid: number) => {
  const dir = jobFolder(home, name)
  const aside = join(dirname(dir), `.resume-${uid}.${pid}.${bootId() ?? "unknown"}`)
  renameSync(dir, aside)
  return aside
}

describe.concurrent("a resume killed after stepping its job aside", () => {
  it("is undone by the next lookup: status finds the job FAILED, and resume runs it to DONE", async ({
    expect
  }) => {
    const home = tempDir()
    const uid = await failedJob(home, "ASIDE")
    // A resumer that has exited: a process that ran and ended.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid
    const aside = stepAside(home, "ASIDE", uid, dead)

    const rows = await withLauncher(home, (l) => l.listJobs())
    expect(rows.map((r) => [r.name, r.status])).toEqual([["ASIDE", "FAILED"]])
    const status = await withLauncher(home, (l) => Effect.flatMap(l.getJob("ASIDE"), (j) => j.status))
    expect(status).toBe("FAILED")
    expect(existsSync(aside)).toBe(false)

    const next = await withLauncher(home, (l) => l.resume("ASIDE"))
    expect(await Effect.runPromise(next.wait({ timeoutSeconds: 30 }))).toBe("DONE")
    expect(
      readJsonFile<{ uid: string }>(join(jobFolder(home, "ASIDE"), "attempts", "1", "job.json"))?.uid
    ).toBe(uid)
  })

  it("is left alone while its resumer still runs", async ({ expect }) => {
    const home = tempDir()
    const uid = await failedJob(home, "BUSY")
    const aside = stepAside(home, "BUSY", uid, process.pid)
    const error = (await failureOf(home, (l) => l.getJob("BUSY"))) as JobNotFound
    expect(error._tag).toBe("JobNotFound")
    expect(readdirSync(dirname(aside))).toEqual([`.resume-${uid}.${process.pid}.${bootId() ?? "unknown"}`])
  })
})
