/**
 * The behaviour every `Sql` backend shares, as vitest tests: the local account's layer defines it and
 * the Snowflake layer (through the emulator, or a real account) must pass the same tests. Call it from a
 * test file with a layer factory; each test gets a fresh layer whose current schema has no tables (ML.PUBLIC
 * of a fresh home locally and on the emulator; a scratch schema on a real account).
 *
 * The SQL here is written to run unchanged on DuckDB and on Snowflake (no `range()`, no `GENERATOR`).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Sql, type TableSource } from "@runbatch/session"
import { ParquetCodec } from "@runbatch/stage-io"
import * as Arrow from "apache-arrow"
import { Effect, Fiber, type Layer, Stream } from "effect"
import { describe, expect, it, onTestFinished } from "vitest"

export interface SqlConformanceOptions {
  /** Names the describe block: "local", "snowflake (emulator)"… */
  readonly backend: string
  /** A fresh Sql whose current schema has no tables. */
  readonly layer: () => Layer.Layer<Sql, unknown>
  /** Per-test timeout for the large-result tests (ms). */
  readonly largeTimeout?: number
}

/** Ten digits as a table of one column N, in SQL both dialects accept. */
const DIGITS = "SELECT * FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d(N)"

/** The numbers 0 … 10^power − 1 as a column ID, from cross joins of the digits. */
export const countingQuery = (power: number): string => {
  const names = Array.from({ length: power }, (_, i) => `d${i}`)
  const id = names.map((name, i) => (i === 0 ? `${name}.N` : `${name}.N * ${10 ** i}`)).join(" + ")
  return `WITH digits AS (${DIGITS}) SELECT ${id} AS ID FROM ${names.map((name) => `digits ${name}`).join(", ")}`
}

const firstRow = (table: Arrow.Table): Record<string, unknown> => {
  const row: Record<string, unknown> = {}
  for (const field of table.schema.fields) row[field.name] = table.getChild(field.name)?.get(0)
  return row
}

/** A folder for a test's local files, removed when it ends. */
const localFolder = (): string => {
  const folder = mkdtempSync(join(tmpdir(), "runbatch-sql-files-"))
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }))
  return folder
}

/** A table's fields (name and Arrow type) and its rows, as plain values. */
const contentsOf = (table: Arrow.Table) => ({
  fields: table.schema.fields.map((field) => `${field.name}: ${field.type}`),
  rows: table.toArray().map((row) => row.toJSON())
})

export const sqlConformance = (options: SqlConformanceOptions): void => {
  const run = <A, E>(effect: Effect.Effect<A, E, Sql>): Promise<A> =>
    Effect.runPromise(Effect.scoped(effect).pipe(Effect.provide(options.layer())) as Effect.Effect<A, E>)
  const query = (text: string) => run(Sql.use((sql) => sql.query(text)))
  const failure = <A, E>(effect: Effect.Effect<A, E, Sql>) => run(Effect.flip(effect))
  const large = options.largeTimeout ?? 60_000

  describe(`Sql conformance: ${options.backend}`, () => {
    describe("types", () => {
      it("keeps 64-bit integers exact (2^53 + 1 is not 2^53)", async () => {
        const table = await query(
          "SELECT CAST(9007199254740993 AS BIGINT) AS BIG, CAST(-42 AS BIGINT) AS NEG"
        )
        expect(String(table.schema.fields[0]!.type)).toBe("Int64")
        expect(firstRow(table)).toEqual({ BIG: 9007199254740993n, NEG: -42n })
      })

      it("reads a decimal with a scale as a double, and non-finite doubles as themselves", async () => {
        const row = firstRow(
          await query(
            "SELECT CAST(12.34 AS DECIMAL(38, 2)) AS DEC, CAST('inf' AS DOUBLE) AS POS, CAST('-inf' AS DOUBLE) AS NEG, CAST('nan' AS DOUBLE) AS NOTANUMBER"
          )
        )
        expect(row["DEC"]).toBe(12.34)
        expect(row["POS"]).toBe(Number.POSITIVE_INFINITY)
        expect(row["NEG"]).toBe(Number.NEGATIVE_INFINITY)
        expect(row["NOTANUMBER"]).toBeNaN()
      })

      it("reads booleans, text beyond ASCII and NULLs", async () => {
        const row = firstRow(
          await query(
            "SELECT TRUE AS YES, FALSE AS NO, 'héllo ✓ 日本' AS TEXT, CAST(NULL AS VARCHAR) AS NOTHING"
          )
        )
        expect(row).toEqual({ YES: true, NO: false, TEXT: "héllo ✓ 日本", NOTHING: null })
      })

      it("reads dates and timestamps without a time zone as UTC instants, to the microsecond", async () => {
        const row = firstRow(
          await query(
            "SELECT DATE '2026-12-07' AS DAY, CAST('2026-12-07 10:11:12.123456' AS TIMESTAMP) AS AT"
          )
        )
        expect(row["DAY"]).toBe(Date.UTC(2026, 11, 7))
        expect(row["AT"]).toBeCloseTo(Date.UTC(2026, 11, 7, 10, 11, 12, 123) + 0.456, 3)
      })
    })

    describe("identifiers", () => {
      // Through createTable: DDL in users' SQL runs as written, and the local account's DuckDB keeps an
      // unquoted `my_points` as written (docs/snowflake.md, divergences).
      it("upper-cases unquoted table names and keeps quoted ones as written", async () => {
        const result = await run(
          Sql.use((sql) =>
            Effect.gen(function* () {
              yield* sql.createTable("my_points", { kind: "relation", relation: sql.sql(countingQuery(1)) })
              yield* sql.execute('CREATE TABLE "Mixed Case" (id BIGINT)')
              return {
                where: `${sql.context.database}.${sql.context.schema}`,
                tables: yield* sql.listTables(),
                unquoted: (yield* sql.table("MY_POINTS")).description,
                lower: (yield* sql.table("my_points")).description,
                quoted: (yield* sql.table('"Mixed Case"')).description
              }
            })
          )
        )
        expect(result.tables).toEqual([`${result.where}."Mixed Case"`, `${result.where}.MY_POINTS`])
        expect(result.unquoted).toBe(result.lower)
        expect(result.quoted).toContain("Mixed Case")
      })
    })

    describe("dropping", () => {
      it("drops a table and a view by name; a missing one is TableNotFound, or false with ifExists", async () => {
        const outcome = await run(
          Sql.use((sql) =>
            Effect.gen(function* () {
              yield* sql.execute("CREATE TABLE gone (id BIGINT)")
              yield* sql.execute("CREATE TABLE kept (id BIGINT)")
              yield* sql.execute("CREATE VIEW seen AS SELECT id FROM kept")
              const dropped = [yield* sql.dropTable("gone"), yield* sql.dropTable("SEEN")]
              const missing = yield* Effect.flip(sql.dropTable("gone"))
              const quiet = yield* sql.dropTable("gone", { ifExists: true })
              return { dropped, missing, quiet, tables: yield* sql.listTables() }
            })
          )
        )
        expect(outcome.dropped).toEqual([true, true])
        expect(outcome.missing).toMatchObject({ _tag: "TableNotFound" })
        expect(outcome.quiet).toBe(false)
        // The local account keeps users' own unquoted DDL names as written (docs/snowflake.md).
        expect(outcome.tables.map((t) => t.split(".").at(-1)?.replace(/"/g, "").toUpperCase())).toEqual([
          "KEPT"
        ])
      })
    })

    describe("errors", () => {
      it("names a missing table: TableNotFound from table(), SqlError from a query", async () => {
        const missing = await failure(Sql.use((sql) => sql.table("NO_SUCH_TABLE")))
        expect(missing).toMatchObject({ _tag: "TableNotFound" })
        const queried = await failure(Sql.use((sql) => sql.query("SELECT * FROM NO_SUCH_TABLE")))
        expect(queried).toMatchObject({ _tag: "SqlError" })
        expect((queried as Error).message).toMatch(/NO_SUCH_TABLE/i)
      })

      it("fails a syntax error with SqlError, quoting the statement", async () => {
        const error = await failure(Sql.use((sql) => sql.query("SELEC 1")))
        expect(error).toMatchObject({ _tag: "SqlError" })
        expect((error as Error).message).toContain("SELEC")
      })
    })

    describe("tables from local files", () => {
      const createAndRead = (source: TableSource, order: string) =>
        run(
          Sql.use((sql) =>
            Effect.gen(function* () {
              const created = yield* sql.createTable("from_file", source)
              const table = yield* sql.query(`SELECT * FROM from_file ORDER BY ${order}`)
              return { created, ...contentsOf(table) }
            })
          )
        )

      it("creates a table from a parquet file, keeping its column names and types", async () => {
        const path = join(localFolder(), "rows.parquet")
        const table = new Arrow.Table({
          ID: Arrow.vectorFromArray([1n, 2n], new Arrow.Int64()),
          Score: Arrow.vectorFromArray([0.5, null], new Arrow.Float64()),
          LABEL: Arrow.vectorFromArray(["héllo ✓", null], new Arrow.Utf8())
        })
        writeFileSync(path, ParquetCodec.encode(table))
        expect(await createAndRead({ kind: "parquet", paths: [path] }, "ID")).toEqual({
          created: { table: "ML.PUBLIC.FROM_FILE", rows: 2 },
          fields: ["ID: Int64", "Score: Float64", "LABEL: Utf8"],
          rows: [
            { ID: 1n, Score: 0.5, LABEL: "héllo ✓" },
            { ID: 2n, Score: null, LABEL: null }
          ]
        })
      })

      it("creates a table from a CSV file read with its options", async () => {
        const path = join(localFolder(), "rows.csv")
        writeFileSync(path, "id;price;label\n1;4,5;NA\n2;3,25;b\n")
        const source: TableSource = {
          kind: "csv",
          path,
          options: { delimiter: ";", decimalComma: true, nullStrings: "NA" }
        }
        expect(await createAndRead(source, '"id"')).toEqual({
          created: { table: "ML.PUBLIC.FROM_FILE", rows: 2 },
          fields: ["id: Int64", "price: Float64", "label: Utf8"],
          rows: [
            { id: 1n, price: 4.5, label: null },
            { id: 2n, price: 3.25, label: "b" }
          ]
        })
      })
    })

    describe("statements and results", () => {
      it("runs DDL and DML with execute, and sees their rows in a query", async () => {
        const table = await run(
          Sql.use((sql) =>
            Effect.gen(function* () {
              yield* sql.execute("CREATE TABLE counts (id BIGINT, label VARCHAR)")
              yield* sql.execute("INSERT INTO counts VALUES (1, 'one'), (2, 'two'), (3, NULL)")
              return yield* sql.query(
                "SELECT COUNT(*) AS N, COUNT(label) AS LABELLED, SUM(id) AS TOTAL FROM counts"
              )
            })
          )
        )
        const row = firstRow(table)
        expect(Number(row["N"])).toBe(3)
        expect(Number(row["LABELLED"])).toBe(2)
        expect(Number(row["TOTAL"])).toBe(6)
      })

      it("keeps the columns of a result of no rows", async () => {
        const table = await query(
          `SELECT ID, CAST(ID AS VARCHAR) AS LABEL FROM (${countingQuery(1)}) t WHERE ID < 0`
        )
        expect(table.numRows).toBe(0)
        expect(table.schema.fields.map((field) => field.name)).toEqual(["ID", "LABEL"])
      })

      it(
        "streams a million rows in bounded batches, every row once",
        async () => {
          const summary = await run(
            Sql.use((sql) =>
              Stream.runFold(
                sql.streamQuery(
                  `SELECT ID, 'row ' || CAST(ID AS VARCHAR) AS LABEL FROM (${countingQuery(6)}) t`
                ),
                () => ({ rows: 0, batches: 0, largest: 0, sum: 0n, labels: 0 }),
                (acc, batch) => {
                  const ids = batch.getChild("ID")!
                  const labels = batch.getChild("LABEL")!
                  let sum = acc.sum
                  let labelled = acc.labels
                  for (let i = 0; i < batch.numRows; i++) {
                    sum += BigInt(ids.get(i) as bigint | number)
                    if (labels.get(i) === `row ${ids.get(i)}`) labelled++
                  }
                  return {
                    rows: acc.rows + batch.numRows,
                    batches: acc.batches + 1,
                    largest: Math.max(acc.largest, batch.numRows),
                    sum,
                    labels: labelled
                  }
                }
              )
            )
          )
          expect(summary.rows).toBe(1_000_000)
          expect(summary.sum).toBe(499_999_500_000n)
          expect(summary.labels).toBe(1_000_000)
          expect(summary.batches).toBeGreaterThan(1)
          expect(summary.largest).toBeLessThanOrEqual(131_072)
        },
        large
      )

      it("stops a stream at its limit", async () => {
        const rows = await run(
          Sql.use((sql) =>
            Stream.runFold(
              sql.streamQuery(`SELECT ID FROM (${countingQuery(4)}) t ORDER BY ID`, { limit: 2_500 }),
              () => 0,
              (n, batch) => n + batch.numRows
            )
          )
        )
        expect(rows).toBe(2_500)
      })

      // Ten billion rows: it runs for minutes unless the interruption stops it.
      it("cancels a running query when it is interrupted, and the session goes on", async () => {
        const outcome = await run(
          Sql.use((sql) =>
            Effect.gen(function* () {
              const long = yield* Effect.forkChild(
                sql.query(`SELECT COUNT(*) AS N FROM (${countingQuery(10)}) t`)
              )
              yield* Effect.sleep("500 millis")
              const started = Date.now()
              yield* Fiber.interrupt(long)
              const stoppedAfter = Date.now() - started
              const after = yield* sql.query("SELECT 1 AS ONE")
              return { stoppedAfter, one: Number(after.getChild("ONE")?.get(0)) }
            })
          )
        )
        // A bound on liveness, not speed: without a cancel the query would run on for minutes.
        expect(outcome.stoppedAfter).toBeLessThan(20_000)
        expect(outcome.one).toBe(1)
      }, 60_000)
    })
  })
}
