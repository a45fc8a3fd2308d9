/**
 * A supervisor that hangs (here: stopped with SIGSTOP) reads FAILED once its heartbeat is late, but it
 * and its replicas are still there and could wake: the job is not resumable until they are gone
 * (`cancel` kills them), and a supervisor that wakes to find its job resumed under it writes nothing
 * into the next attempt. Real processes: detached supervisors, the fake replica.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, it } from "@effect/vitest"
import { LocalLayout, type ResumeRefused } from "@runbatch/spec"
import { Effect } from "effect"
import { processAlive } from "../../src/SupervisorLiveness.ts"
import { eventually, failureOf, fakeRequest, logReaches, readJsonFile, withLauncher } from "../support.ts"

// One folder for the whole file: tests run side by side, so each makes its own folders in it.
let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "runbatch-hung-"))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))
const tempDir = () => mkdtempSync(join(root, "t-"))

const options = { heartbeatTimeoutSeconds: 2 }
const jobFolder = (home: string, name: string) =>
  LocalLayout.jobDir(home, { database: "ML", schema: "PUBLIC", name })
const pidOf = (file: string) => readJsonFile<{ pid: number }>(file)!.pid
const statusOf = (home: string, name: string) =>
  withLauncher(home, (l) => Effect.flatMap(l.getJob(name), (j) => j.describe), options)
const gone = (pids: ReadonlyArray<number>) => eventually(() => (pids.some(processAlive) ? undefined : true))

describe.concurrent("a hung supervisor", () => {
  it("is not resumable while it and its replicas are stopped; cancel kills them, then it resumes to DONE", async ({
    expect
  }) => {
    const home = tempDir()
    const envDir = tempDir()
    const env = { FAKE_MODE: "hang", FAKE_ENV_DIR: envDir, FAKE_ONCE_DIR: tempDir() }
    const job = await withLauncher(home, (l) => l.launch(fakeRequest("HUNG", 2, env)), options)
    await logReaches(job, "hanging", 0)
    await logReaches(job, "hanging", 1)
    const supervisor = pidOf(join(jobFolder(home, "HUNG"), "supervisor.json"))
    const replicas = [0, 1].map((i) => pidOf(join(envDir, `env-${i}.json`)))
    process.kill(supervisor, "SIGSTOP")
    process.kill(replicas[0]!, "SIGSTOP")
    try {
      const state = await eventually(async () => {
        const row = await statusOf(home, "HUNG")
        return row.status === "FAILED" ? row : undefined
      })
      expect(state.message).toContain(`pid ${supervisor}`)
      expect(state.message).toContain("runbatch jobs cancel ML.PUBLIC.HUNG")

      const refused = (await failureOf(home, (l) => l.resume("HUNG"), options)) as ResumeRefused
      expect(refused._tag).toBe("ResumeRefused")
      expect(refused.reason).toContain(String(supervisor))
      expect(refused.reason).toContain(String(replicas[0]))
      expect(refused.reason).toContain("runbatch jobs cancel ML.PUBLIC.HUNG")
      expect(processAlive(replicas[0]!)).toBe(true)

      await withLauncher(home, (l) => Effect.flatMap(l.getJob("HUNG"), (j) => j.cancel), options)
      await gone([supervisor, ...replicas])
    } finally {
      for (const pid of [supervisor, replicas[0]!]) {
        try {
          process.kill(pid, "SIGCONT")
        } catch {
          // Killed by the cancel.
        }
      }
    }
    const next = await withLauncher(home, (l) => l.resume("HUNG"), options)
    expect(next.attempt).toBe(2)
    expect(await Effect.runPromise(next.wait({ timeoutSeconds: 30 }))).toBe("DONE")
  })

  it("that wakes after its job was resumed under it writes nothing into the next attempt, and stops its replicas", async ({
    expect
  }) => {
    const home = tempDir()
    const envDir = tempDir()
    const env = { FAKE_MODE: "hang", FAKE_ENV_DIR: envDir, FAKE_ONCE_DIR: tempDir() }
    const job = await withLauncher(home, (l) => l.launch(fakeRequest("WOKEN", 1, env)), options)
    await logReaches(job, "hanging", 0)
    const dir = jobFolder(home, "WOKEN")
    const supervisorFile = join(dir, "supervisor.json")
    const supervisor = pidOf(supervisorFile)
    const replica = pidOf(join(envDir, "env-0.json"))
    process.kill(supervisor, "SIGSTOP")
    try {
      // As a supervisor on another machine sharing the home would be: this machine cannot see it, so
      // nothing but its own fence keeps it out of the next attempt.
      const record = readJsonFile<Record<string, unknown>>(supervisorFile)!
      writeFileSync(supervisorFile, JSON.stringify({ ...record, host: "another-machine" }))
      await eventually(async () => ((await statusOf(home, "WOKEN")).status === "FAILED" ? true : undefined))
      const next = await withLauncher(home, (l) => l.resume("WOKEN"), options)
      expect(await Effect.runPromise(next.wait({ timeoutSeconds: 30 }))).toBe("DONE")
      // The wait ends when status.json says DONE; the next attempt's supervisor still notes it in its
      // log and exits. Once it is gone, every file of the folder is final.
      await gone([pidOf(supervisorFile)])
    } finally {
      process.kill(supervisor, "SIGCONT")
    }
    const written = [
      "supervisor.log",
      "status.json",
      "supervisor.json",
      join("monitor", "replica-0.json")
    ].map((file) => [file, readFileSync(join(dir, file), "utf8")] as const)
    // Woken, it finds the folder holds another attempt: it kills its group (its replica too) and exits.
    await gone([supervisor, replica])
    for (const [file, text] of written) expect(readFileSync(join(dir, file), "utf8"), file).toBe(text)
    expect(readFileSync(join(dir, "supervisor.log"), "utf8")).not.toContain(`supervisor ${supervisor}`)
    expect((await statusOf(home, "WOKEN")).status).toBe("DONE")
  })
})
