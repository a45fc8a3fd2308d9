/**
 * relation.materialize on Snowflake with the real snowflake-sdk against the emulator: the query unloaded
 * once (COPY INTO @stage … MAX_FILE_SIZE … DETAILED_OUTPUT = TRUE) gives the same rows and schema as
 * the local account materialising it, one shard per file, files bounded by MAX_FILE_SIZE, write-once
 * folders, NoActiveWarehouse without a warehouse — and the unload's parquet types are the documented
 * table (docs/snowflake.md, Materialising input; unverified on a real account).
 */
import { join } from "node:path"
import { Sql } from "@runbatch/session"
import { LocalLayout, type Sharding, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { emulator, onLocalAccount, onSnowflake } from "./support.ts"

/** 10,000 rows in SQL both Snowflake and DuckDB read: ids 0…9999 with a label and a score. */
const TEN_THOUSAND = `WITH D AS (SELECT 0 AS N UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)
SELECT A.N * 1000 + B.N * 100 + C.N * 10 + E.N AS ID, 'row ' || CAST(A.N * 1000 + B.N * 100 + C.N * 10 + E.N AS VARCHAR) AS LABEL, (A.N * 1000 + B.N * 100 + C.N * 10 + E.N) * 0.5::DOUBLE AS SCORE
FROM D AS A, D AS B, D AS C, D AS E`

const prepare = async (options: { readonly requireWarehouse?: boolean } = {}) => {
  const running = await emulator(options)
  const onLocal = onLocalAccount(running)
  await onSnowflake(running)(Sql.use((sql) => sql.execute("CREATE STAGE S")))
  const stageDir = LocalLayout.stageDir(running.home, { database: "ML", schema: "PUBLIC", stage: "S" })
  return { running, onSnowflake: onSnowflake(running), onLocal, stageDir }
}

const materialize = (query: string, folder: string, options: { readonly maxShardBytes?: number } = {}) =>
  Sql.use((sql) =>
    Effect.flatMap(StageLocation.parse(`@S/${folder}/`, { database: "ML", schema: "PUBLIC" }), (location) =>
      sql.sql(query).materialize(location, { targetShards: 4, ...options })
    )
  )

/** Every row of the materialised files, read back by the local account, ordered by ID. */
const readBack = (folder: string) =>
  Sql.use((sql) =>
    Effect.flatMap(sql.readParquet(`@S/${folder}/`), (relation) =>
      Effect.map(relation.collect(), (table) => ({
        fields: table.schema.fields.map((f) => f.name),
        rows: table
          .toArray()
          .map((row) => row.toJSON() as Record<string, unknown>)
          .map((row) => ({ ...row, ID: Number(row["ID"]) }))
          .sort((a, b) => a.ID - b.ID)
      }))
    )
  )

const rowsOf = (files: ReadonlyArray<Sharding.InputFile>) =>
  files.reduce((sum, f) => sum + f.rowGroups.reduce((a, b) => a + b, 0), 0)

describe("materialize on Snowflake", () => {
  it("unloads the rows once, with the schema and rows the local account materialises", async () => {
    const { onSnowflake, onLocal } = await prepare()
    const snowflake = await onSnowflake(materialize(TEN_THOUSAND, "job/input/0"))
    const local = await onLocal(materialize(TEN_THOUSAND, "local/input/0"))
    expect(snowflake.rows).toBe(10_000)
    expect(snowflake.location).toMatchObject({ stage: "S", path: "job/input/0", isDirectory: true })
    // Snowflake's integers are all NUMBER(38,0) (INT64), DuckDB's this query's INT32: the rest agrees.
    const widened = local.schema.map((f) => (f.name === "ID" ? { ...f, dtype: "INT64" } : f))
    expect(snowflake.schema).toEqual(widened)
    // The default MAX_FILE_SIZE (256 MiB) holds this in one file, one shard.
    expect(snowflake.files.map((f) => f.path)).toEqual(["data_0_0_0.snappy.parquet"])
    expect(snowflake.shards).toEqual([
      { index: 0, file: "data_0_0_0.snappy.parquet", rowGroupStart: 0, rowGroupEnd: 1, rows: 10_000 }
    ])
    const fromSnowflake = await onLocal(readBack("job/input/0"))
    const fromLocal = await onLocal(readBack("local/input/0"))
    expect(fromSnowflake.fields).toEqual(["ID", "LABEL", "SCORE"])
    expect(fromSnowflake.rows).toEqual(fromLocal.rows)
  })

  it("splits the unload into files of at most about MAX_FILE_SIZE, one shard each, every row once", async () => {
    const { onSnowflake, onLocal, stageDir } = await prepare()
    const whole = await onSnowflake(materialize(TEN_THOUSAND, "whole"))
    const maxShardBytes = Math.ceil(whole.files[0]!.bytes / 4)
    const split = await onSnowflake(materialize(TEN_THOUSAND, "split", { maxShardBytes }))
    expect(split.files.length).toBeGreaterThanOrEqual(4)
    expect(split.files.map((f) => f.path)).toEqual(
      split.files.map((_, i) => `data_0_0_${i}.snappy.parquet`).sort()
    )
    // About the size: parquet's fixed costs (footer, dictionaries) are paid in every file.
    for (const file of split.files) expect(file.bytes).toBeLessThanOrEqual(maxShardBytes * 1.25)
    expect(split.shards.map((s) => [s.file, s.rowGroupStart, s.rowGroupEnd])).toEqual(
      split.files.map((f) => [f.path, 0, 1])
    )
    expect(split.shards.map((s) => s.rows)).toEqual(split.files.map((f) => f.rowGroups[0]))
    expect(rowsOf(split.files)).toBe(10_000)
    expect(split.rows).toBe(10_000)
    // Each file's row count and size are the file's own.
    const perFile = await onLocal(
      Sql.use((sql) =>
        sql.query(
          `SELECT parse_filename(filename) AS F, COUNT(*) AS N FROM read_parquet('${join(stageDir, "split")}/*.parquet', filename = true) GROUP BY ALL ORDER BY F`
        )
      )
    )
    expect(perFile.toArray().map((r) => [r["F"], Number(r["N"])])).toEqual(
      split.files.map((f) => [f.path, f.rowGroups[0]])
    )
    expect((await onLocal(readBack("split"))).rows).toEqual((await onLocal(readBack("whole"))).rows)
  })

  it("writes each attempt into a fresh folder and refuses one that holds files (StageFileExists)", async () => {
    const { onSnowflake } = await prepare()
    const first = await onSnowflake(materialize(TEN_THOUSAND, "job/input/0"))
    const again = await onSnowflake(Effect.flip(materialize(TEN_THOUSAND, "job/input/0")))
    expect(again).toMatchObject({
      _tag: "StageFileExists",
      location: "@ML.PUBLIC.S/job/input/0/data_0_0_0.snappy.parquet"
    })
    const second = await onSnowflake(materialize(TEN_THOUSAND, "job/input/1"))
    expect(second.rows).toBe(first.rows)
    expect(second.location.path).toBe("job/input/1")
  })

  it("no rows: one schema-only file read as one empty shard, as locally (Snowflake may write no file: unverified)", async () => {
    const { onSnowflake, onLocal } = await prepare()
    const empty = `SELECT * FROM (${TEN_THOUSAND}) WHERE ID < 0`
    const snowflake = await onSnowflake(materialize(empty, "empty"))
    const local = await onLocal(materialize(empty, "local-empty"))
    expect(snowflake.rows).toBe(0)
    expect(snowflake.files.map((f) => f.rowGroups)).toEqual([[]])
    expect(snowflake.shards.map((s) => ({ ...s, file: "" }))).toEqual(
      local.shards.map((s) => ({ ...s, file: "" }))
    )
  })

  it("fails with NoActiveWarehouse when the session has no warehouse", async () => {
    const { onSnowflake } = await prepare({ requireWarehouse: true })
    const error = await onSnowflake(Effect.flip(materialize(TEN_THOUSAND, "job/input/0")))
    expect(error._tag).toBe("NoActiveWarehouse")
  })
})

/** The documented unload type table (docs/snowflake.md): Snowflake type → parquet physical / logical type. */
const UNLOAD_TYPES = [
  {
    column: "N",
    sql: "CAST(1 AS NUMBER(38, 0))",
    physical: "FIXED_LEN_BYTE_ARRAY",
    logical: "DECIMAL(38,0)"
  },
  { column: "F", sql: "CAST(1.5 AS FLOAT)", physical: "DOUBLE", logical: "" },
  { column: "T", sql: "CAST('text' AS TEXT)", physical: "BYTE_ARRAY", logical: "UTF8" },
  { column: "B", sql: "TRUE", physical: "BOOLEAN", logical: "" },
  { column: "D", sql: "CAST('2026-12-07' AS DATE)", physical: "INT32", logical: "DATE" },
  {
    column: "TS",
    sql: "CAST('2026-12-07 10:30:00' AS TIMESTAMP_NTZ)",
    physical: "INT64",
    logical: "TIMESTAMP(MICROS,false)"
  },
  { column: "BIN", sql: "CAST('ab' AS BINARY)", physical: "BYTE_ARRAY", logical: "" },
  { column: "V", sql: `PARSE_JSON('{"a": 1}')`, physical: "BYTE_ARRAY", logical: "JSON" }
] as const

describe("the unload's parquet types", () => {
  it("are the documented table for NUMBER, FLOAT, TEXT, BOOLEAN, DATE, TIMESTAMP_NTZ, BINARY, VARIANT", async () => {
    const { onSnowflake, onLocal, stageDir } = await prepare()
    const query = `SELECT ${UNLOAD_TYPES.map((t) => `${t.sql} AS ${t.column}`).join(", ")}`
    const materialized = await onSnowflake(materialize(query, "types"))
    const file = join(stageDir, "types", materialized.files[0]!.path)
    const schema = await onLocal(
      Sql.use((sql) =>
        sql.query(
          `SELECT name AS NAME, type AS PHYSICAL, CASE WHEN converted_type = 'DECIMAL' THEN 'DECIMAL(' || precision || ',' || scale || ')' WHEN logical_type LIKE 'TimestampType%' THEN 'TIMESTAMP(MICROS,false)' WHEN logical_type LIKE 'JSONType%' THEN 'JSON' ELSE coalesce(converted_type, '') END AS LOGICAL FROM parquet_schema('${file}') WHERE num_children IS NULL OR num_children = 0`
        )
      )
    )
    expect(
      schema.toArray().map((r) => ({ column: r["NAME"], physical: r["PHYSICAL"], logical: r["LOGICAL"] }))
    ).toEqual(UNLOAD_TYPES.map(({ column, physical, logical }) => ({ column, physical, logical })))
  })
})
