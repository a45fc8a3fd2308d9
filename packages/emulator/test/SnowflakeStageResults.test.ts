/**
 * A job's results on a Snowflake stage, through SnowflakeStages.layer with the real snowflake-sdk:
 * SaveMode's preflight and claim, the committer's parts, manifest and `_SUCCESS` written with PUT,
 * read back by the ResultsReader (each part fetched with GET into a private copy, checked against the
 * manifest's bytes and sha256); a part replaced behind the manifest's back is refused; listStageFiles
 * lists the stage for a job's input.
 */
import { describe, expect, it } from "@effect/vitest"
import { listStageFiles, SnowflakeSession, SnowflakeStages, Sql } from "@runbatch/session"
import { StageLocation } from "@runbatch/spec"
import { OutputCommitter, OutputLayout, ResultsReader, SaveMode, StageStore } from "@runbatch/stage-io"
import * as Arrow from "apache-arrow"
import { Effect, Layer } from "effect"
import { Emulator } from "../src/index.ts"
import { PASSWORD, snowflakeOptions, tempDir } from "./support.ts"

const JOB = "ML.PUBLIC.JOB_1"
const OUTPUT = "@ML.PUBLIC.RESULTS/out/"

/** The Snowflake StageStore and Sql over one session on a fresh emulator whose stage RESULTS exists. */
const snowflakeStore = () =>
  Layer.unwrap(
    Effect.map(
      Emulator.start({ home: tempDir("emulator-results-"), password: PASSWORD, threads: 2 }),
      (running) =>
        Layer.mergeAll(SnowflakeStages.layer, Sql.layerSnowflakeSession).pipe(
          Layer.provideMerge(
            Layer.effectDiscard(
              SnowflakeSession.use(({ client }) =>
                client.run("CREATE STAGE RESULTS ENCRYPTION = (TYPE = 'SNOWFLAKE_SSE')")
              )
            ).pipe(Layer.provideMerge(SnowflakeSession.layer(snowflakeOptions(running))))
          )
        )
    )
  )

const table = (from: number, n: number) =>
  new Arrow.Table({
    id: Arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => from + i),
      new Arrow.Int32()
    ),
    label: Arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => `row ${from + i}`),
      new Arrow.Utf8()
    )
  })

/** A finished job's results: `shards` parts of `rows` rows each. */
const produce = (shards: number, rows: number) =>
  Effect.gen(function* () {
    const layout = OutputLayout.make(yield* StageLocation.parse(OUTPUT), JOB)
    yield* SaveMode.prepare({ layout, mode: "error", job: JOB })
    const committer = yield* OutputCommitter.make({ layout })
    for (let shard = 0; shard < shards; shard++)
      yield* committer.commitShard(yield* committer.writePart(shard, 0, table(shard * rows, rows)))
    return yield* committer.finalize(shards, {
      job: JOB,
      planFingerprint: "sha256:f",
      runbatchVersion: "0.1.0",
      startedAt: "2026-12-07T00:00:00Z",
      plugins: []
    })
  })

describe("results on a Snowflake stage (emulator)", () => {
  it.live(
    "writes a job's results with PUT and reads them back, parts checked against the manifest",
    () =>
      Effect.gen(function* () {
        const manifest = yield* produce(3, 500)
        const results = yield* ResultsReader.readTable(OUTPUT)
        expect(results.numRows).toBe(1500)
        expect(results.getChild("id")?.get(1499)).toBe(1499)
        expect(manifest.parts).toHaveLength(3)
        // A second job on the same folder with SaveMode `error` is refused (its preflight LISTs the folder and the claims).
        const second = yield* Effect.flip(
          Effect.flatMap(StageLocation.parse(OUTPUT), (output) =>
            SaveMode.prepare({
              layout: OutputLayout.make(output, "ML.PUBLIC.JOB_2"),
              mode: "error",
              job: "ML.PUBLIC.JOB_2"
            })
          )
        )
        expect(second._tag).toMatch(/^(OutputClaimed|OutputNotEmpty)$/)
      }).pipe(Effect.scoped, Effect.provide(snowflakeStore())),
    120_000
  )

  it.live(
    "refuses a part replaced behind the manifest's back (ResultsCorrupt)",
    () =>
      Effect.gen(function* () {
        const manifest = yield* produce(2, 100)
        const store = yield* StageStore
        const part = `${OUTPUT}${manifest.parts[0]!.name}`
        expect(yield* store.remove(part)).toBe(1)
        yield* store.write(part, new TextEncoder().encode("not the part the manifest names"))
        const error = yield* Effect.flip(ResultsReader.readTable(OUTPUT))
        expect(error._tag).toBe("ResultsCorrupt")
      }).pipe(Effect.scoped, Effect.provide(snowflakeStore())),
    120_000
  )

  it.live(
    "lists stage files matching a pattern as a job's input with listStageFiles",
    () =>
      Effect.gen(function* () {
        const store = yield* StageStore
        for (const name of ["cats/1.png", "cats/2.png", "cats/notes.txt"])
          yield* store.write(`@RESULTS/${name}`, new TextEncoder().encode(name))
        const relation = yield* listStageFiles("@RESULTS/cats/", { pattern: ".*[.]png" })
        const rows = (yield* relation.collect()).toArray().map((row) => row.toJSON())
        expect(rows).toEqual([
          { FILE_PATH: "@ML.PUBLIC.RESULTS/cats/1.png" },
          { FILE_PATH: "@ML.PUBLIC.RESULTS/cats/2.png" }
        ])
      }).pipe(Effect.scoped, Effect.provide(snowflakeStore())),
    120_000
  )
})
