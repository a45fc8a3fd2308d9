// An account of mounted stages only (a replica in a container): each stage at its mount folder, a
// symbolic link out of a mount refused as anywhere else, and a stage that is not mounted named.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { describe, expect, it, onTestFinished } from "vitest"
import { make } from "../src/LocalAccount.ts"

const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), "runbatch-mounts-"))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
const at = (text: string) => Effect.runSync(StageLocation.parse(text))

describe("an account of mounted stages", () => {
  it("maps a mounted stage to its folder, refuses leaving it, and names the mounts for any other", async () => {
    const mount = folder()
    mkdirSync(join(mount, "out"))
    symlinkSync(tmpdir(), join(mount, "out", "escape"))
    const account = make({
      home: folder(),
      stageMounts: { [StageLocation.stageKey(at("@ML.PUBLIC.RESULTS"))]: mount }
    })
    expect(await Effect.runPromise(account.stagePath(at("@ML.PUBLIC.RESULTS/out/part-0.parquet")))).toMatch(
      /runbatch-mounts-[^/]+\/out\/part-0\.parquet$/
    )
    const escaped = await Effect.runPromise(
      Effect.flip(account.stagePath(at("@ML.PUBLIC.RESULTS/out/escape/x")))
    )
    expect(escaped.problem).toBe("escapes_stage")
    const other = await Effect.runPromise(Effect.flip(account.stagePath(at("@ML.PUBLIC.IMAGES/a.png"))))
    expect([other.problem, other.detail]).toEqual([
      "not_found",
      "the stage @ML.PUBLIC.IMAGES is not mounted here; the mounted stages are @ML.PUBLIC.RESULTS (a job service mounts the stages of its plan)"
    ])
  })
})
