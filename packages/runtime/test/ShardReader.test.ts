/**
 * A shard's memory does not grow with its row groups: 5,000,000 rows in one row group (what a user's
 * parquet read in place may hold) are read through readShard in the memory the same rows take in the
 * staged input's 122,880-row groups. Each read runs in a fresh Node process, so its peak RSS (VmHWM) is
 * its own; the processes run the build of the current sources (vitest's global setup builds first), as
 * replicas do.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { LocalLayout } from "@runbatch/spec"
import { describe, expect, it } from "vitest"
import { tempHome } from "./support.ts"

const packageDir = fileURLToPath(new URL("..", import.meta.url))

const ROWS = 5_000_000

/**
 * How much more the rows may cost in one row group than in many. Read a row group at a time, the one
 * group cost about 800 MiB more (decoded whole into one table, then copied for Arrow: ~1,050 MiB of
 * peak RSS against ~240 MiB); read in slices, within ±15 MiB (the garbage collector's timing).
 */
const BOUND_MIB = 64

/**
 * Writes the same rows (ID and four doubles, 40 bytes a row) once per file given, each with its own
 * row group size, with runbatch's parquet writer (which writes an offset index: a slice fetches only
 * its pages).
 */
const WRITE = `import { writeFileSync } from "node:fs"
import * as Arrow from "apache-arrow"
import { ParquetCodec } from "@runbatch/stage-io"
const { rows, files } = JSON.parse(process.env.FILES)
const id = new BigInt64Array(rows)
const columns = {}
for (const [j, name] of ["A", "B", "C", "D"].entries()) {
  const values = new Float64Array(rows)
  for (let i = 0; i < rows; i++) values[i] = (Math.imul(i * 4 + j, 2654435761) >>> 0) % 100000 / 100
  columns[name] = values
}
for (let i = 0; i < rows; i++) id[i] = BigInt(i)
const table = Arrow.tableFromArrays({ ID: id, ...columns })
for (const { path, rowGroupSize } of files) writeFileSync(path, ParquetCodec.encode(table, { rowGroupSize }))
`

/** Reads one shard through readShard and reports its rows, its largest batch and the process's peak RSS. */
const READ = `import { readFileSync } from "node:fs"
import { ShardReader } from "@runbatch/runtime"
import { StageStore } from "@runbatch/stage-io"
import { Effect, Stream } from "effect"
const { home, location, shard, batchRows } = JSON.parse(process.env.SHARD)
const read = Stream.runFold(
  ShardReader.readShard({ input: { location } }, shard, batchRows),
  () => ({ rows: 0, largestBatch: 0 }),
  (seen, batch) => ({ rows: seen.rows + batch.numRows, largestBatch: Math.max(seen.largestBatch, batch.numRows) })
)
const seen = await Effect.runPromise(
  read.pipe(Effect.provide(StageStore.layerLocalHome({ home, database: "ML", schema: "PUBLIC" })))
)
const peakKiB = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))[1])
process.stdout.write(JSON.stringify({ ...seen, peakMiB: peakKiB / 1024 }))
`

const node = (script: string, env: Record<string, string>): string =>
  execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: packageDir,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 1024 * 1024
  })

describe("readShard of a row group larger than the shard bound", () => {
  it("holds a slice, not the row group: 5M rows in one group cost what they do in 122,880-row groups", () => {
    const home = tempHome()
    const folder = join(
      LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "INPUT" }),
      "in"
    )
    mkdirSync(folder, { recursive: true })
    const layouts = { staged: 122_880, single: ROWS }
    node(WRITE, {
      FILES: JSON.stringify({
        rows: ROWS,
        files: Object.entries(layouts).map(([name, rowGroupSize]) => ({
          path: join(folder, `${name}.parquet`),
          rowGroupSize
        }))
      })
    })
    const read = (name: keyof typeof layouts) =>
      JSON.parse(
        node(READ, {
          SHARD: JSON.stringify({
            home,
            location: "@ML.PUBLIC.INPUT/in/",
            shard: {
              index: 0,
              file: `${name}.parquet`,
              rowGroupStart: 0,
              rowGroupEnd: Math.ceil(ROWS / layouts[name]),
              rows: ROWS
            },
            batchRows: 4096
          })
        })
      ) as { rows: number; largestBatch: number; peakMiB: number }
    const staged = read("staged")
    const single = read("single")
    expect([staged.rows, single.rows]).toStrictEqual([ROWS, ROWS])
    expect([staged.largestBatch, single.largestBatch]).toStrictEqual([4096, 4096])
    expect(single.peakMiB - staged.peakMiB, JSON.stringify({ staged, single })).toBeLessThan(BOUND_MIB)
  })
})
