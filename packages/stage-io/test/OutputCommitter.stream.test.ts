import { createHash } from "node:crypto"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { StageLocation } from "@runbatch/spec"
import * as Arrow from "apache-arrow"
import { Data, Effect, Stream } from "effect"
import { OutputCommitter, OutputLayout, ParquetCodec, SaveMode } from "../src/index.ts"
import { modes, stageDir, storeLayer, table, tempHome } from "./support.ts"

const JOB = "ML.PUBLIC.JOB_1"

/** Rows `from`..`from+n` as one record batch. */
const batchOf = (from: number, n: number): Arrow.RecordBatch => table(from, n).batches[0]!

const noBatch = Effect.die("the batches were not empty")

class BatchesFailed extends Data.TaggedError("BatchesFailed")<{ readonly at: number }> {}

const outDir = (home: string) => join(stageDir(home, "RESULTS"), "out")

const committerFor = (options: { readonly rowGroupSize?: number } = {}) =>
  Effect.gen(function* () {
    const output = yield* StageLocation.parse("@ML.PUBLIC.RESULTS/out/")
    const layout = OutputLayout.make(output, JOB)
    yield* SaveMode.prepare({ layout, mode: "error", job: JOB })
    return yield* OutputCommitter.make({ layout, ...options })
  })

describe.each(modes)("OutputCommitter.writePartStream ($name)", ({ objectStore }) => {
  it("writes the part the whole table would give, row group by row group, counting rows and errors", async () => {
    const home = tempHome()
    const batches = Array.from({ length: 7 }, (_, i) => batchOf(i * 10, 10))
    const [streamed, whole] = await Effect.runPromise(
      Effect.gen(function* () {
        const committer = yield* committerFor({ rowGroupSize: 16 })
        const streamed = yield* committer.writePartStream(
          0,
          0,
          Stream.fromIterable(batches.map((batch, i) => ({ batch, errors: i % 2 }))),
          noBatch
        )
        const whole = yield* committer.writePart(1, 0, new Arrow.Table(batches), 3)
        return [streamed, whole] as const
      }).pipe(Effect.provide(storeLayer(home, { objectStore })))
    )
    expect(streamed.schema).toStrictEqual(whole.schema)
    expect(streamed.part).toMatchObject({ rows: 70, errors: 3, shard: 0, attempt: 0 })
    const bytes = readFileSync(join(outDir(home), streamed.part.name))
    expect(streamed.part.bytes).toBe(bytes.length)
    expect(streamed.part.sha256).toBe(createHash("sha256").update(bytes).digest("hex"))
    const rows = ParquetCodec.decode(bytes)
    expect(rows.toArray().map((row) => row.toJSON())).toStrictEqual(
      ParquetCodec.decode(readFileSync(join(outDir(home), whole.part.name)))
        .toArray()
        .map((row) => row.toJSON())
    )
    // 70 rows in groups of 16: five row groups, the last of 6 rows.
    expect(ParquetCodec.decode(bytes, { rowGroups: [4] }).numRows).toBe(6)
  })

  it("writes the columns of `whenEmpty` when there are no batches", async () => {
    const home = tempHome()
    const written = await Effect.runPromise(
      Effect.gen(function* () {
        const committer = yield* committerFor()
        return yield* committer.writePartStream(0, 0, Stream.empty, Effect.succeed(batchOf(0, 0)))
      }).pipe(Effect.provide(storeLayer(home, { objectStore })))
    )
    expect(written.part).toMatchObject({ rows: 0, errors: 0 })
    expect(written.schema.map((field) => field.name)).toStrictEqual(["id", "value", "label"])
    const table = ParquetCodec.decode(readFileSync(join(outDir(home), written.part.name)))
    expect(table.numRows).toBe(0)
    expect(table.schema.fields.map((field) => field.name)).toStrictEqual(["id", "value", "label"])
  })

  it.each([0, 3])("fails with the batches' failure after %i batches, leaving no part", async (before) => {
    const home = tempHome()
    const error = await Effect.runPromise(
      Effect.gen(function* () {
        const committer = yield* committerFor({ rowGroupSize: 16 })
        const batches = Stream.fromIterable(
          Array.from({ length: before }, (_, i) => batchOf(i * 10, 10))
        ).pipe(
          Stream.map((batch) => ({ batch, errors: 0 })),
          Stream.concat(Stream.fail(new BatchesFailed({ at: before })))
        )
        return yield* Effect.flip(committer.writePartStream(0, 0, batches, noBatch))
      }).pipe(Effect.provide(storeLayer(home, { objectStore })))
    )
    expect(error).toStrictEqual(new BatchesFailed({ at: before }))
    expect(readdirSync(outDir(home)).filter((name) => name.endsWith(".parquet"))).toStrictEqual([])
  })
})
