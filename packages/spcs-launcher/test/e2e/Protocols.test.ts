/**
 * The replica output protocol across a real supervisor: a replica that writes lines of another
 * version of it (a replica command of another runbatch install) fails its job with
 * ReplicaOutputMismatch's message, and is stopped rather than trusted.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, it } from "@effect/vitest"
import { ReplicaOutput } from "@runbatch/spec"
import { fakeRequest, readJsonFile, run, withLauncher } from "../support.ts"

let home: string
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "runbatch-protocols-"))
})
afterAll(() => rmSync(home, { recursive: true, force: true }))

describe("the replica output protocol", () => {
  it("fails a job whose replica writes another version of it, and stops that replica", async ({ expect }) => {
    const job = await withLauncher(home, (l) =>
      l.launch(fakeRequest("SKEWED", 1, { FAKE_MODE: "hang", FAKE_PROTOCOL: "2" }))
    )
    expect(await run(job.wait({ timeoutSeconds: 30 }))).toBe("FAILED")
    const { message } = await run(job.describe)
    expect(message).toBe(`ReplicaOutputMismatch: ${ReplicaOutput.mismatchMessage(0, "2")}`)
    const monitor = readJsonFile<{ state: string; signal: string | null }>(
      join(home, "jobs", "ML", "PUBLIC", "SKEWED", "monitor", "replica-0.json")
    )
    expect(monitor).toMatchObject({ state: "exited", signal: "SIGTERM" })
  })
})
