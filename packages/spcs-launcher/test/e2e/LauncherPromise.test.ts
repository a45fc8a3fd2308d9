import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { JobNotFound } from "@runbatch/spec"
import { ManagedRuntime } from "effect"
import { JobLauncher, LauncherPromise } from "../../src/index.ts"
import { fakeRequest, localOptions } from "../support.ts"

let homes: string
beforeAll(() => {
  homes = mkdtempSync(join(tmpdir(), "runbatch-launcher-promise-"))
}, 180_000)
afterAll(() => rmSync(homes, { recursive: true, force: true }))

describe("LauncherPromise", () => {
  it("launches, follows, lists and deletes jobs with Promises and the same typed errors", async () => {
    const home = mkdtempSync(join(homes, "home-"))
    await using launcher = LauncherPromise.local(localOptions(home))
    const job = await launcher.launch(fakeRequest("PROMISED", 2, { FAKE_LOG_LINES: "2" }))
    expect(job.id).toBe("ML.PUBLIC.PROMISED")
    expect(job.name).toBe("PROMISED")
    expect(job.targetInstances).toBe(2)
    expect(await job.wait({ timeoutSeconds: 30 })).toBe("DONE")
    expect(await job.status()).toBe("DONE")
    expect((await job.progress()).rows).toBe(200)
    expect(await job.getLogs({ instance: 1, limit: 1, asList: true })).toHaveLength(1)
    expect(await job.getLogs({ limit: 3 })).toContain('"type":"done"')
    expect((await job.describe()).status).toBe("DONE")
    expect((await launcher.listJobs()).map((r) => r.name)).toEqual(["PROMISED"])
    expect((await launcher.getJob("promised")).id).toBe(job.id)

    const missing = await launcher.getJob("PROMISE").catch((error: unknown) => error)
    expect(missing).toBeInstanceOf(JobNotFound)
    expect((missing as JobNotFound).closest).toEqual(["ML.PUBLIC.PROMISED"])

    await launcher.deleteJob(job)
    expect(await job.status()).toBe("DELETED")
    await expect(job.wait()).rejects.toBeInstanceOf(JobNotFound)
    await job.cancel().catch(() => undefined)
    expect(await launcher.listJobs()).toEqual([])
  })

  it("wraps any runner that provides a JobLauncher", async () => {
    const home = mkdtempSync(join(homes, "home-"))
    const runtime = ManagedRuntime.make(JobLauncher.layerLocal(localOptions(home)))
    const launcher = new LauncherPromise(runtime)
    const job = await launcher.launch(fakeRequest("WRAPPED", 1, { FAKE_STEPS: "1" }))
    expect(await job.wait()).toBe("DONE")
    await launcher.close() // leaves the runner to its owner
    expect((await launcher.listJobs()).length).toBe(1)
    await runtime.dispose()
  })
})
