import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import * as Arrow from "apache-arrow"
import { Data, Effect, Stream } from "effect"
import { ParquetCodec, ParquetFileReader } from "../src/index.ts"
import { tempHome } from "./support.ts"

class Unreadable extends Data.TaggedError("Unreadable")<{ readonly reason: string }> {}

const unreadable = (reason: string) => new Unreadable({ reason })

/** A parquet file of ids 0..rows-1 (and a value beside each) in row groups of `rowGroupSize` rows. */
const parquetFile = (rows: number, rowGroupSize: number): string => {
  const table = new Arrow.Table({
    id: Arrow.vectorFromArray(Int32Array.from({ length: rows }, (_, i) => i)),
    value: Arrow.vectorFromArray(Float64Array.from({ length: rows }, (_, i) => i / 4))
  })
  const path = join(tempHome(), "file.parquet")
  writeFileSync(path, ParquetCodec.encode(table, { rowGroupSize }))
  return path
}

const readAll = (path: string, range: ParquetFileReader.RowGroupRange | "all", batchRows: number) =>
  Effect.scoped(
    Effect.gen(function* () {
      const file = yield* ParquetFileReader.open(path, unreadable)
      const batches = yield* Stream.runCollect(
        file.batches(range === "all" ? { start: 0, end: file.rowGroups.length } : range, batchRows)
      )
      const ids = batches.flatMap((batch) => Array.from(batch.getChild("id")!.toArray() as Int32Array))
      return {
        rowGroups: file.rowGroups,
        sizes: batches.map((batch) => batch.numRows),
        // The ids read, as runs of consecutive ids: [first, last] for rows read whole and in order.
        runs: ids.reduce<Array<[number, number]>>((runs, id) => {
          const last = runs.at(-1)
          if (last !== undefined && last[1] === id - 1) last[1] = id
          else runs.push([id, id])
          return runs
        }, [])
      }
    })
  )

describe("ParquetFileReader slices", () => {
  it("reads a row group of up to MAX_READ_ROWS rows whole, a larger one in slices of whole batches", () => {
    expect(ParquetFileReader.slicesOf(ParquetFileReader.MAX_READ_ROWS, 4096)).toStrictEqual(["whole"])
    expect(ParquetFileReader.slicesOf(300_000, 4096)).toStrictEqual([
      { offset: 0, limit: 131_072 },
      { offset: 131_072, limit: 131_072 },
      { offset: 262_144, limit: 37_856 }
    ])
    // 5,000 does not divide 131,072: a slice is 26 batches.
    expect(ParquetFileReader.sliceRows(5_000)).toBe(130_000)
    // A batch larger than a slice is one slice.
    expect(ParquetFileReader.sliceRows(200_000)).toBe(200_000)
  })
})

describe("ParquetFileReader", () => {
  it.effect("reads a row group larger than a slice in order, in batches of at most batchRows", () =>
    Effect.gen(function* () {
      const path = parquetFile(300_000, 300_000)
      for (const batchRows of [4096, 5000]) {
        const read = yield* readAll(path, "all", batchRows)
        expect(read.rowGroups).toStrictEqual([300_000])
        expect(read.runs).toStrictEqual([[0, 299_999]])
        expect(Math.max(...read.sizes)).toBe(batchRows)
        // Every slice but the last is a whole number of batches: short batches only end a slice.
        const sliceEnds = ParquetFileReader.slicesOf(300_000, batchRows).length
        expect(read.sizes.filter((size) => size < batchRows).length).toBeLessThanOrEqual(sliceEnds)
      }
    })
  )

  it.effect("reads a range of row groups, sliced where a group is large", () =>
    Effect.gen(function* () {
      // Groups of 150,000, 150,000 and 50,000 rows: the first two read in two slices each.
      const path = parquetFile(350_000, 150_000)
      const read = yield* readAll(path, { start: 1, end: 3 }, 4096)
      expect(read.rowGroups).toStrictEqual([150_000, 150_000, 50_000])
      expect(read.runs).toStrictEqual([[150_000, 349_999]])
    })
  )

  it.effect("refuses a range past the file's row groups rather than read fewer rows", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(readAll(parquetFile(1_000, 300), { start: 2, end: 6 }, 4096))
      expect(error.reason).toBe("it has 4 row group(s), not the 2..5 asked for")
    })
  )

  it.effect("gives the rows and the schema from the footer", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const file = yield* ParquetFileReader.open(parquetFile(1_000, 300), unreadable)
        expect(file.rows).toBe(1_000)
        expect(file.rowGroups).toStrictEqual([300, 300, 300, 100])
        expect((yield* file.schema).fields.map((field) => field.name)).toStrictEqual(["id", "value"])
      })
    )
  )

  it.effect("can be stopped early and closed without waiting for the rest", () =>
    Effect.gen(function* () {
      const path = parquetFile(300_000, 300_000)
      const first = yield* Effect.scoped(
        Effect.flatMap(ParquetFileReader.open(path, unreadable), (file) =>
          Stream.runCollect(Stream.take(file.batches({ start: 0, end: 1 }, 1024), 1))
        )
      )
      expect(first.map((batch) => batch.numRows)).toStrictEqual([1024])
    })
  )

  it.effect("refuses a file that is not parquet, or cut short, with the reason", () =>
    Effect.gen(function* () {
      const folder = tempHome()
      const cut = join(folder, "cut.parquet")
      const whole = ParquetCodec.encode(new Arrow.Table({ id: Arrow.vectorFromArray([1, 2, 3]) }))
      writeFileSync(cut, whole.subarray(0, whole.byteLength - 20))
      // Both marks, but a footer said to be longer than the file.
      const footerless = join(folder, "footerless.parquet")
      const length = Buffer.alloc(4)
      length.writeUInt32LE(1_000_000)
      writeFileSync(
        footerless,
        Buffer.concat([Buffer.from("PAR1"), Buffer.alloc(16), length, Buffer.from("PAR1")])
      )
      const text = join(folder, "text.parquet")
      writeFileSync(text, "not parquet at all, only words")
      const reasonOf = (path: string) =>
        Effect.scoped(ParquetFileReader.open(path, unreadable)).pipe(
          Effect.flip,
          Effect.map((error) => error.reason)
        )
      expect(yield* reasonOf(cut)).toContain("no PAR1 marks")
      expect(yield* reasonOf(footerless)).toContain("it was cut short")
      expect(yield* reasonOf(text)).toContain("no PAR1 marks")
      expect(yield* reasonOf(join(folder, "missing.parquet"))).toContain("ENOENT")
    })
  )
})
