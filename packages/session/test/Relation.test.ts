import { mkdirSync, symlinkSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { InvalidSpec, InvalidStageLocation, LocalLayout, Signature, StageFileError } from "@runbatch/spec"
import { Effect } from "effect"
import { type Relation, Sql } from "../src/index.ts"
import { DATABASE, duckRows, rowsOf, SCHEMA, sqlPath, stage, tempHome, withSql } from "./support.ts"

const stageFile = (home: string, stageName: string, path: string): string => {
  const file = join(
    LocalLayout.stageDir(home, { database: DATABASE, schema: SCHEMA, stage: stageName }),
    path
  )
  mkdirSync(dirname(file), { recursive: true })
  return file
}

/** Write `select` as a parquet file at `path` inside the stage. */
const putParquet = (home: string, stageName: string, path: string, select: string) =>
  Effect.promise(() =>
    duckRows(`COPY (${select}) TO ${sqlPath(stageFile(home, stageName, path))} (FORMAT parquet)`)
  )

/** schema, count, collect and materialize of one relation, with the written files read back by DuckDB. */
const evaluate = (relation: Relation, target: string) =>
  Effect.gen(function* () {
    const schema = yield* relation.schema
    const count = yield* relation.count
    const all = rowsOf(yield* relation.collect())
    const first = rowsOf(yield* relation.collect({ limit: 2 }))
    const materialized = yield* relation.materialize(yield* stage(target), { targetShards: 2 })
    return { schema, count, all, first, materialized }
  })

const readBack = (
  home: string,
  target: string,
  files: ReadonlyArray<{ readonly path: string }>,
  order: string
) =>
  Effect.gen(function* () {
    const location = yield* stage(target)
    const folder = join(LocalLayout.stageDir(home, location), location.path)
    return yield* Effect.promise(() =>
      duckRows(
        `SELECT * FROM read_parquet([${files.map((f) => sqlPath(join(folder, f.path))).join(", ")}]) ORDER BY ${order}`
      )
    )
  })

describe("relations", () => {
  it.effect("table: schema with nullability, count, collect, materialize", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const result = yield* withSql(
        home,
        Effect.gen(function* () {
          const sql = yield* Sql
          yield* sql.execute(
            "CREATE TABLE wines (id INTEGER NOT NULL, name VARCHAR, score DOUBLE); INSERT INTO wines VALUES (1, 'merlot', 4.5), (2, 'syrah', NULL), (3, NULL, 4.0)"
          )
          return yield* evaluate(yield* sql.table("wines"), "@JOBS/wines/")
        })
      )
      expect(result.schema).toEqual([
        Signature.feature("id", "INT32", { nullable: false }),
        Signature.feature("name", "STRING"),
        Signature.feature("score", "DOUBLE")
      ])
      expect(result.count).toBe(3)
      expect(result.all).toEqual([
        { id: 1, name: "merlot", score: 4.5 },
        { id: 2, name: "syrah", score: null },
        { id: 3, name: null, score: 4 }
      ])
      expect(result.first).toEqual(result.all.slice(0, 2))
      expect(result.materialized.rows).toBe(3)
      expect(result.materialized.schema).toEqual(result.schema)
      expect(result.materialized.shards.reduce((n, s) => n + s.rows, 0)).toBe(3)
      expect(yield* readBack(home, "@JOBS/wines/", result.materialized.files, "id")).toEqual([
        { id: 1, name: "merlot", score: 4.5 },
        { id: 2, name: "syrah", score: null },
        { id: 3, name: null, score: 4 }
      ])
    })
  )

  it.effect("sql: a query over tables of two databases", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const result = yield* withSql(
        home,
        Effect.gen(function* () {
          const sql = yield* Sql
          yield* sql.execute(
            "CREATE TABLE prices AS SELECT range::INTEGER AS id, range * 10 AS price FROM range(5)"
          )
          yield* sql.createTable("OTHER.PUBLIC.NAMES", {
            kind: "relation",
            relation: sql.sql("SELECT range::INTEGER AS id, 'item-' || range AS name FROM range(5)")
          })
          const relation = sql.sql(
            "SELECT p.id, n.name, p.price FROM prices p JOIN other.public.names n USING (id) WHERE p.id >= 1 ORDER BY p.id;"
          )
          return { relation, evaluated: yield* evaluate(relation, "@JOBS/query/") }
        })
      )
      expect(result.relation.description).toBe("query")
      expect(result.evaluated.schema).toEqual([
        Signature.feature("id", "INT32"),
        Signature.feature("name", "STRING"),
        Signature.feature("price", "INT64")
      ])
      expect(result.evaluated.count).toBe(4)
      expect(result.evaluated.all).toEqual(
        [1, 2, 3, 4].map((id) => ({ id, name: `item-${id}`, price: BigInt(id * 10) }))
      )
      expect(result.evaluated.first).toEqual(result.evaluated.all.slice(0, 2))
      expect(yield* readBack(home, "@JOBS/query/", result.evaluated.materialized.files, "id")).toEqual(
        [1, 2, 3, 4].map((id) => ({ id, name: `item-${id}`, price: BigInt(id * 10) }))
      )
    })
  )

  it.effect("readParquet: a folder, a prefix, a pattern; markers and temporary files are skipped", () =>
    Effect.gen(function* () {
      const home = tempHome()
      yield* putParquet(home, "DATA", "sales/2024/a.parquet", "SELECT 1 AS id, 'a' AS src")
      yield* putParquet(home, "DATA", "sales/2024/b.parquet", "SELECT 2 AS id, 'b' AS src")
      yield* putParquet(home, "DATA", "sales/2025/c.parquet", "SELECT 3 AS id, 'c' AS src")
      yield* putParquet(home, "DATA", "sales2/d.parquet", "SELECT 4 AS id, 'd' AS src")
      writeFileSync(stageFile(home, "DATA", "sales/_SUCCESS"), "")
      writeFileSync(stageFile(home, "DATA", "sales/2024/.runbatch-tmp-x.parquet"), "partial")
      const ids = (location: string, pattern?: string) =>
        Sql.use((sql) =>
          Effect.flatMap(sql.readParquet(location, pattern === undefined ? {} : { pattern }), (relation) =>
            Effect.map(relation.collect(), (table) => rowsOf(table).map((row) => row["src"]))
          )
        )
      const result = yield* withSql(
        home,
        Effect.all({
          folder: ids("@DATA/sales/"),
          prefix: ids("@DATA/sales"),
          qualified: ids("@ML.PUBLIC.DATA/sales/2024/"),
          pattern: ids("@DATA/", "sales/20[0-9]+/[ab][.]parquet"),
          oneFile: ids("@DATA/sales/2025/c.parquet"),
          root: ids("@DATA"),
          description: Sql.use((sql) => Effect.map(sql.readParquet("@DATA/sales/"), (r) => r.description))
        })
      )
      expect(result.folder).toEqual(["a", "b", "c"])
      expect(result.prefix).toEqual(["a", "b", "c", "d"])
      expect(result.qualified).toEqual(["a", "b"])
      expect(result.pattern).toEqual(["a", "b"])
      expect(result.oneFile).toEqual(["c"])
      expect(result.root).toEqual(["a", "b", "c", "d"])
      expect(result.description).toBe("parquet @ML.PUBLIC.DATA/sales/")
    })
  )

  it.effect("readParquet: schema, count, materialize of parquet files", () =>
    Effect.gen(function* () {
      const home = tempHome()
      yield* putParquet(
        home,
        "DATA",
        "x/1.parquet",
        "SELECT range AS id, [range, range + 1] AS pair FROM range(0, 3000)"
      )
      yield* putParquet(
        home,
        "DATA",
        "x/2.parquet",
        "SELECT range AS id, [range, range + 1] AS pair FROM range(3000, 5000)"
      )
      const result = yield* withSql(
        home,
        Sql.use((sql) =>
          Effect.flatMap(sql.readParquet("@DATA/x/", { pattern: ".*[.]parquet" }), (r) =>
            evaluate(r, "@JOBS/x/")
          )
        )
      )
      expect(result.schema).toEqual([
        Signature.feature("id", "INT64"),
        Signature.feature("pair", "INT64", { shape: [-1] })
      ])
      expect(result.count).toBe(5000)
      expect(result.first).toEqual([
        { id: 0n, pair: expect.anything() },
        { id: 1n, pair: expect.anything() }
      ])
      const back = yield* readBack(home, "@JOBS/x/", result.materialized.files, "id")
      expect(back.length).toBe(5000)
      expect(back[4999]).toEqual({ id: 4999n, pair: [4999n, 5000n] })
    })
  )

  it.effect("readParquet: nothing there, a bad pattern, a link out of the stage", () =>
    Effect.gen(function* () {
      const home = tempHome()
      yield* putParquet(home, "DATA", "x/1.parquet", "SELECT 1 AS id")
      const outside = join(home, "outside")
      mkdirSync(outside)
      yield* Effect.promise(() =>
        duckRows(`COPY (SELECT 2 AS id) TO ${sqlPath(join(outside, "o.parquet"))} (FORMAT parquet)`)
      )
      symlinkSync(outside, stageFile(home, "DATA", "linked"))
      symlinkSync(join(outside, "o.parquet"), stageFile(home, "DATA", "x/escape.parquet"))
      const errors = yield* withSql(
        home,
        Sql.use((sql) =>
          Effect.all({
            empty: Effect.flip(sql.readParquet("@DATA/nothing/")),
            noMatch: Effect.flip(sql.readParquet("@DATA/x/", { pattern: ".*csv" })),
            badPattern: Effect.flip(sql.readParquet("@DATA/x/", { pattern: "(" })),
            linkedFolder: Effect.flip(sql.readParquet("@DATA/linked/")),
            escapeSkipped: Effect.flatMap(sql.readParquet("@DATA/x/"), (r) => r.count),
            climbing: Effect.flip(sql.readParquet("@DATA/../x/"))
          })
        )
      )
      expect(errors.empty).toBeInstanceOf(StageFileError)
      expect(errors.empty).toMatchObject({ problem: "not_found", location: "@ML.PUBLIC.DATA/nothing/" })
      expect(errors.noMatch).toMatchObject({ _tag: "StageFileError", problem: "not_found" })
      expect(errors.badPattern).toBeInstanceOf(InvalidStageLocation)
      expect(errors.linkedFolder).toMatchObject({ _tag: "StageFileError", problem: "escapes_stage" })
      expect(errors.escapeSkipped).toBe(1)
      expect(errors.climbing).toBeInstanceOf(InvalidStageLocation)
    })
  )

  it.effect("createDataFrame: every signature type, read back exactly", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const schema = [
        Signature.feature("i8", "INT8", { nullable: false }),
        Signature.feature("u64", "UINT64"),
        Signature.feature("i64", "INT64"),
        Signature.feature("f", "FLOAT"),
        Signature.feature("d", "DOUBLE"),
        Signature.feature("b", "BOOL"),
        Signature.feature("s", "STRING"),
        Signature.feature("bytes", "BYTES"),
        Signature.feature("ts", "TIMESTAMP_NTZ"),
        Signature.feature("obj", "OBJECT"),
        Signature.feature("vec", "FLOAT", { shape: [3] }),
        Signature.feature("ragged", "INT32", { shape: [-1] }),
        Signature.group("point", [Signature.feature("x", "DOUBLE"), Signature.feature("label", "STRING")]),
        Signature.group("points", [Signature.feature("x", "DOUBLE")], { shape: [-1] })
      ]
      const rows = [
        {
          i8: -128,
          u64: 18446744073709551615n,
          i64: 9007199254740993n,
          f: 1.5,
          d: 0.1,
          b: true,
          s: "héllo",
          bytes: new Uint8Array([0, 255]),
          ts: "2024-02-29 12:34:56.123456",
          obj: { k: [1, 2] },
          vec: [1, 2, 3],
          ragged: [1],
          point: { x: 1.25, label: "p" },
          points: [{ x: 1 }, { x: 2 }]
        },
        { i8: 127, ts: new Date(Date.UTC(1970, 0, 1, 0, 0, 1)), ragged: [], points: [] }
      ]
      const result = yield* withSql(
        home,
        Sql.use((sql) =>
          Effect.flatMap(sql.createDataFrame(rows, schema), (r) =>
            Effect.all({ description: Effect.succeed(r.description), evaluated: evaluate(r, "@JOBS/frame/") })
          )
        )
      )
      expect(result.description).toBe("data frame (2 rows)")
      expect(result.evaluated.schema).toEqual(schema)
      expect(result.evaluated.count).toBe(2)
      const [first, second] = result.evaluated.all
      expect(first).toMatchObject({
        i8: -128,
        u64: 18446744073709551615n,
        i64: 9007199254740993n,
        f: 1.5,
        d: 0.1,
        b: true,
        s: "héllo",
        obj: '{"k":[1,2]}'
      })
      expect([...(first!["bytes"] as Uint8Array)]).toEqual([0, 255])
      expect([...(first!["vec"] as Iterable<number>)]).toEqual([1, 2, 3])
      expect(second).toMatchObject({ i8: 127, u64: null, s: null, point: null })
      const back = yield* readBack(home, "@JOBS/frame/", result.evaluated.materialized.files, "i8")
      const folder = join(
        LocalLayout.stageDir(home, { database: DATABASE, schema: SCHEMA, stage: "JOBS" }),
        "frame"
      )
      const timestamps = yield* Effect.promise(() =>
        duckRows(
          `SELECT i8, ts::VARCHAR AS ts FROM read_parquet([${result.evaluated.materialized.files.map((f) => sqlPath(join(folder, f.path))).join(", ")}]) ORDER BY i8`
        )
      )
      expect(timestamps.map((row) => [row["i8"], row["ts"]])).toEqual([
        [-128, "2024-02-29 12:34:56.123456"],
        [127, "1970-01-01 00:00:01"]
      ])
      expect(back[0]).toMatchObject({
        vec: [1, 2, 3],
        ragged: [1],
        point: { x: 1.25, label: "p" },
        points: [{ x: 1 }, { x: 2 }]
      })
    })
  )

  it.effect(
    "createDataFrame: every bad value is reported at once; names that differ by case are refused",
    () =>
      Effect.gen(function* () {
        const home = tempHome()
        const schema = [
          Signature.feature("n", "INT8", { nullable: false }),
          Signature.feature("s", "STRING"),
          Signature.feature("v", "DOUBLE", { shape: [2] }),
          Signature.feature("ts", "TIMESTAMP_NTZ")
        ]
        const errors = yield* withSql(
          home,
          Sql.use((sql) =>
            Effect.all({
              values: Effect.flip(
                sql.createDataFrame(
                  [
                    { n: 300, s: 1, v: [1], ts: "yesterday" },
                    { s: "ok", typo: 1 },
                    { n: 1, N: 2 }
                  ],
                  schema
                )
              ),
              collision: Effect.flip(
                sql.createDataFrame([], [Signature.feature("a", "INT8"), Signature.feature("A", "INT8")])
              ),
              empty: Effect.flip(sql.createDataFrame([], []))
            })
          )
        )
        expect(errors.values).toBeInstanceOf(InvalidSpec)
        expect((errors.values as InvalidSpec).problems.map((p) => p.path)).toEqual([
          "rows[0].n",
          "rows[0].s",
          "rows[0].v",
          "rows[0].ts",
          "rows[1].typo",
          "rows[1].n",
          "rows[2].N"
        ])
        expect((errors.values as InvalidSpec).problems[0]!.message).toContain("out of range for INT8")
        expect(errors.collision).toMatchObject({ _tag: "CaseCollision", names: ["a", "A"] })
        expect(errors.empty).toBeInstanceOf(InvalidSpec)
      })
  )

  it.effect(
    "createDataFrame: the same problem in many rows is said once, with the count and the first rows",
    () =>
      Effect.gen(function* () {
        const rows = Array.from({ length: 178 }, (_, i) => ({ x: i, extra: "y" }))
        const error = yield* withSql(
          tempHome(),
          Sql.use((sql) => Effect.flip(sql.createDataFrame(rows, [Signature.feature("x", "INT32")])))
        )
        expect(error).toBeInstanceOf(InvalidSpec)
        expect((error as InvalidSpec).problems).toEqual([
          {
            path: "rows[0, 1, 2, 3, 4, …].extra",
            message: "no such column; the schema has x (in 178 of 178 rows)"
          }
        ])
        expect(error.message.match(/no such column/g)).toHaveLength(1)
      })
  )

  it.effect("a data frame's file lives as long as the session", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const relation = yield* withSql(
        home,
        Sql.use((sql) =>
          Effect.tap(sql.createDataFrame([{ x: 1 }], [Signature.feature("x", "INT32")]), (r) => r.count)
        )
      )
      const after = yield* withSql(home, Effect.flip(relation.count))
      expect(after).toMatchObject({ _tag: "SqlError" })
    })
  )
})
