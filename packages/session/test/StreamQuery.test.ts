import { readdirSync, truncateSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { SqlError } from "@runbatch/spec"
import * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"
import { Sql, SqlPromise } from "../src/index.ts"
import { rowsOf, tempHome, withSql } from "./support.ts"

const TABLE = `CREATE TABLE t AS SELECT range AS id, range * 0.5 AS x, 'r' || range AS s,
  CASE WHEN range % 7 = 0 THEN NULL ELSE range::DECIMAL(10, 2) END AS d,
  TIMESTAMP '2026-01-01 00:00:00.123456' + INTERVAL (range) SECOND AS at
  FROM range(5000)`

/** Stream a query expected to fail: the batch sizes seen before it did, and its error. */
const streamFailure = (query: string) =>
  Effect.gen(function* () {
    const seen: Array<number> = []
    const error = yield* withSql(
      tempHome(),
      Sql.use((sql) =>
        Effect.flip(
          Stream.runForEach(sql.streamQuery(query), (batch) => Effect.sync(() => seen.push(batch.numRows)))
        )
      )
    )
    return { seen, error }
  })

describe("Sql.streamQuery", () => {
  it.effect("rows arrive as record batches of a DuckDB chunk, typed and valued as query gives them", () =>
    Effect.gen(function* () {
      const { batches, table } = yield* withSql(
        tempHome(),
        Effect.gen(function* () {
          const sql = yield* Sql
          yield* sql.execute(TABLE)
          const text = "SELECT * FROM t ORDER BY id"
          return {
            batches: yield* Stream.runCollect(sql.streamQuery(text)),
            table: yield* sql.query(text)
          }
        })
      )
      expect(batches.map((b) => b.numRows)).toEqual([2048, 2048, 904])
      const streamed = new Arrow.Table(batches)
      expect(streamed.schema.fields.map(String)).toEqual(table.schema.fields.map(String))
      expect(rowsOf(streamed)).toEqual(rowsOf(table))
    })
  )

  it.effect("a query of no rows is one batch of no rows that carries the columns", () =>
    Effect.gen(function* () {
      const batches = yield* withSql(
        tempHome(),
        Stream.runCollect(
          Stream.unwrap(
            Sql.use((sql) => Effect.succeed(sql.streamQuery("SELECT 1 AS a, 'x' AS b WHERE false")))
          )
        )
      )
      expect(batches.map((b) => b.numRows)).toEqual([0])
      expect(batches[0]!.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual(["a: Int32", "b: Utf8"])
    })
  )

  it.effect("a table that does not exist fails as query fails, told for the account", () =>
    Effect.gen(function* () {
      const [streamed, queried] = yield* withSql(
        tempHome(),
        Effect.gen(function* () {
          const sql = yield* Sql
          yield* sql.execute("CREATE TABLE POINTS (x INTEGER)")
          return yield* Effect.all([
            Effect.flip(Stream.runCollect(sql.streamQuery("SELECT * FROM point"))),
            Effect.flip(sql.query("SELECT * FROM point"))
          ])
        })
      )
      expect(streamed).toBeInstanceOf(SqlError)
      expect(streamed.message).toContain("Tables of the account with a close name: ML.PUBLIC.POINTS")
      expect(streamed.message).toBe(queried.message)
    })
  )

  it.effect("a value out of range fails the stream with SqlError after the batches before it", () =>
    Effect.gen(function* () {
      const { seen, error } = yield* streamFailure(
        "SELECT CASE WHEN range = 3000 THEN 99999999999999999999999 ELSE range END::DECIMAL(38, 0) AS d FROM range(5000)"
      )
      expect(seen).toEqual([2048])
      expect(error).toBeInstanceOf(SqlError)
      expect(error.message).toContain("does not fit INT64")
    })
  )

  it.effect("a query failing midway fails the stream with DuckDB's error, never ends it short", () =>
    Effect.gen(function* () {
      const { seen, error } = yield* streamFailure(
        "SELECT CASE WHEN range < 500000 THEN range::VARCHAR ELSE 'x' END::INTEGER AS n FROM range(1000000)"
      )
      expect(seen).toEqual([])
      expect(error).toBeInstanceOf(SqlError)
      expect(error.message).toContain("Could not convert string 'x' to INT32")
      expect((error as SqlError).statement).toContain("SELECT CASE WHEN range < 500000")
      expect((error as SqlError).statement).not.toContain("COPY")
    })
  )

  it.effect(
    "types parquet cannot carry, arrays, dates, decimals and EXPLAIN come back as query gives them",
    () =>
      Effect.gen(function* () {
        const texts = [
          "SELECT 170141183460469231731687303715884105727::HUGEINT AS h, union_value(n := 2) AS u, [1::HUGEINT, 2] AS l, 'x' AS a, [1, 2]::INTEGER[2] AS f, DATE '2026-12-07' AS d, 1.25::DECIMAL(10, 2) AS m",
          "EXPLAIN SELECT 1"
        ]
        const pairs = yield* withSql(
          tempHome(),
          Sql.use((sql) =>
            Effect.forEach(texts, (text) =>
              Effect.all([Stream.runCollect(sql.streamQuery(text)), sql.query(text)])
            )
          )
        )
        for (const [batches, table] of pairs) {
          const streamed = new Arrow.Table(batches)
          expect(streamed.schema.fields.map((f) => f.name)).toEqual(table.schema.fields.map((f) => f.name))
          const columns = (t: Arrow.Table) =>
            t.schema.fields.map((_, i) =>
              JSON.stringify(t.getChildAt(i)!.toJSON(), (_k, v) => (typeof v === "bigint" ? `${v}n` : v))
            )
          expect(columns(streamed)).toEqual(columns(table))
        }
        expect(pairs[0]![1].getChild("h")!.get(0)).toBe("170141183460469231731687303715884105727")
      })
  )

  it.effect("rows that cannot all be read back fail the stream, never end it short", () =>
    Effect.gen(function* () {
      const home = tempHome()
      let cut = false
      const error = yield* withSql(
        home,
        Sql.use((sql) =>
          Effect.flip(
            Stream.runForEach(sql.streamQuery("SELECT range AS n FROM range(1000000)"), () =>
              Effect.sync(() => {
                if (cut) return
                // The spooled file loses its later row groups while the first is being read.
                const spooled = readdirSync(join(home, "tmp"), { recursive: true, encoding: "utf8" }).find(
                  (f) => f.endsWith(".parquet")
                )!
                truncateSync(join(home, "tmp", spooled), 100_000)
                cut = true
              })
            )
          )
        )
      )
      expect(cut).toBe(true)
      expect(error).toBeInstanceOf(SqlError)
      expect(error.message).toMatch(/^SQL failed: its rows were cut short: \d+ of 1000000 read back from /)
    })
  )

  it.effect("limit stops the query there, and the spooled file goes with the stream", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const batches = yield* withSql(
        home,
        Stream.runCollect(
          Stream.unwrap(
            Sql.use((sql) =>
              Effect.succeed(sql.streamQuery("SELECT * FROM range(10000000000)", { limit: 3 }))
            )
          )
        )
      )
      expect(batches.flatMap((b) => [...(b.getChildAt(0)!.toArray() as BigInt64Array)])).toEqual([0n, 1n, 2n])
      const spooled = readdirSync(join(home, "tmp"), { recursive: true, encoding: "utf8" }).filter((f) =>
        f.endsWith(".parquet")
      )
      expect(spooled).toEqual([])
    })
  )

  it.effect("stopping early releases the database: a write goes through at once", () =>
    Effect.gen(function* () {
      const rows = yield* withSql(
        tempHome(),
        Effect.gen(function* () {
          const sql = yield* Sql
          yield* sql.execute(TABLE)
          const first = yield* Stream.runCollect(Stream.take(sql.streamQuery("SELECT * FROM t"), 1))
          expect(first.map((b) => b.numRows)).toEqual([2048])
          // A database still held would keep this waiting on the process's mutex for the file.
          yield* sql.execute("INSERT INTO t (id) VALUES (-1)").pipe(Effect.timeout("10 seconds"))
          return yield* sql.query("SELECT count(*)::INTEGER AS n FROM t")
        })
      )
      expect(rowsOf(rows)).toEqual([{ n: 5001 }])
    })
  )

  it("SqlPromise.streamQuery: for await over the batches, and break stops the query", async () => {
    await using sql = SqlPromise.local({ home: tempHome(), database: "ML", threads: 1 })
    let rows = 0
    for await (const batch of sql.streamQuery("SELECT range AS n FROM range(10000)")) rows += batch.numRows
    expect(rows).toBe(10_000)
    await sql.execute("CREATE TABLE kept AS SELECT 1 AS x")
    for await (const batch of sql.streamQuery("SELECT * FROM range(1000000)")) {
      expect(batch.numRows).toBe(2048)
      break
    }
    await sql.execute("INSERT INTO kept VALUES (2)")
    expect(rowsOf(await sql.query("SELECT sum(x)::INTEGER AS total FROM kept"))).toEqual([{ total: 3 }])
  })
})
