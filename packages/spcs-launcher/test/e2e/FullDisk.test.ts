/**
 * A full disk, as the job folder meets it: reading a job whose supervisor died still answers (a read
 * never fails for want of a write), and the status says why the supervisor died when it could note it.
 * The disk is made full for this process's writes to job folders (a mocked `writeFileSync`); the
 * supervisor and replicas are real processes.
 */
import { appendFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { LocalLayout } from "@runbatch/spec"
import { vi } from "vitest"
import { processAlive } from "../../src/SupervisorLiveness.ts"
import { eventually, fakeRequest, logReaches, readJsonFile, run, tempDir, withLauncher } from "../support.ts"

const disk = vi.hoisted(() => ({ full: false }))

vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>()
  const writeFileSync: typeof fs.writeFileSync = (file, ...rest) => {
    if (disk.full && String(file).includes(`${"/jobs/"}`)) {
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" })
    }
    return fs.writeFileSync(file, ...rest)
  }
  return { ...fs, default: { ...fs, writeFileSync }, writeFileSync }
})

afterEach(() => {
  disk.full = false
})

const killSupervisor = async (home: string, name: string) => {
  const dir = LocalLayout.jobDir(home, { database: "ML", schema: "PUBLIC", name })
  const supervisor = readJsonFile<{ pid: number }>(join(dir, "supervisor.json"))!
  process.kill(supervisor.pid, "SIGKILL")
  await eventually(() => (processAlive(supervisor.pid) ? undefined : true))
  return { dir, pid: supervisor.pid }
}

describe("a job folder on a full disk", () => {
  it("answers a status read although the read cannot record what it found", async () => {
    const home = tempDir()
    const job = await withLauncher(home, (l) => l.launch(fakeRequest("FULL", 1, { FAKE_MODE: "hang" })))
    await logReaches(job, "hanging", 0)
    const { pid } = await killSupervisor(home, "FULL")
    disk.full = true
    expect(await run(job.status)).toBe("FAILED")
    expect((await run(job.describe)).message).toContain(`its process ${pid} is gone`)
    // The next read comes to the same end.
    expect(await run(job.status)).toBe("FAILED")
  })

  it("says why the supervisor died when it noted a fatal error", async () => {
    const home = tempDir()
    const job = await withLauncher(home, (l) => l.launch(fakeRequest("NOTED", 1, { FAKE_MODE: "hang" })))
    await logReaches(job, "hanging", 0)
    const { dir, pid } = await killSupervisor(home, "NOTED")
    // What its uncaughtException handler notes when a status write fails.
    appendFileSync(
      join(dir, "supervisor.log"),
      `${new Date().toISOString()} fatal: ENOSPC: no space left on device, write\n`
    )
    expect(await run(job.status)).toBe("FAILED")
    expect((await run(job.describe)).message).toContain(
      `its process ${pid} stopped on an error: ENOSPC: no space left on device, write`
    )
  })
})
