import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { StageLocation } from "@runbatch/spec"
import * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"
import { OutputCommitter, OutputLayout, ResultsReader, SaveMode, type StageStore } from "../src/index.ts"
import { stageDir, storeLayer, tempHome } from "./support.ts"

const JOB = "ML.PUBLIC.JOB_1"
const info = {
  job: JOB,
  planFingerprint: "sha256:f",
  runbatchVersion: "0.1.0",
  startedAt: "2026-11-25T00:00:00Z",
  plugins: []
}
const table = (from: number, n: number) =>
  new Arrow.Table({
    id: Arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => from + i),
      new Arrow.Int32()
    )
  })

/** Write `shards` shards of `rows` rows each; finalize when asked. */
const produce = (home: string, shards: number, finalize: boolean, rows = 5, rowGroupSize?: number) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const layout = OutputLayout.make(yield* StageLocation.parse("@ML.PUBLIC.RESULTS/out/"), JOB)
      yield* SaveMode.prepare({ layout, mode: "error", job: JOB })
      const committer = yield* OutputCommitter.make({
        layout,
        ...(rowGroupSize === undefined ? {} : { rowGroupSize })
      })
      for (let shard = 0; shard < shards; shard++) {
        yield* committer.commitShard(yield* committer.writePart(shard, 0, table(shard * rows, rows)))
      }
      if (finalize) yield* committer.finalize(shards, info)
    }).pipe(Effect.provide(storeLayer(home)))
  )

const read = (home: string, options: ResultsReader.ReadResultsOptions = {}) =>
  Effect.runPromise(
    Effect.result(
      Effect.gen(function* () {
        const results = yield* ResultsReader.readResults("@ML.PUBLIC.RESULTS/out", options)
        const batches = yield* Stream.runCollect(results.batches)
        return { results, ids: batches.flatMap((b) => Array.from(b.getChild("id")!.toArray() as Int32Array)) }
      }).pipe(Effect.provide(storeLayer(home)))
    )
  )

const out = (home: string) => join(stageDir(home, "RESULTS"), "out")

describe("ResultsReader", () => {
  it("reads a finished job's rows, part by part, with its manifest", async () => {
    const home = tempHome()
    await produce(home, 3, true)
    const result = await read(home)
    expect(result._tag).toBe("Success")
    if (result._tag === "Success") {
      expect(result.success.results.complete).toBe(true)
      expect(result.success.results.rows).toBe(15)
      expect(result.success.results.location).toBe("@ML.PUBLIC.RESULTS/out/")
      expect(result.success.ids).toEqual(Array.from({ length: 15 }, (_, i) => i))
      expect(result.success.results.manifest?.jobInfo.job).toBe(JOB)
    }
  })

  it("says a folder holding nothing is not there, not that its job has not finished", async () => {
    // (With allowIncomplete it is NoResultsCommitted: a job that failed before its first commit.)
    const missing = await read(tempHome())
    expect(missing._tag === "Failure" && missing.failure._tag).toBe("StageFileError")
    if (missing._tag === "Failure") {
      expect(missing.failure.message).toContain(
        "Nothing was found at @ML.PUBLIC.RESULTS/out/: it holds no files"
      )
    }
  })

  it("refuses a folder without _SUCCESS, and reads its committed parts when allowed", async () => {
    const home = tempHome()
    await produce(home, 2, false)
    const refused = await read(home)
    expect(refused._tag === "Failure" && refused.failure._tag).toBe("ResultsIncomplete")
    if (refused._tag === "Failure") expect(refused.failure.message).toContain("no _SUCCESS marker")
    const partial = await read(home, { allowIncomplete: true })
    expect(partial._tag).toBe("Success")
    if (partial._tag === "Success") {
      expect(partial.success.results.complete).toBe(false)
      expect(partial.success.ids).toEqual(Array.from({ length: 10 }, (_, i) => i))
    }
  })

  it.each([
    [
      "a part changed after the job",
      (dir: string) => writeFileSync(join(dir, "part-000001-0.parquet"), "PAR1 tampered"),
      "bytes"
    ],
    ["a part removed", (dir: string) => rmSync(join(dir, "part-000000-0.parquet")), "is missing"],
    [
      "the manifest removed",
      (dir: string) => rmSync(join(dir, "_manifest.json")),
      "_manifest.json is missing"
    ],
    [
      "a manifest that is not JSON",
      (dir: string) => {
        rmSync(join(dir, "_manifest.json"))
        writeFileSync(join(dir, "_manifest.json"), "{not json")
      },
      "not a valid runbatch file"
    ]
  ])("detects %s (ResultsCorrupt)", async (_name, damage, fragment) => {
    const home = tempHome()
    await produce(home, 2, true)
    damage(out(home))
    const result = await read(home)
    expect(result._tag).toBe("Failure")
    if (result._tag === "Failure") {
      expect(result.failure._tag).toBe("ResultsCorrupt")
      expect(result.failure.message).toContain(fragment)
    }
  })

  it("reads a job of no rows (one part of no rows): no rows, and the columns", async () => {
    const home = tempHome()
    await produce(home, 1, true, 0)
    const result = await Effect.runPromise(
      ResultsReader.readTable("@ML.PUBLIC.RESULTS/out/").pipe(Effect.provide(storeLayer(home)))
    )
    expect(result.numRows).toBe(0)
    expect(result.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual(["id: Int32"])
  })

  it("refuses a folder where no part was committed even when incomplete results are allowed", async () => {
    const home = tempHome()
    await produce(home, 0, false)
    const result = await read(home, { allowIncomplete: true })
    expect(result._tag === "Failure" && result.failure._tag).toBe("NoResultsCommitted")
    if (result._tag === "Failure") expect(result.failure.message).toContain("@ML.PUBLIC.RESULTS/out/")
  })

  it("detects a part whose bytes were swapped for another valid part of the same size", async () => {
    const home = tempHome()
    await produce(home, 2, true)
    const dir = out(home)
    const { readFileSync } = await import("node:fs")
    const other = readFileSync(join(dir, "part-000001-0.parquet"))
    rmSync(join(dir, "part-000000-0.parquet"))
    writeFileSync(join(dir, "part-000000-0.parquet"), other)
    const result = await read(home)
    expect(result._tag === "Failure" && result.failure.message).toContain("does not match its sha256")
  })
})

describe("ResultsReader.streamResults", () => {
  type Batches = ReturnType<typeof ResultsReader.streamResults>
  const stream = <A, E>(home: string, run: (batches: Batches) => Effect.Effect<A, E, StageStore>) =>
    Effect.runPromise(
      Effect.result(run(ResultsReader.streamResults("@ML.PUBLIC.RESULTS/out/"))).pipe(
        Effect.provide(storeLayer(home))
      )
    )
  const ids = (batches: ReadonlyArray<Arrow.RecordBatch>) =>
    batches.flatMap((b) => Array.from(b.getChild("id")!.toArray() as Int32Array))

  it("yields a part's rows one row group at a time", async () => {
    const home = tempHome()
    await produce(home, 2, true, 10, 4)
    const result = await stream(home, Stream.runCollect)
    expect(result._tag).toBe("Success")
    if (result._tag === "Success") {
      expect(result.success.map((b) => b.numRows)).toEqual([4, 4, 2, 4, 4, 2])
      expect(ids(result.success)).toEqual(Array.from({ length: 20 }, (_, i) => i))
    }
  })

  it("yields no row of a part whose bytes changed (same size): the parts before it, then ResultsCorrupt", async () => {
    const home = tempHome()
    await produce(home, 3, true)
    const dir = out(home)
    const { readFileSync } = await import("node:fs")
    const swapped = readFileSync(join(dir, "part-000002-0.parquet"))
    rmSync(join(dir, "part-000001-0.parquet"))
    writeFileSync(join(dir, "part-000001-0.parquet"), swapped)
    const seen: Array<Arrow.RecordBatch> = []
    const result = await stream(home, (batches) =>
      Stream.runForEach(batches, (batch) => Effect.sync(() => void seen.push(batch)))
    )
    expect(result._tag === "Failure" && result.failure).toMatchObject({ _tag: "ResultsCorrupt" })
    expect(ids(seen)).toEqual([0, 1, 2, 3, 4])
  })

  it("fails before yielding anything when a later part is missing or cut", async () => {
    const home = tempHome()
    await produce(home, 3, true)
    const { truncateSync } = await import("node:fs")
    truncateSync(join(out(home), "part-000002-0.parquet"), 100)
    const seen: Array<Arrow.RecordBatch> = []
    const result = await stream(home, (batches) =>
      Stream.runForEach(batches, (batch) => Effect.sync(() => void seen.push(batch)))
    )
    expect(result._tag === "Failure" && result.failure.message).toContain("has 100 bytes")
    expect(seen).toEqual([])
  })

  it("reads no further than it is pulled: a damaged later part goes unread", async () => {
    const home = tempHome()
    await produce(home, 2, true)
    const dir = out(home)
    const { readFileSync } = await import("node:fs")
    const other = readFileSync(join(dir, "part-000000-0.parquet"))
    rmSync(join(dir, "part-000001-0.parquet"))
    writeFileSync(join(dir, "part-000001-0.parquet"), other)
    const result = await stream(home, (batches) => Stream.runCollect(Stream.take(batches, 1)))
    expect(result._tag).toBe("Success")
    if (result._tag === "Success") expect(ids(result.success)).toEqual([0, 1, 2, 3, 4])
  })
})

describe("StageStorePromise.readResults", () => {
  it("gives the manifest, batches and a table without Effect, and rejects incomplete results", async () => {
    const { StageStorePromise } = await import("../src/index.ts")
    const home = tempHome()
    await produce(home, 2, false)
    await using stages = StageStorePromise.local({ home, database: "ML", schema: "PUBLIC" })
    await expect(stages.readResults("@RESULTS/out/")).rejects.toMatchObject({ _tag: "ResultsIncomplete" })
    const partial = await stages.readResults("@RESULTS/out/", { allowIncomplete: true })
    expect(partial.complete).toBe(false)
    expect(partial.rows).toBe(10)
    const ids: Array<number> = []
    for await (const batch of partial.batches()) ids.push(...(batch.getChild("id")!.toArray() as Int32Array))
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => i))
    expect((await partial.toTable()).numRows).toBe(10)
  })
})
