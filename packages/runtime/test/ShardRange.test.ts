/**
 * The row groups a shard reads: a file the plan lists as one row group of N rows (Snowflake's unloaded
 * files, whose footers the client never reads) is read whole when it holds several; a file whose rows
 * differ from the plan's count fails the shard with ShardUnreadable instead of dropping rows unseen.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { type JobPlan, LocalLayout } from "@runbatch/spec"
import { ParquetCodec, StageStore } from "@runbatch/stage-io"
import * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { readShard } from "../src/ShardReader.ts"
import { tempHome } from "./support.ts"

const ROWS = 1_000

/** A stage file of ROWS rows in row groups of 300 (four groups), and a plan that saw one group. */
const setup = (plannedRows: number) => {
  const home = tempHome()
  const folder = join(LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "S" }), "in")
  mkdirSync(folder, { recursive: true })
  const id = BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i))
  writeFileSync(
    join(folder, "data_0_0_0.snappy.parquet"),
    ParquetCodec.encode(Arrow.tableFromArrays({ ID: id }), { rowGroupSize: 300 })
  )
  const plan = {
    input: {
      location: "@ML.PUBLIC.S/in/",
      files: [{ path: "data_0_0_0.snappy.parquet", bytes: 1, rowGroups: [plannedRows] }]
    }
  } as unknown as JobPlan.JobPlan
  const shard = {
    index: 0,
    file: "data_0_0_0.snappy.parquet",
    rowGroupStart: 0,
    rowGroupEnd: 1,
    rows: plannedRows
  }
  const read = Stream.runFold(
    readShard(plan, shard, 128),
    () => [] as Array<number>,
    (ids, batch) => [...ids, ...Array.from(batch.getChild("ID")?.toArray() ?? [], Number)]
  ).pipe(Effect.provide(StageStore.layerLocalHome({ home, database: "ML", schema: "PUBLIC" })))
  return read
}

describe("the row groups a shard reads", () => {
  it("reads every row group of a file the plan counted as one", async () => {
    const ids = await Effect.runPromise(setup(ROWS))
    expect(ids).toEqual(Array.from({ length: ROWS }, (_, i) => i))
  })

  it("fails the shard when the file holds other rows than the plan counted", async () => {
    const error = await Effect.runPromise(Effect.flip(setup(ROWS - 1)))
    expect(error).toMatchObject({ _tag: "ShardUnreadable" })
    expect(error.message).toContain(`hold ${ROWS} rows where the plan counted ${ROWS - 1}`)
  })
})
