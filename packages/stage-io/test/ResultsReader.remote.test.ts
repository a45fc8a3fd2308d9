/**
 * Results on a store without a local path (a remote stage, as Snowflake's will be): each part is
 * streamed into a private local copy, checked and read there in place, and the copy removed — never
 * read whole into memory (the store's `readBytes` refuses parquet here).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { StageLocation } from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect, type Layer, Stream } from "effect"
import {
  LocalCopy,
  OutputCommitter,
  OutputLayout,
  ResultsReader,
  SaveMode,
  type StageStore
} from "../src/index.ts"
import { remoteStoreLayer, stageDir, storeLayer, table, tempHome } from "./support.ts"

const JOB = "ML.PUBLIC.JOB_1"
const OUTPUT = "@ML.PUBLIC.RESULTS/out/"

/** A finished job's results: `shards` parts of `rows` rows (id, value, label) each. */
const produce = (home: string, shards: number, rows: number) =>
  Effect.gen(function* () {
    const layout = OutputLayout.make(yield* StageLocation.parse(OUTPUT), JOB)
    yield* SaveMode.prepare({ layout, mode: "error", job: JOB })
    const committer = yield* OutputCommitter.make({ layout })
    for (let shard = 0; shard < shards; shard++) {
      yield* committer.commitShard(yield* committer.writePart(shard, 0, table(shard * rows, rows)))
    }
    yield* committer.finalize(shards, {
      job: JOB,
      planFingerprint: "sha256:f",
      runbatchVersion: "0.1.0",
      startedAt: "2026-11-25T00:00:00Z",
      plugins: []
    })
  }).pipe(Effect.provide(storeLayer(home)))

/** A folder of the test's own for the reader's copies, removed after the test. */
const copiesFolder = () =>
  Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "runbatch-copies-"))),
    (folder) => Effect.sync(() => rmSync(folder, { recursive: true, force: true }))
  )

const through = <A, E>(
  store: Layer.Layer<StageStore>,
  copies: string,
  effect: Effect.Effect<A, E, StageStore>
) => effect.pipe(Effect.provideService(LocalCopy.TemporaryFolder, copies), Effect.provide(store))

const rowsOf = (batches: ReadonlyArray<Arrow.RecordBatch>) =>
  batches.flatMap((batch) => batch.toArray().map((row) => JSON.stringify(row)))

const collect = Stream.runCollect(ResultsReader.streamResults(OUTPUT))

describe("ResultsReader on a store without a local path", () => {
  it.effect("reads the same rows as in place, streaming each part into a copy it removes", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const copies = yield* copiesFolder()
      yield* produce(home, 3, 20_000)
      const chunks: Array<number> = []
      const remote = remoteStoreLayer(home, (location, bytes) =>
        location.endsWith(".parquet")
          ? bytes.pipe(Stream.tap((chunk) => Effect.sync(() => chunks.push(chunk.byteLength))))
          : bytes
      )
      const inPlace = yield* through(storeLayer(home), copies, collect)
      const copied = yield* through(remote, copies, collect)
      expect(rowsOf(copied)).toStrictEqual(rowsOf(inPlace))
      expect(rowsOf(copied).length).toBe(60_000)
      // Each part came from the store as a stream of chunks, never as one buffer.
      expect(chunks.length).toBeGreaterThan(3)
      expect(Math.max(...chunks)).toBeLessThanOrEqual(64 * 1024)
      expect(readdirSync(copies)).toEqual([])
    })
  )

  it.effect("reads the columns of results of no rows from a copy of the part's footer", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const copies = yield* copiesFolder()
      yield* produce(home, 1, 0)
      const read = yield* through(remoteStoreLayer(home), copies, ResultsReader.readTable(OUTPUT))
      expect(read.numRows).toBe(0)
      expect(read.schema.fields.map((field) => field.name)).toStrictEqual(["id", "value", "label"])
      expect(readdirSync(copies)).toEqual([])
    })
  )

  it.effect("checks the copy against the manifest: a changed part fails, and its copy is removed", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const copies = yield* copiesFolder()
      yield* produce(home, 2, 1_000)
      // One byte of the second part changed: its size stays, only its sha256 tells.
      const dir = join(stageDir(home, "RESULTS"), "out")
      const second = join(dir, readdirSync(dir).filter((name) => name.endsWith(".parquet"))[1]!)
      const changed = readFileSync(second)
      changed[changed.byteLength >> 1]! ^= 0xff
      rmSync(second)
      writeFileSync(second, changed)
      const error = yield* Effect.flip(through(remoteStoreLayer(home), copies, collect))
      expect(error).toMatchObject({ _tag: "ResultsCorrupt" })
      expect(error.message).toContain("does not match its sha256")
      expect(readdirSync(copies)).toEqual([])
    })
  )

  it.effect("removes the copy when the reader stops early", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const copies = yield* copiesFolder()
      yield* produce(home, 2, 1_000)
      const first = yield* through(
        remoteStoreLayer(home),
        copies,
        Stream.runCollect(Stream.take(ResultsReader.streamResults(OUTPUT), 1))
      )
      expect(first.length).toBe(1)
      expect(readdirSync(copies)).toEqual([])
    })
  )
})
