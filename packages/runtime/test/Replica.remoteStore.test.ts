/**
 * A replica over a store without local paths (a remote stage, as Snowflake's will be): each shard's
 * file is streamed into a private local copy and read there by row group, never read whole (the test
 * store's `readBytes` refuses parquet), and every copy is removed, whether the job succeeds or fails.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { StageFileError } from "@runbatch/spec"
import { StoreWithoutLocalPath, TestEngine } from "@runbatch/testkit"
import { Cause, Exit, Stream } from "effect"
import { onTestFinished } from "vitest"
import { results, rowsOf, runInProcess, stage, tempHome } from "./support.ts"

const rows = Array.from({ length: 3000 }, (_, i) => ({ ID: i, X: i * 0.5, Z: (i % 7) - 3 }))

const job = (home: string, input: ReadonlyArray<Record<string, unknown>> = rows) =>
  stage(home, {
    rows: input,
    columns: TestEngine.columns,
    signature: TestEngine.signature,
    targetShards: 4,
    maxBatchRows: 256
  })

/** A folder of the test's own for the replica's copies. */
const copiesFolder = (): string => {
  const folder = mkdtempSync(join(tmpdir(), "runbatch-copies-"))
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }))
  return folder
}

describe("a replica over a store without local paths", () => {
  it("writes the results it writes in place, reading no input file whole and leaving no copy", async () => {
    const inPlace = tempHome()
    expect(Exit.isSuccess((await runInProcess(inPlace, await job(inPlace))).exit)).toBe(true)

    const remote = tempHome()
    const copies = copiesFolder()
    const staged = await job(remote)
    expect(staged.plan.shards.length).toBeGreaterThan(1)
    const { exit } = await runInProcess(remote, staged, { store: StoreWithoutLocalPath.layer(), copies })
    expect(Exit.isSuccess(exit), Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "").toBe(true)
    expect(rowsOf(await results(remote), "ID")).toStrictEqual(rowsOf(await results(inPlace), "ID"))
    expect(readdirSync(copies)).toEqual([])
  })

  it("reads the columns of a job over no rows from a copy of its file's footer", async () => {
    const home = tempHome()
    const copies = copiesFolder()
    const staged = await job(home, [])
    const { exit } = await runInProcess(home, staged, { store: StoreWithoutLocalPath.layer(), copies })
    expect(Exit.isSuccess(exit), Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "").toBe(true)
    const table = await results(home)
    expect(table.numRows).toBe(0)
    expect(table.schema.fields.map((field) => field.name)).toEqual(["ID", "X", "Z", "y"])
    expect(readdirSync(copies)).toEqual([])
  })

  it("fails with the store's error when an input file's stream breaks, and leaves no copy", async () => {
    const home = tempHome()
    const copies = copiesFolder()
    const broken = StoreWithoutLocalPath.layer({
      mapRead: (location, bytes) =>
        /\/input\/.*\.parquet$/.test(location)
          ? bytes.pipe(
              Stream.take(1),
              Stream.concat(
                Stream.fail(
                  new StageFileError({ location, problem: "unreadable", detail: "connection reset" })
                )
              )
            )
          : bytes
    })
    const { exit } = await runInProcess(home, await job(home), { store: broken, copies })
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isFailure(exit)) {
      expect(Cause.pretty(exit.cause)).toContain("connection reset")
    }
    expect(readdirSync(copies)).toEqual([])
  })
})
