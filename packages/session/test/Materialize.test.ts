import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalLayout, Sharding, SqlError, StageFileError, StageFileExists } from "@runbatch/spec"
import { Effect } from "effect"
import { Sql } from "../src/index.ts"
import { chooseLayout } from "../src/Materialize.ts"
import { DATABASE, duckRows, readRowGroups, SCHEMA, sqlPath, stage, tempHome, withSql } from "./support.ts"

const jobsDir = (home: string) =>
  LocalLayout.stageDir(home, { database: DATABASE, schema: SCHEMA, stage: "JOBS" })

describe("chooseLayout", () => {
  it("sizes row groups in DuckDB's 2048-row steps so shards of whole groups meet the target", () => {
    expect(chooseLayout(10_000_000, 32)).toEqual({ kind: "one-file", rowGroupSize: 104_448 })
    expect(chooseLayout(10_000_000, 1)).toEqual({ kind: "one-file", rowGroupSize: 122_880 })
    expect(chooseLayout(600_000, 32)).toEqual({ kind: "one-file", rowGroupSize: 20_480 })
  })

  it("writes a file per shard when shards would be smaller than a few row groups", () => {
    expect(chooseLayout(1000, 8)).toEqual({ kind: "file-per-shard", files: 8, rowsPerFile: 125 })
    expect(chooseLayout(1001, 8)).toEqual({ kind: "file-per-shard", files: 8, rowsPerFile: 126 })
    expect(chooseLayout(3, 8)).toEqual({ kind: "file-per-shard", files: 3, rowsPerFile: 1 })
    expect(chooseLayout(5000, 1)).toEqual({ kind: "one-file", rowGroupSize: 6144 })
  })

  it("writes one schema-only file for no rows", () => {
    expect(chooseLayout(0, 8)).toEqual({ kind: "one-file", rowGroupSize: 122_880 })
  })
})

describe("materialize", () => {
  const cases = [
    { rows: 1000, targets: [1, 3, 8, 32] },
    { rows: 50_000, targets: [1, 4, 16] },
    { rows: 600_000, targets: [3, 32] }
  ]
  for (const { rows, targets } of cases) {
    it.effect(`${rows} rows: shards cover every row once, in order, for targets ${targets.join(", ")}`, () =>
      Effect.gen(function* () {
        const home = tempHome()
        for (const target of targets) {
          const materialized = yield* withSql(
            home,
            Sql.use((sql) =>
              Effect.flatMap(stage(`@JOBS/n${rows}-t${target}/`), (location) =>
                sql.sql(`SELECT range AS id, range * 2 AS twice FROM range(${rows})`).materialize(location, {
                  targetShards: target
                })
              )
            )
          )
          const folder = join(jobsDir(home), `n${rows}-t${target}`)
          expect(materialized.rows).toBe(rows)
          expect(materialized.shards).toEqual(Sharding.enumerate(materialized.files, target))
          expect(materialized.shards.length).toBeLessThanOrEqual(target)
          expect(materialized.shards.length).toBeGreaterThanOrEqual(Math.ceil(Math.min(target, rows) * 0.75))
          expect(readdirSync(folder).sort()).toEqual(materialized.files.map((f) => f.path).sort())
          // Each file's size and sha256, counted as DuckDB wrote it, are the file's own.
          for (const file of materialized.files) {
            const bytes = readFileSync(join(folder, file.path))
            expect({ bytes: file.bytes, sha256: file.sha256 }).toEqual({
              bytes: bytes.byteLength,
              sha256: createHash("sha256").update(bytes).digest("hex")
            })
          }
          const ids: Array<bigint> = []
          for (const shard of materialized.shards) {
            const groups = Array.from(
              { length: shard.rowGroupEnd - shard.rowGroupStart },
              (_, i) => shard.rowGroupStart + i
            )
            const table = readRowGroups(join(folder, shard.file), groups)
            expect(table.numRows).toBe(shard.rows)
            for (const id of table.getChild("id")!.toArray() as BigInt64Array) ids.push(id)
          }
          expect(ids.length).toBe(rows)
          expect(ids.every((id, i) => id === BigInt(i))).toBe(true)
        }
      })
    )
  }

  it.effect("maxShardBytes bounds the shards' bytes (the Snowflake unload's MAX_FILE_SIZE)", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const query = "SELECT range AS id, range * 2 AS twice FROM range(600000)"
      const at = (folder: string, maxShardBytes?: number) =>
        withSql(
          home,
          Sql.use((sql) =>
            Effect.flatMap(stage(`@JOBS/${folder}/`), (location) =>
              sql.sql(query).materialize(location, {
                targetShards: 1,
                ...(maxShardBytes === undefined ? {} : { maxShardBytes })
              })
            )
          )
        )
      const whole = yield* at("whole")
      expect(whole.shards).toHaveLength(1)
      const maxShardBytes = Math.ceil(whole.files[0]!.bytes / 3)
      const bounded = yield* at("bounded", maxShardBytes)
      expect(bounded.shards.length).toBeGreaterThanOrEqual(3)
      expect(bounded.shards).toEqual(
        Sharding.enumerate(bounded.files, 1, { ...Sharding.DEFAULT_SHARD_LIMITS, maxBytes: maxShardBytes })
      )
      expect(bounded.shards.reduce((sum, shard) => sum + shard.rows, 0)).toBe(600_000)
    })
  )

  it.effect(
    "no rows: one parquet file with the schema, read as one empty shard (the output keeps its columns)",
    () =>
      Effect.gen(function* () {
        const home = tempHome()
        const materialized = yield* withSql(
          home,
          Sql.use((sql) =>
            Effect.flatMap(stage("@JOBS/empty/"), (location) =>
              sql
                .sql("SELECT range AS id, 'x' AS label FROM range(0)")
                .materialize(location, { targetShards: 4 })
            )
          )
        )
        expect(materialized.rows).toBe(0)
        expect(materialized.shards).toEqual([
          { index: 0, file: "data_00000.parquet", rowGroupStart: 0, rowGroupEnd: 0, rows: 0 }
        ])
        expect(materialized.files.map((f) => ({ path: f.path, rowGroups: f.rowGroups }))).toEqual([
          { path: "data_00000.parquet", rowGroups: [] }
        ])
        const described = yield* Effect.promise(() =>
          duckRows(
            `DESCRIBE SELECT * FROM read_parquet(${sqlPath(join(jobsDir(home), "empty", "data_00000.parquet"))})`
          )
        )
        expect(described.map((row) => [row["column_name"], row["column_type"]])).toEqual([
          ["id", "BIGINT"],
          ["label", "VARCHAR"]
        ])
      })
  )

  it.effect("refuses a target folder that holds anything, and leaves it alone", () =>
    Effect.gen(function* () {
      const home = tempHome()
      mkdirSync(join(jobsDir(home), "used"), { recursive: true })
      writeFileSync(join(jobsDir(home), "used", "old.parquet"), "old")
      const error = yield* withSql(
        home,
        Sql.use((sql) =>
          Effect.flatMap(stage("@JOBS/used/"), (location) =>
            Effect.flip(sql.sql("SELECT 1 AS x").materialize(location, { targetShards: 1 }))
          )
        )
      )
      expect(error).toBeInstanceOf(StageFileExists)
      expect(error).toMatchObject({ location: "@ML.PUBLIC.JOBS/used/old.parquet" })
      expect(readdirSync(join(jobsDir(home), "used"))).toEqual(["old.parquet"])
    })
  )

  it.effect("a failing query leaves the target folder empty, ready for another try", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const failing =
        "SELECT CASE WHEN range > 300000 THEN error('boom') ELSE range END AS id FROM range(400000)"
      const result = yield* withSql(
        home,
        Effect.gen(function* () {
          const sql = yield* Sql
          const location = yield* stage("@JOBS/retry/")
          const error = yield* Effect.flip(sql.sql(failing).materialize(location, { targetShards: 2 }))
          const left = readdirSync(join(jobsDir(home), "retry"))
          const retried = yield* sql
            .sql("SELECT range AS id FROM range(10)")
            .materialize(location, { targetShards: 2 })
          return { error, left, retried }
        })
      )
      expect(result.error).toBeInstanceOf(SqlError)
      expect(result.error.message).toContain("boom")
      expect(result.left).toEqual([])
      expect(result.retried.rows).toBe(10)
    })
  )

  it.effect("compression is the one asked for (snappy by default)", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const codecs: Array<unknown> = []
      for (const compression of [undefined, "zstd", "uncompressed"] as const) {
        const name = compression ?? "default"
        yield* withSql(
          home,
          Sql.use((sql) =>
            Effect.flatMap(stage(`@JOBS/${name}/`), (location) =>
              sql
                .sql("SELECT range AS id FROM range(100)")
                .materialize(
                  location,
                  compression === undefined ? { targetShards: 1 } : { targetShards: 1, compression }
                )
            )
          )
        )
        const rows = yield* Effect.promise(() =>
          duckRows(
            `SELECT DISTINCT compression FROM parquet_metadata(${sqlPath(join(jobsDir(home), name, "data_00000.parquet"))})`
          )
        )
        codecs.push(rows[0]?.["compression"])
      }
      expect(codecs).toEqual(["SNAPPY", "ZSTD", "UNCOMPRESSED"])
    })
  )

  it.effect(
    "stages each column as the schema describes it: decimals as DOUBLE or BIGINT, dates as timestamps, UUIDs as text",
    () =>
      Effect.gen(function* () {
        const home = tempHome()
        const staged = yield* withSql(
          home,
          Sql.use((sql) =>
            Effect.flatMap(stage("@JOBS/decimals/"), (location) =>
              Effect.gen(function* () {
                const relation = sql.sql(
                  `SELECT range AS id, (range * 1.5)::DECIMAL(10, 1) AS "Price", range::DECIMAL(18, 0) AS n,
                   [(range / 4)::DECIMAL(6, 2)] AS xs, {'w': 2.5::DECIMAL(4, 1)} AS s, 'a' AS t,
                   DATE '2024-01-02' AS d, '0b4b7a7e-1111-4c2d-9e8f-123456789abc'::UUID AS u, MAP {'k': 1} AS m
                 FROM range(4)`
                )
                const schema = yield* relation.schema
                yield* relation.materialize(location, { targetShards: 1 })
                return schema
              })
            )
          )
        )
        expect(staged.map((f) => ("dtype" in f ? f.dtype : "group"))).toEqual([
          "INT64",
          "DOUBLE",
          "INT64",
          "DOUBLE",
          "group",
          "STRING",
          "TIMESTAMP_NTZ",
          "STRING",
          "OBJECT"
        ])
        const file = sqlPath(join(jobsDir(home), "decimals", "data_00000.parquet"))
        const types = yield* Effect.promise(() =>
          duckRows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${file})`)
        )
        expect(types.map((r) => r["column_type"])).toEqual([
          "BIGINT",
          "DOUBLE",
          "BIGINT",
          "DOUBLE[]",
          "STRUCT(w DOUBLE)",
          "VARCHAR",
          "TIMESTAMP",
          "VARCHAR",
          "JSON"
        ])
        const values = yield* Effect.promise(() =>
          duckRows(`SELECT "Price", n, xs, s, d::VARCHAR AS d, u, m FROM ${file} ORDER BY id`)
        )
        expect(values[3]).toEqual({
          Price: 4.5,
          n: 3n,
          xs: [0.75],
          s: { w: 2.5 },
          d: "2024-01-02 00:00:00",
          u: "0b4b7a7e-1111-4c2d-9e8f-123456789abc",
          m: '{"k":1}'
        })
      })
  )

  it.effect("a target reached through a link out of the stage is refused", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const outside = join(home, "outside")
      mkdirSync(outside)
      mkdirSync(jobsDir(home), { recursive: true })
      symlinkSync(outside, join(jobsDir(home), "linked"))
      const error = yield* withSql(
        home,
        Sql.use((sql) =>
          Effect.flatMap(stage("@JOBS/linked/input/"), (location) =>
            Effect.flip(sql.sql("SELECT 1 AS x").materialize(location, { targetShards: 1 }))
          )
        )
      )
      expect(error).toBeInstanceOf(StageFileError)
      expect(error).toMatchObject({ problem: "escapes_stage" })
      expect(existsSync(join(outside, "input"))).toBe(false)
    })
  )
})
