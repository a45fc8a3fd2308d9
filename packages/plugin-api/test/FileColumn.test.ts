import { describe, expect, it } from "@effect/vitest"
import {
  Arrow,
  FileReader,
  type FileReaderShape,
  readBinaryColumn,
  readFileColumn
} from "@runbatch/plugin-api"
import { StageFileError } from "@runbatch/spec"
import { Effect, Stream } from "effect"

const bytesOf = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) % 256)

const FILES: ReadonlyArray<readonly [string, Uint8Array]> = [
  ["@DB.S.ST/a.png", bytesOf(1000, 1)],
  ["@DB.S.ST/b.png", bytesOf(3, 2)],
  ["@DB.S.ST/empty.bin", new Uint8Array()],
  ["@DB.S.ST/big.bin", bytesOf(5000, 3)],
  ["@DB.S.ST/c.png", bytesOf(777, 4)]
]

/**
 * A reader over a map (the map may change between calls, as files on a stage do); `readInto` unless
 * told not to, with a hook run before each call of it, and every buffer it was given kept. Its `read`
 * looks at the map when the effect is built, as a reader may.
 */
const makeReader = (
  files: Map<string, Uint8Array>,
  options: { readonly readInto?: boolean; readonly beforeReadInto?: (location: string) => void } = {}
) => {
  const given: Array<Uint8Array> = []
  const check = (location: string, maxBytes: number | undefined) => {
    const bytes = files.get(location)
    if (bytes === undefined) return Effect.fail(new StageFileError({ location, problem: "not_found" }))
    if (maxBytes !== undefined && bytes.length > maxBytes)
      return Effect.fail(new StageFileError({ location, problem: "too_large", limitBytes: maxBytes }))
    return Effect.succeed(bytes)
  }
  const reader: FileReaderShape = {
    read: (location, readOptions) => Effect.map(check(location, readOptions?.maxBytes), (b) => b.slice()),
    stream: (location) => Stream.fromIterable([files.get(location) ?? new Uint8Array()]),
    size: (location) => Effect.map(check(location, undefined), (b) => b.length),
    ...(options.readInto === false
      ? {}
      : {
          readInto: (location: string, into: Uint8Array, readOptions?: { readonly maxBytes?: number }) =>
            Effect.suspend(() => {
              options.beforeReadInto?.(location)
              given.push(into)
              return Effect.map(check(location, readOptions?.maxBytes), (bytes) => {
                if (bytes.length === into.length) into.set(bytes)
                return bytes.length
              })
            })
        })
  }
  return { reader, given }
}

const column = (rows: ReadonlyArray<string | null>) => Arrow.vectorFromArray(rows, new Arrow.Utf8())

const run = <A>(effect: Effect.Effect<A, never, FileReader>, reader: FileReaderShape) =>
  Effect.runPromise(Effect.provideService(effect, FileReader, reader))

/** What raw_bytes built before readBinaryColumn: each file read, then copied into a Binary column. */
const copied = (vector: Arrow.Vector, files: Map<string, Uint8Array>, maxBytes?: number) =>
  run(
    Effect.map(readFileColumn(vector, maxBytes === undefined ? {} : { maxBytes }), (read) => ({
      values: read.files.map((file) => (file === null ? null : Array.from(file.bytes))),
      rowErrors: read.rowErrors
    })),
    makeReader(files).reader
  )

const valuesOf = (vector: Arrow.Vector) =>
  Array.from({ length: vector.length }, (_, row) => {
    const value = vector.get(row) as Uint8Array | null
    return value === null ? null : Array.from(value)
  })

const ROWS = [
  "@DB.S.ST/a.png",
  null,
  "@DB.S.ST/b.png",
  "@DB.S.ST/missing.png",
  "@DB.S.ST/empty.bin",
  "@DB.S.ST/big.bin",
  "@DB.S.ST/a.png",
  "@DB.S.ST/c.png"
]

describe("readBinaryColumn", () => {
  it("reads every file into the column's one buffer: the bytes and row errors of readFileColumn, no copy", async () => {
    const files = new Map(FILES)
    const vector = column(ROWS)
    const { reader, given } = makeReader(files)
    const result = await run(readBinaryColumn(vector, { maxBytes: 4096 }), reader)
    const before = await copied(vector, files, 4096)
    expect(result.vector.type).toBeInstanceOf(Arrow.Binary)
    expect(result.vector.data).toHaveLength(1)
    expect(valuesOf(result.vector)).toEqual(before.values)
    expect(result.rowErrors).toEqual(before.rowErrors)
    expect(result.rowErrors.map((e) => e.row)).toEqual([3, 5])
    expect(result.rowErrors[1]!.message).toContain("4096-byte limit")
    expect(result.vector.nullCount).toBe(3)
    // Every file went into a slot of one buffer, and that buffer is the column's data.
    const data = result.vector.data[0]!.values as Uint8Array
    expect(data.byteLength).toBe(1000 + 3 + 0 + 1000 + 777)
    expect(new Set(given.map((into) => into.buffer)).size).toBe(1)
    expect(given[0]!.buffer).toBe(data.buffer)
  })

  it("gives a column without nulls no null bitmap, and an empty column", async () => {
    const files = new Map(FILES)
    const full = await run(
      readBinaryColumn(column(["@DB.S.ST/c.png", "@DB.S.ST/empty.bin"])),
      makeReader(files).reader
    )
    expect(full.vector.nullCount).toBe(0)
    expect(valuesOf(full.vector)).toEqual([Array.from(files.get("@DB.S.ST/c.png")!), []])
    const empty = await run(readBinaryColumn(column([])), makeReader(files).reader)
    expect(empty.vector.length).toBe(0)
    expect(empty.rowErrors).toEqual([])
  })

  it("fails a value that is not a stage path, as readFileColumn does", async () => {
    const files = new Map(FILES)
    const numbers = Arrow.vectorFromArray([1, null], new Arrow.Int32())
    const result = await run(readBinaryColumn(numbers), makeReader(files).reader)
    expect(valuesOf(result.vector)).toEqual([null, null])
    expect(result.rowErrors).toEqual((await copied(numbers, files)).rowErrors)
    expect(result.rowErrors).toEqual([{ row: 0, message: "expected a stage path, got number" }])
  })

  it("reads each file apart and copies them, as before, when the host's reader has no readInto", async () => {
    const files = new Map(FILES)
    const vector = column(ROWS)
    const result = await run(
      readBinaryColumn(vector, { maxBytes: 4096 }),
      makeReader(files, { readInto: false }).reader
    )
    const before = await copied(vector, files, 4096)
    expect(valuesOf(result.vector)).toEqual(before.values)
    expect(result.rowErrors).toEqual(before.rowErrors)
  })

  it("a file that changed size between sizing and reading is read again: its new bytes, the others intact", async () => {
    const files = new Map(FILES)
    const grown = bytesOf(1500, 9)
    const shrunk = bytesOf(2, 8)
    const { reader } = makeReader(files, {
      beforeReadInto: (location) => {
        if (location === "@DB.S.ST/a.png") files.set(location, grown)
        if (location === "@DB.S.ST/c.png") files.set(location, shrunk)
      }
    })
    const result = await run(
      readBinaryColumn(column(["@DB.S.ST/b.png", "@DB.S.ST/a.png", "@DB.S.ST/c.png"])),
      reader
    )
    expect(valuesOf(result.vector)).toEqual([
      Array.from(files.get("@DB.S.ST/b.png")!),
      Array.from(grown),
      Array.from(shrunk)
    ])
    expect(result.rowErrors).toEqual([])
  })

  it("a file removed after it was sized fails its row alone; a file that appeared is read", async () => {
    const files = new Map(FILES)
    const late = bytesOf(10, 7)
    const { reader } = makeReader(files, {
      beforeReadInto: (location) => {
        if (location === "@DB.S.ST/b.png") {
          files.delete(location)
          files.set("@DB.S.ST/late.bin", late)
        }
      }
    })
    const result = await run(
      readBinaryColumn(column(["@DB.S.ST/a.png", "@DB.S.ST/b.png", "@DB.S.ST/late.bin", "@DB.S.ST/c.png"]), {
        concurrency: 1
      }),
      reader
    )
    expect(valuesOf(result.vector)).toEqual([
      Array.from(files.get("@DB.S.ST/a.png")!),
      null,
      Array.from(late),
      Array.from(files.get("@DB.S.ST/c.png")!)
    ])
    expect(result.rowErrors).toEqual([{ row: 1, message: expect.stringContaining("@DB.S.ST/b.png") }])
  })
})
