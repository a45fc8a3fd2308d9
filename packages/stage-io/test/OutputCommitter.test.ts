import { createHash, randomUUID } from "node:crypto"
import { existsSync, linkSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { StageFileError, StageLocation } from "@runbatch/spec"
import { Effect, Layer } from "effect"
import { OutputCommitter, OutputLayout, ResultsReader, SaveMode, StageStore } from "../src/index.ts"
import { modes, stageDir, storeLayer, table, tempHome } from "./support.ts"

const JOB = "ML.PUBLIC.JOB_1"
const jobInfo = {
  job: JOB,
  planFingerprint: "sha256:abc",
  runbatchVersion: "0.1.0",
  startedAt: "2026-11-25T00:00:00.000Z",
  model: { database: "ML", schema: "PUBLIC", name: "WINE", version: "V1" },
  function: "PREDICT",
  plugins: [
    {
      kind: "engine",
      id: "onnx",
      packageName: "@runbatch/engine-onnx",
      version: "0.1.0",
      integrity: "sha512-x"
    }
  ]
}

const layoutFor = (job = JOB) =>
  Effect.map(StageLocation.parse("@ML.PUBLIC.RESULTS/out/"), (output) => OutputLayout.make(output, job))

const outDir = (home: string) => join(stageDir(home, "RESULTS"), "out")

/** Claim, write and commit `shards` shards of 10 rows each (attempt 0), and return the committer. */
const writeShards = (shards: number) =>
  Effect.gen(function* () {
    const layout = yield* layoutFor()
    yield* SaveMode.prepare({ layout, mode: "error", job: JOB })
    const committer = yield* OutputCommitter.make({ layout })
    for (let shard = 0; shard < shards; shard++) {
      const written = yield* committer.writePart(shard, 0, table(shard * 10, 10))
      const record = yield* committer.commitShard(written)
      expect(record.part.name).toBe(written.part.name)
    }
    return committer
  })

describe.each(modes)("OutputCommitter ($name)", ({ objectStore }) => {
  it("commits parts, writes the manifest and _SUCCESS last, and cleans up its private files", async () => {
    const home = tempHome()
    const manifest = await Effect.runPromise(
      Effect.gen(function* () {
        const committer = yield* writeShards(3)
        return yield* committer.finalize(3, jobInfo)
      }).pipe(Effect.provide(storeLayer(home, { objectStore })))
    )
    expect(manifest.parts.map((p) => p.name)).toEqual([
      "part-000000-0.parquet",
      "part-000001-0.parquet",
      "part-000002-0.parquet"
    ])
    expect(manifest.rows).toBe(30)
    expect(manifest.schema.map((f) => f.name)).toEqual(["id", "value", "label"])
    expect(readdirSync(outDir(home)).sort()).toEqual([
      "_SUCCESS",
      "_manifest.json",
      "part-000000-0.parquet",
      "part-000001-0.parquet",
      "part-000002-0.parquet"
    ])
    expect(readFileSync(join(outDir(home), "_SUCCESS")).length).toBe(0)
    const onDisk = JSON.parse(readFileSync(join(outDir(home), "_manifest.json"), "utf8"))
    expect(onDisk.format).toBe("runbatch.output/1")
    expect(onDisk.job_info.plan_fingerprint).toBe("sha256:abc")
    expect(onDisk.job_info.plugins[0].package_name).toBe("@runbatch/engine-onnx")
    expect(onDisk.parts[1]).toMatchObject({ name: "part-000001-0.parquet", shard: 1, attempt: 0, rows: 10 })
    expect(onDisk.parts[1].sha256).toBe(
      createHash("sha256")
        .update(readFileSync(join(outDir(home), "part-000001-0.parquet")))
        .digest("hex")
    )
    expect(onDisk.bytes).toBe(onDisk.parts.reduce((sum: number, p: { bytes: number }) => sum + p.bytes, 0))
  })

  it("reads back exactly the rows written, verified against the manifest", async () => {
    const home = tempHome()
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const committer = yield* writeShards(4)
        yield* committer.finalize(4, jobInfo)
        return yield* ResultsReader.readTable("@ML.PUBLIC.RESULTS/out/")
      }).pipe(Effect.provide(storeLayer(home, { objectStore })))
    )
    expect(result.numRows).toBe(40)
    expect(Array.from(result.getChild("id")!.toArray())).toEqual(Array.from({ length: 40 }, (_, i) => i))
    expect(result.getChild("label")!.get(3)).toBeNull()
    expect(result.getChild("label")!.get(4)).toBe("row-4")
  })

  it("counts the lowest committed attempt of a shard and removes other attempts and uncommitted parts", async () => {
    const home = tempHome()
    const manifest = await Effect.runPromise(
      Effect.gen(function* () {
        const committer = yield* writeShards(2)
        // A second attempt of shard 1 that also committed (its replica was thought dead and was not).
        yield* committer.commitShard(yield* committer.writePart(1, 1, table(100, 5)))
        // A part written by an attempt that crashed before committing.
        yield* committer.writePart(0, 7, table(200, 5))
        const records = yield* committer.committed
        expect(records.get(1)?.part.name).toBe("part-000001-0.parquet")
        return yield* committer.finalize(2, jobInfo)
      }).pipe(Effect.provide(storeLayer(home, { objectStore })))
    )
    expect(manifest.rows).toBe(20)
    expect(readdirSync(outDir(home)).sort()).toEqual([
      "_SUCCESS",
      "_manifest.json",
      "part-000000-0.parquet",
      "part-000001-0.parquet"
    ])
  })

  it("a commit record left half-written by a crash does not count, and the shard can commit again", async () => {
    const home = tempHome()
    const manifest = await Effect.runPromise(
      Effect.gen(function* () {
        const committer = yield* writeShards(1)
        const layout = committer.layout
        const commits = join(stageDir(home, "RESULTS"), layout.commits.path.replace(/^RESULTS\//, ""))
        // Shard 1, attempt 0: the part is written, the record is cut off mid-write.
        yield* committer.writePart(1, 0, table(10, 10))
        writeFileSync(join(commits, "000001-0.json"), '{"part": {"name": "part-0')
        expect((yield* committer.committed).has(1)).toBe(false)
        yield* committer.commitShard(yield* committer.writePart(1, 1, table(10, 10)))
        return yield* committer.finalize(2, jobInfo)
      }).pipe(Effect.provide(storeLayer(home, { objectStore })))
    )
    expect(manifest.parts.map((p) => p.name)).toEqual(["part-000000-0.parquet", "part-000001-1.parquet"])
  })

  it("committing the same part twice is idempotent", async () => {
    const home = tempHome()
    const results = await Effect.runPromise(
      Effect.gen(function* () {
        const layout = yield* layoutFor()
        yield* SaveMode.prepare({ layout, mode: "error", job: JOB })
        const committer = yield* OutputCommitter.make({ layout })
        const written = yield* committer.writePart(0, 0, table(0, 3))
        return [yield* committer.commitShard(written), yield* committer.commitShard(written)]
      }).pipe(Effect.provide(storeLayer(home, { objectStore })))
    )
    expect(results[1]).toEqual(results[0])
  })

  it("refuses to finalize while a shard has no commit record, leaving no _SUCCESS", async () => {
    const home = tempHome()
    const error = await Effect.runPromise(
      Effect.gen(function* () {
        const committer = yield* writeShards(2)
        return yield* Effect.flip(committer.finalize(3, jobInfo))
      }).pipe(Effect.provide(storeLayer(home, { objectStore })))
    )
    expect(error._tag).toBe("ResultsIncomplete")
    expect(error.message).toContain("shard(s) 2 of 3 have no commit record")
    expect(existsSync(join(outDir(home), "_SUCCESS"))).toBe(false)
    expect(existsSync(join(outDir(home), "_manifest.json"))).toBe(false)
  })

  it("refuses to finalize when a committed part was removed since, leaving no _SUCCESS", async () => {
    const home = tempHome()
    const [removed, parts] = await Effect.runPromise(
      Effect.gen(function* () {
        const committer = yield* writeShards(3)
        const parts = readdirSync(outDir(home))
          .filter((f) => f.endsWith(".parquet"))
          .sort()
        const store = yield* StageStore
        yield* store.remove(`@ML.PUBLIC.RESULTS/out/${parts[1]}`)
        const removed = yield* Effect.flip(committer.finalize(3, jobInfo))
        return [removed, parts] as const
      }).pipe(Effect.provide(storeLayer(home, { objectStore })))
    )
    expect(removed._tag).toBe("ResultsCorrupt")
    expect(removed.message).toContain(`the part ${parts[1]} of shard 1 was removed after it was committed`)
    expect(existsSync(join(outDir(home), "_SUCCESS"))).toBe(false)
    expect(existsSync(join(outDir(home), "_manifest.json"))).toBe(false)
  })

  it("an interrupted write leaves nothing that counts, and finalising again after a crash completes", async () => {
    const home = tempHome()
    const layer = storeLayer(home, { objectStore })
    await Effect.runPromise(
      Effect.gen(function* () {
        const committer = yield* writeShards(2)
        // What a replica killed mid-write leaves on a store without rename: a truncated part under its
        // final name, never committed.
        writeFileSync(join(outDir(home), "part-000001-3.parquet"), "PAR1 truncated")
        const manifest = yield* committer.finalize(2, jobInfo)
        expect(manifest.parts.map((p) => p.name)).not.toContain("part-000001-3.parquet")
      }).pipe(Effect.provide(layer))
    )
    expect(existsSync(join(outDir(home), "part-000001-3.parquet"))).toBe(false)
  })

  it("a coordinator that fails between the manifest and _SUCCESS leaves no _SUCCESS; finalising again completes", async () => {
    const home = tempHome()
    const healthy = storeLayer(home, { objectStore })
    // The same store, except that writing _SUCCESS fails once: the coordinator dies at the worst moment.
    let failures = 0
    const flaky = Layer.effect(
      StageStore,
      Effect.map(StageStore, (store) =>
        StageStore.of({
          ...store,
          write: (location, data) =>
            location.endsWith("/_SUCCESS") && failures++ === 0
              ? Effect.fail(
                  new StageFileError({ location, problem: "unreadable", detail: "injected write failure" })
                )
              : store.write(location, data)
        })
      )
    ).pipe(Layer.provide(healthy))
    const committer = await Effect.runPromise(writeShards(2).pipe(Effect.provide(healthy)))
    const failed = await Effect.runPromise(
      Effect.gen(function* () {
        const dying = yield* OutputCommitter.make({ layout: committer.layout })
        return yield* Effect.flip(dying.finalize(2, jobInfo))
      }).pipe(Effect.provide(flaky))
    )
    expect(failed._tag).toBe("StageFileError")
    expect(existsSync(join(outDir(home), "_manifest.json"))).toBe(true)
    expect(existsSync(join(outDir(home), "_SUCCESS"))).toBe(false)
    const incomplete = await Effect.runPromise(
      Effect.flip(ResultsReader.readResults("@ML.PUBLIC.RESULTS/out/")).pipe(Effect.provide(healthy))
    )
    expect(incomplete._tag).toBe("ResultsIncomplete")
    const again = await Effect.runPromise(committer.finalize(2, jobInfo))
    expect(again.rows).toBe(20)
    expect(existsSync(join(outDir(home), "_SUCCESS"))).toBe(true)
  })
})

/** Every file under `dir`, by its path below it, hidden ones included. */
const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort()

describe("OutputCommitter and writers killed mid-write", () => {
  it("finalising removes the temporary files they left: the folder holds only parts, manifest and _SUCCESS", async () => {
    const home = tempHome()
    const healthy = storeLayer(home)
    // Writing _SUCCESS fails once, so the manifest is written and finalising has to run again.
    let failures = 0
    const dyingAtSuccess = Layer.effect(
      StageStore,
      Effect.map(StageStore, (store) =>
        StageStore.of({
          ...store,
          write: (location, data) =>
            location.endsWith("/_SUCCESS") && failures++ === 0
              ? Effect.fail(new StageFileError({ location, problem: "unreadable", detail: "killed" }))
              : store.write(location, data)
        })
      )
    ).pipe(Layer.provide(healthy))
    const committer = await Effect.runPromise(writeShards(2).pipe(Effect.provide(healthy)))
    const out = outDir(home)
    const commits = join(out, OutputLayout.RESERVED, OutputLayout.jobFolder(JOB), "commits")
    const temp = (folder: string) => join(folder, `.runbatch-tmp-4242-${randomUUID()}`)
    // As kills leave them: killed before a byte was written, and killed between link and unlink (a
    // second name of a part, of a commit record).
    writeFileSync(temp(out), "")
    linkSync(join(out, "part-000000-0.parquet"), temp(out))
    writeFileSync(temp(commits), "")
    linkSync(join(commits, readdirSync(commits).find((name) => name.endsWith(".json"))!), temp(commits))
    await Effect.runPromise(
      Effect.flip(
        Effect.flatMap(OutputCommitter.make({ layout: committer.layout }), (c) => c.finalize(2, jobInfo))
      ).pipe(Effect.provide(dyingAtSuccess))
    )
    // The coordinator killed between linking the manifest and removing its temporary file.
    linkSync(join(out, "_manifest.json"), temp(out))
    // Listings (and so the results reader and save modes) never see them.
    const listed = await Effect.runPromise(
      StageStore.use((store) => store.list("@ML.PUBLIC.RESULTS/out/", { withoutMd5: true })).pipe(
        Effect.provide(healthy)
      )
    )
    expect(listed.some((entry) => entry.path.includes(".runbatch-tmp-"))).toBe(false)

    await Effect.runPromise(committer.finalize(2, jobInfo))
    expect(filesUnder(out)).toEqual([
      "_SUCCESS",
      "_manifest.json",
      "part-000000-0.parquet",
      "part-000001-0.parquet"
    ])
    const results = await Effect.runPromise(
      ResultsReader.readTable("@ML.PUBLIC.RESULTS/out/").pipe(Effect.provide(healthy))
    )
    expect(results.numRows).toBe(20)
  })
})

describe("OutputCommitter and the claim", () => {
  it("will not finalize an output another job has claimed since", async () => {
    const home = tempHome()
    const error = await Effect.runPromise(
      Effect.gen(function* () {
        const committer = yield* writeShards(1)
        const layout = yield* layoutFor()
        // Someone cleared the folder and claimed it for another job (an overwrite job).
        yield* SaveMode.prepare({
          layout,
          mode: "overwrite",
          job: "ML.PUBLIC.OTHER",
          isActive: () => Effect.succeed(false)
        })
        return yield* Effect.flip(committer.finalize(1, jobInfo))
      }).pipe(Effect.provide(storeLayer(home)))
    )
    expect(error._tag).toBe("OutputClaimed")
    expect(error.message).toContain("ML.PUBLIC.OTHER")
    expect(existsSync(join(outDir(home), "_SUCCESS"))).toBe(false)
  })

  it("names its private folder after the job, so two jobs never share one", () => {
    expect(OutputLayout.jobFolder("ML.PUBLIC.JOB_1")).toBe("ML.PUBLIC.JOB_1")
    expect(OutputLayout.jobFolder('ML.PUBLIC."my job"')).toMatch(/^ML\.PUBLIC\._my_job_-[0-9a-f]{8}$/)
    // Three names of Snowflake's longest (255 characters) fit one folder name, and stay apart.
    const longest = (last: string) => `${"D".repeat(255)}.${"S".repeat(255)}.${"J".repeat(254)}${last}`
    expect(Buffer.byteLength(OutputLayout.jobFolder(longest("A")))).toBeLessThanOrEqual(255)
    expect(OutputLayout.jobFolder(longest("A"))).not.toBe(OutputLayout.jobFolder(longest("B")))
    expect(OutputLayout.jobFolder('ML.PUBLIC."my/job"')).not.toBe(
      OutputLayout.jobFolder('ML.PUBLIC."my job"')
    )
    expect(OutputLayout.partName(42, 1)).toBe("part-000042-1.parquet")
  })
})
