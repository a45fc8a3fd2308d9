import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, utimesSync } from "node:fs"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { files, type JobRecord, writeJsonAtomic } from "../src/JobFolder.ts"
import { bootId, liveness, processAlive, START_TIMEOUT_MILLIS } from "../src/SupervisorLiveness.ts"

let dir: string
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const record = (createdTime: string) => ({ createdTime }) as JobRecord
const supervisor = (fields: Record<string, unknown>, ageMillis = 0) => {
  dir = mkdtempSync(join(tmpdir(), "runbatch-liveness-"))
  const path = files(dir).supervisor
  writeJsonAtomic(path, { host: hostname(), startedTime: new Date().toISOString(), ...fields })
  const then = new Date(Date.now() - ageMillis)
  utimesSync(path, then, then)
}

describe("supervisor liveness", () => {
  it("is alive while its process runs and its heartbeat is fresh", () => {
    supervisor({ pid: process.pid, bootId: bootId() })
    expect(liveness(dir, record(new Date().toISOString()), 30_000)).toEqual({ state: "alive" })
  })

  it("is gone once its process is gone, and names the group to stop", () => {
    const exited = spawnSync(process.execPath, ["-e", "0"]).pid
    expect(processAlive(exited)).toBe(false)
    supervisor({ pid: exited })
    expect(liveness(dir, record(new Date().toISOString()), 30_000)).toMatchObject({
      state: "gone",
      deadPid: exited
    })
  })

  it("is gone after a restart even when another process has its pid", () => {
    if (bootId() === undefined) return // not Linux: the heartbeat covers it
    supervisor({ pid: process.pid, bootId: "a-previous-boot" })
    expect(liveness(dir, record(new Date().toISOString()), 30_000)).toEqual({
      state: "gone",
      reason: "the machine restarted since it started"
    })
  })

  it("is silent when its heartbeat is late, wherever it runs", () => {
    supervisor({ pid: process.pid, host: "another-machine" }, 60_000)
    expect(liveness(dir, record(new Date().toISOString()), 30_000)).toMatchObject({ state: "silent" })
  })

  it("is starting until it announces itself, and gone if it never does", () => {
    dir = mkdtempSync(join(tmpdir(), "runbatch-liveness-"))
    expect(liveness(dir, record(new Date().toISOString()), 30_000)).toEqual({ state: "starting" })
    const long = new Date(Date.now() - START_TIMEOUT_MILLIS - 1000).toISOString()
    expect(liveness(dir, record(long), 30_000)).toEqual({ state: "gone", reason: "it never started" })
  })
})
