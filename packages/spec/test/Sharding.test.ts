import { describe, expect, it } from "@effect/vitest"
import { Sharding } from "@runbatch/spec"

const file = (path: string, rowGroups: ReadonlyArray<number>): Sharding.InputFile => ({
  path,
  bytes: rowGroups.reduce((a, b) => a + b, 0) * 100,
  rowGroups
})

const rowsOf = (files: ReadonlyArray<Sharding.InputFile>) =>
  files.reduce((sum, f) => sum + f.rowGroups.reduce((a, b) => a + b, 0), 0)

/** Every invariant of a shard list: indices, files, contiguous whole row groups, row counts. */
const expectValidShards = (
  files: ReadonlyArray<Sharding.InputFile>,
  shards: ReadonlyArray<Sharding.Shard>
) => {
  expect(shards.map((s) => s.index)).toStrictEqual(shards.map((_, i) => i))
  for (const f of files) {
    const own = shards.filter((s) => s.file === f.path)
    // Shards of one file cover its non-empty row groups in order, without gaps or overlaps.
    let next = 0
    for (const s of own) {
      expect(s.rowGroupStart).toBeGreaterThanOrEqual(next)
      expect(f.rowGroups.slice(next, s.rowGroupStart).every((r) => r === 0)).toBe(true)
      expect(s.rowGroupEnd).toBeGreaterThan(s.rowGroupStart)
      expect(s.rowGroupEnd).toBeLessThanOrEqual(f.rowGroups.length)
      expect(s.rows).toBe(f.rowGroups.slice(s.rowGroupStart, s.rowGroupEnd).reduce((a, b) => a + b, 0))
      expect(s.rows).toBeGreaterThan(0)
      next = s.rowGroupEnd
    }
    expect(f.rowGroups.slice(next).every((r) => r === 0)).toBe(true)
  }
  expect(shards.every((s) => files.some((f) => f.path === s.file))).toBe(true)
  expect(shards.reduce((sum, s) => sum + s.rows, 0)).toBe(rowsOf(files))
}

describe("Sharding.enumerate", () => {
  const layouts: ReadonlyArray<readonly [string, ReadonlyArray<Sharding.InputFile>, number, number, number]> =
    [
      // name, files, target, min shards, max shards
      ["one file, one row group", [file("a", [1000])], 8, 1, 1],
      ["one file of 100 equal row groups", [file("a", Array(100).fill(10))], 10, 10, 10],
      [
        "uneven files of 1, 7 and 100 row groups",
        [file("a", [10]), file("b", Array(7).fill(10)), file("c", Array(100).fill(10))],
        10,
        8,
        14
      ],
      [
        "uneven files, many targets",
        [file("a", [10]), file("b", Array(7).fill(10)), file("c", Array(100).fill(10))],
        40,
        30,
        60
      ],
      ["a target larger than the row groups", [file("a", [5, 5]), file("b", [5])], 100, 3, 3],
      ["a target of 1", [file("a", [5, 5]), file("b", [5])], 1, 2, 2],
      ["a target of 0", [file("a", [5, 5])], 0, 1, 1],
      ["uneven row group sizes", [file("a", [1, 1000, 1, 1, 500])], 4, 2, 5],
      ["empty row groups in the middle", [file("a", [10, 0, 0, 10]), file("b", [0])], 2, 1, 2]
    ]
  it.each(layouts)("%s", (_, files, target, min, max) => {
    const shards = Sharding.enumerate(files, target)
    expectValidShards(files, shards)
    expect(shards.length).toBeGreaterThanOrEqual(min)
    expect(shards.length).toBeLessThanOrEqual(max)
  })

  it("is deterministic", () => {
    const files = [file("a", [10]), file("b", Array(7).fill(10)), file("c", Array(100).fill(10))]
    expect(Sharding.enumerate(files, 10)).toStrictEqual(Sharding.enumerate(structuredClone(files), 10))
  })

  it("never spans files nor splits row groups", () => {
    const shards = Sharding.enumerate([file("a", [7]), file("b", [7])], 1)
    expect(shards).toStrictEqual([
      { index: 0, file: "a", rowGroupStart: 0, rowGroupEnd: 1, rows: 7 },
      { index: 1, file: "b", rowGroupStart: 0, rowGroupEnd: 1, rows: 7 }
    ])
  })

  it("splits a file at row group boundaries", () => {
    expect(Sharding.enumerate([file("a", [10, 10, 10, 10])], 2)).toStrictEqual([
      { index: 0, file: "a", rowGroupStart: 0, rowGroupEnd: 2, rows: 20 },
      { index: 1, file: "a", rowGroupStart: 2, rowGroupEnd: 4, rows: 20 }
    ])
  })

  it("gives no files no shards", () => {
    expect(Sharding.enumerate([], 4)).toStrictEqual([])
  })

  // A job over no rows still writes one part, with its output's columns.
  const empty: ReadonlyArray<readonly [string, ReadonlyArray<Sharding.InputFile>, number]> = [
    ["a file without row groups", [file("a", [])], 0],
    ["a file of empty row groups", [file("a", [0, 0])], 2],
    ["two empty files", [file("a", [0]), file("b", [])], 1]
  ]
  it.each(empty)("%s gives one shard of no rows over the first file", (_, files, groups) => {
    expect(Sharding.enumerate(files, 4)).toStrictEqual([
      { index: 0, file: "a", rowGroupStart: 0, rowGroupEnd: groups, rows: 0 }
    ])
  })
})

describe("Sharding.enumerate within limits", () => {
  const noByteLimit = Number.POSITIVE_INFINITY

  it("caps a shard's rows whatever the target", () => {
    const files = [file("a", Array(100).fill(10))]
    const shards = Sharding.enumerate(files, 1, { maxRows: 35, maxBytes: noByteLimit })
    expectValidShards(files, shards)
    expect(shards.map((s) => s.rows)).toStrictEqual([...Array(33).fill(30), 10])
  })

  it("caps a shard's bytes (each row group's share of its file)", () => {
    // 100 bytes a row: a group of 10 rows is 1,000 bytes, so two fit in 2,500.
    const files = [file("a", Array(6).fill(10))]
    const shards = Sharding.enumerate(files, 1, { maxRows: 1_000, maxBytes: 2_500 })
    expectValidShards(files, shards)
    expect(shards.map((s) => [s.rowGroupStart, s.rowGroupEnd])).toStrictEqual([
      [0, 2],
      [2, 4],
      [4, 6]
    ])
  })

  it("keeps a row group larger than the limit whole, as a shard of its own", () => {
    const files = [file("a", [5, 100, 5, 5])]
    const shards = Sharding.enumerate(files, 1, { maxRows: 10, maxBytes: noByteLimit })
    expectValidShards(files, shards)
    expect(shards.map((s) => s.rows)).toStrictEqual([5, 100, 10])
  })

  it("keeps a row group above both default limits as one shard between its neighbours' shards", () => {
    // 5M rows in one 2 GiB group, as a user's parquet read in place may hold, between small groups.
    const files = [{ path: "a", bytes: 2 * 1024 ** 3, rowGroups: [1_000, 5_000_000, 1_000] }]
    const shards = Sharding.enumerate(files, 1)
    expectValidShards(files, shards)
    expect(shards.map((s) => [s.rowGroupStart, s.rowGroupEnd, s.rows])).toStrictEqual([
      [0, 1, 1_000],
      [1, 2, 5_000_000],
      [2, 3, 1_000]
    ])
  })

  it("bounds shards by default: 50M rows in DuckDB's row groups give shards of eight groups", () => {
    const groups = Math.ceil(50_000_000 / 122_880)
    const files = [
      file(
        "a",
        Array.from({ length: groups }, (_, i) => (i < groups - 1 ? 122_880 : 50_000_000 % 122_880))
      )
    ]
    const shards = Sharding.enumerate(files, 4)
    expectValidShards(files, shards)
    expect(Math.max(...shards.map((s) => s.rows))).toBeLessThanOrEqual(Sharding.DEFAULT_SHARD_LIMITS.maxRows)
    expect(shards.length).toBe(Math.ceil(groups / 8))
  })
})

describe("Sharding at ten billion rows", () => {
  // The original's headline: 10B rows, staged as DuckDB writes them (122,880-row groups) in 1,000
  // files. The plan lists every file's row groups and every shard; it must stay small enough for every
  // replica to read (measured: 11,000 shards, 1.7 MB of JSON).
  it("gives bounded shards and a plan of a few MB", () => {
    const groupRows = 122_880
    const perFile = 10_000_000
    const groups = Array.from({ length: Math.ceil(perFile / groupRows) }, (_, g) =>
      Math.min(groupRows, perFile - g * groupRows)
    )
    const files = Array.from({ length: 1_000 }, (_, f) => ({
      path: `data_${String(f).padStart(5, "0")}.parquet`,
      bytes: perFile * 60,
      rowGroups: groups,
      sha256: "0".repeat(64)
    }))
    const shards = Sharding.enumerate(files, Sharding.targetCount(8, 5))
    expect(shards.reduce((sum, s) => sum + s.rows, 0)).toBe(10_000_000_000)
    expect(Math.max(...shards.map((s) => s.rows))).toBeLessThanOrEqual(Sharding.DEFAULT_SHARD_LIMITS.maxRows)
    const planJson = JSON.stringify({ input: { files }, shards })
    expect(planJson.length).toBeLessThan(4 * 1024 * 1024)
  })
})

describe("Sharding.forReplica", () => {
  const files = [file("a", [10]), file("b", Array(7).fill(10)), file("c", Array(100).fill(10))]
  const shards = Sharding.enumerate(files, 24)

  it.each([1, 2, 3, 5, 8, 64])(
    "partitions the shards across %i replicas with no overlap and no loss",
    (replicas) => {
      const parts = Array.from({ length: replicas }, (_, r) => Sharding.forReplica(shards, r, replicas))
      const all = parts
        .flat()
        .map((s) => s.index)
        .sort((a, b) => a - b)
      expect(all).toStrictEqual(shards.map((s) => s.index))
      expect(new Set(all).size).toBe(all.length)
      // Balanced: replica loads differ by at most one shard.
      const sizes = parts.map((p) => p.length)
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
    }
  )

  it("a replica index out of range gets nothing", () => {
    expect(Sharding.forReplica(shards, 3, 3)).toStrictEqual([])
  })
})

describe("Sharding.targetCount", () => {
  const cases: ReadonlyArray<readonly [number, number, number | undefined, number]> = [
    [1, 1, undefined, 4],
    [2, 5, undefined, 40],
    [8, 5, 2, 80],
    [0, 4, undefined, 1],
    [3, 0, undefined, 1]
  ]
  it.each(cases)(
    "targetCount(%i replicas, %i workers, %s per worker) is %i",
    (replicas, workers, perWorker, expected) => {
      expect(
        perWorker === undefined
          ? Sharding.targetCount(replicas, workers)
          : Sharding.targetCount(replicas, workers, perWorker)
      ).toBe(expected)
    }
  )
})
