/**
 * Reading a batch's files into one Binary column (`readBinaryColumn`, what `raw_bytes` encodes with)
 * through the replica's own FileReader over a real local stage: the same bytes and row errors as reading
 * each file and copying it into the column (`readFileColumn`, what it did before), with every file read
 * into the column's single buffer.
 */
import { randomBytes } from "node:crypto"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Arrow, readBinaryColumn, readFileColumn } from "@runbatch/plugin-api"
import { LocalAccount } from "@runbatch/session"
import { LocalLayout } from "@runbatch/spec"
import { StageStore } from "@runbatch/stage-io"
import { Effect, Layer } from "effect"
import { fileReaderLayer } from "../src/HostCapabilities.ts"
import { tempHome } from "./support.ts"

const SIZES: Record<string, number> = {
  "empty.bin": 0,
  "one.bin": 1,
  "small.png": 1000,
  "photo.jpg": 300_000,
  "nested/deep/scan.tif": 70_001,
  "large.bin": 2_000_000
}

const stageFiles = (home: string) => {
  const dir = LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "IMAGES" })
  const files = new Map<string, Uint8Array>()
  for (const [name, size] of Object.entries(SIZES)) {
    const path = join(dir, name)
    mkdirSync(join(path, ".."), { recursive: true })
    const bytes = new Uint8Array(randomBytes(size))
    writeFileSync(path, bytes)
    files.set(`@ML.PUBLIC.IMAGES/${name}`, bytes)
  }
  mkdirSync(join(dir, "folder"), { recursive: true })
  return files
}

const readerLayer = (home: string) =>
  fileReaderLayer.pipe(
    Layer.provide(StageStore.layerLocal()),
    Layer.provide(LocalAccount.layer({ home, database: "ML", schema: "PUBLIC" }))
  )

const valuesOf = (vector: Arrow.Vector) =>
  Array.from({ length: vector.length }, (_, row) => {
    const value = vector.get(row) as Uint8Array | null
    return value === null ? null : Buffer.from(value).toString("hex")
  })

describe("readBinaryColumn on a local stage", () => {
  it("gives the bytes and row errors of reading each file, read into the column's one buffer", async () => {
    const home = tempHome()
    const files = stageFiles(home)
    const rows = [
      "@ML.PUBLIC.IMAGES/photo.jpg",
      null,
      "@ML.PUBLIC.IMAGES/empty.bin",
      "@ML.PUBLIC.IMAGES/missing.png",
      "@ML.PUBLIC.IMAGES/one.bin",
      "@ML.PUBLIC.IMAGES/large.bin",
      "@ML.PUBLIC.IMAGES/folder",
      "@ML.PUBLIC.IMAGES/nested/deep/scan.tif",
      "@ML.PUBLIC.IMAGES/../outside.bin",
      "@ML.PUBLIC.IMAGES/small.png",
      "@ML.PUBLIC.IMAGES/photo.jpg"
    ]
    const column = Arrow.vectorFromArray(rows, new Arrow.Utf8())
    const maxBytes = 1_000_000
    const { binary, apart } = await Effect.runPromise(
      Effect.all({
        binary: readBinaryColumn(column, { maxBytes }),
        apart: readFileColumn(column, { maxBytes })
      }).pipe(Effect.provide(readerLayer(home)))
    )
    const expected = apart.files.map((file) =>
      file === null ? null : Buffer.from(file.bytes).toString("hex")
    )
    expect(valuesOf(binary.vector)).toEqual(expected)
    expect(binary.rowErrors).toEqual(apart.rowErrors)
    // What was readable is on the stage, byte for byte; what was not failed its own row.
    expect(valuesOf(binary.vector)[0]).toBe(
      Buffer.from(files.get("@ML.PUBLIC.IMAGES/photo.jpg")!).toString("hex")
    )
    expect(binary.rowErrors.map((error) => error.row)).toEqual([3, 5, 6, 8])
    expect(binary.rowErrors[1]!.message).toContain("1000000-byte limit")
    // One buffer holding exactly the files read, in row order: nothing copied, nothing to spare.
    const data = binary.vector.data[0]!
    expect(binary.vector.data).toHaveLength(1)
    expect(data.values.byteLength).toBe(300_000 + 0 + 1 + 70_001 + 1000 + 300_000)
    expect(binary.vector.nullCount).toBe(5)
  })

  it("reads a column of only empty files and nulls, and an empty column", async () => {
    const home = tempHome()
    stageFiles(home)
    const read = (rows: ReadonlyArray<string | null>) =>
      Effect.runPromise(
        readBinaryColumn(Arrow.vectorFromArray(rows, new Arrow.Utf8())).pipe(
          Effect.provide(readerLayer(home))
        )
      )
    const empties = await read(["@ML.PUBLIC.IMAGES/empty.bin", null, "@ML.PUBLIC.IMAGES/empty.bin"])
    expect(valuesOf(empties.vector)).toEqual(["", null, ""])
    expect(empties.rowErrors).toEqual([])
    expect((await read([])).vector.length).toBe(0)
  })
})
