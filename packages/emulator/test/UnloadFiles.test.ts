/**
 * COPY INTO @stage's files through snowflake-sdk: MAX_FILE_SIZE splits the unload into files named
 * data_0_0_<n>.snappy.parquet (or <prefix>_0_0_<n>…), DETAILED_OUTPUT = TRUE answers one row per file
 * (FILE_NAME, FILE_SIZE, ROW_COUNT; unverified on a real account), and the location is written once:
 * files already there are refused unless OVERWRITE = TRUE.
 */
import { readdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { LocalLayout } from "@runbatch/spec"
import { describe, expect, it } from "vitest"
import { connect, emulator, execute, failing } from "./support.ts"

const stageFolder = (home: string, stage: string) =>
  LocalLayout.stageDir(home, { database: "RUNBATCH", schema: "PUBLIC", stage })

const prepare = async () => {
  const running = await emulator()
  const connection = await connect(running)
  await execute(connection, "create stage out")
  await execute(connection, "create table src as select range as id, 'v' || range as name from range(20000)")
  return { running, connection, folder: stageFolder(running.home, "OUT") }
}

describe("COPY INTO @stage files", () => {
  it("answers one row per file with DETAILED_OUTPUT, each file's own name, size and rows", async () => {
    const { connection, folder } = await prepare()
    const { rows, statement } = await execute<Record<string, unknown>>(
      connection,
      "copy into @out/job/ from (select * from src) file_format = (type = parquet) header = true max_file_size = 40000 detailed_output = true"
    )
    expect((statement.getColumns() ?? []).map((c) => c.getName())).toEqual([
      "FILE_NAME",
      "FILE_SIZE",
      "ROW_COUNT"
    ])
    expect(rows.length).toBeGreaterThan(1)
    expect(rows.map((r) => r["FILE_NAME"])).toEqual(rows.map((_, i) => `data_0_0_${i}.snappy.parquet`))
    expect(readdirSync(join(folder, "job")).sort()).toEqual(rows.map((r) => String(r["FILE_NAME"])).sort())
    for (const row of rows)
      expect(row["FILE_SIZE"]).toBe(statSync(join(folder, "job", String(row["FILE_NAME"]))).size)
    expect(rows.reduce((sum, r) => sum + Number(r["ROW_COUNT"]), 0)).toBe(20000)
  })

  it("numbers the files after a prefix, and sums them without DETAILED_OUTPUT", async () => {
    const { connection, folder } = await prepare()
    const { rows } = await execute<Record<string, unknown>>(
      connection,
      "copy into @out/run/part from src file_format = (type = parquet) max_file_size = 40000"
    )
    const names = readdirSync(join(folder, "run")).sort()
    expect(names.length).toBeGreaterThan(1)
    expect(names).toEqual(names.map((_, i) => `part_0_0_${i}.snappy.parquet`).sort())
    expect(rows).toEqual([
      {
        rows_unloaded: 20000,
        input_bytes: names.reduce((sum, n) => sum + statSync(join(folder, "run", n)).size, 0),
        output_bytes: names.reduce((sum, n) => sum + statSync(join(folder, "run", n)).size, 0)
      }
    ])
  })

  it("refuses a location holding files unless OVERWRITE = TRUE, which replaces them all", async () => {
    const { connection, folder } = await prepare()
    const split = "copy into @out/job/ from src file_format = (type = parquet) max_file_size = 40000"
    await execute(connection, split)
    const several = readdirSync(join(folder, "job")).length
    expect(several).toBeGreaterThan(1)
    const refused = await failing(connection, split)
    expect(refused.code).toBe("001030")
    await execute(connection, "copy into @out/job/ from src file_format = (type = parquet) overwrite = true")
    expect(readdirSync(join(folder, "job"))).toEqual(["data_0_0_0.snappy.parquet"])
  })

  it("refuses a MAX_FILE_SIZE that is not a positive number of bytes", async () => {
    const { connection } = await prepare()
    const error = await failing(
      connection,
      "copy into @out/job/ from src file_format = (type = parquet) max_file_size = 0"
    )
    expect(error.code).toBe("001003")
    expect(error.message).toMatch(/MAX_FILE_SIZE = 0/)
  })
})
