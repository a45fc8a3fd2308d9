import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import {
  CaseCollision,
  InvalidIdentifier,
  LocalFileError,
  LocalLayout,
  SqlError,
  TableExists,
  TableNotFound
} from "@runbatch/spec"
import * as Arrow from "apache-arrow"
import { Effect } from "effect"
import { Sql } from "../src/index.ts"
import { DATABASE, duckRows, rowsOf, sqlPath, tempHome, withSql, writeArrowParquet } from "./support.ts"

const csv = (home: string, name: string, text: string): string => {
  const path = join(home, name)
  writeFileSync(path, text)
  return path
}

const WINES = "id,name,score\n1,merlot,4.5\n2,syrah,3.25\n3,gamay,4\n"

describe("Sql (embedded account)", () => {
  describe("Snowflake identifiers", () => {
    it.effect("an unquoted name is stored upper-cased and found in any case", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "wines.csv", WINES)
        const result = yield* withSql(
          home,
          Effect.gen(function* () {
            const sql = yield* Sql
            const created = yield* sql.createTable("my_table", { kind: "csv", path })
            return {
              created,
              tables: yield* sql.listTables(),
              exact: yield* Effect.flatMap(sql.table("MY_TABLE"), (t) => t.count),
              mixed: yield* Effect.map(sql.table("My_Table"), (t) => t.description),
              viaSql: rowsOf(yield* sql.query("SELECT count(*)::INTEGER AS n FROM my_table"))
            }
          })
        )
        expect(result.created).toEqual({ table: "ML.PUBLIC.MY_TABLE", rows: 3 })
        expect(result.tables).toEqual(["ML.PUBLIC.MY_TABLE"])
        expect(result.exact).toBe(3)
        expect(result.mixed).toBe("table ML.PUBLIC.MY_TABLE")
        expect(result.viaSql).toEqual([{ n: 3 }])
      })
    )

    it.effect('a quoted name keeps its case and spaces ("My Table")', () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "wines.csv", WINES)
        const result = yield* withSql(
          home,
          Effect.gen(function* () {
            const sql = yield* Sql
            const created = yield* sql.createTable('"My Table"', { kind: "csv", path })
            const table = yield* sql.table('"My Table"')
            return {
              created,
              tables: yield* sql.listTables(),
              sqlText: table.sql,
              rows: rowsOf(yield* sql.query('SELECT count(*)::INTEGER AS n FROM "My Table"')),
              unquoted: yield* Effect.flip(sql.table("My Table"))
            }
          })
        )
        expect(result.created.table).toBe('ML.PUBLIC."My Table"')
        expect(result.tables).toEqual(['ML.PUBLIC."My Table"'])
        expect(result.sqlText).toBe('SELECT * FROM "ML"."PUBLIC"."My Table"')
        expect(result.rows).toEqual([{ n: 3 }])
        expect(result.unquoted).toBeInstanceOf(InvalidIdentifier)
      })
    )

    it.effect("qualified names reach other databases and schemas, created on first use", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "wines.csv", WINES)
        const result = yield* withSql(
          home,
          Effect.gen(function* () {
            const sql = yield* Sql
            const created = yield* sql.createTable("other.sales.wines", { kind: "csv", path })
            return {
              created,
              inOther: yield* sql.listTables("OTHER.SALES"),
              inCurrentDb: yield* sql.listTables("SALES"),
              count: yield* Effect.flatMap(sql.table("Other.Sales.Wines"), (t) => t.count),
              missingInCurrent: yield* Effect.flip(sql.table("sales.wines")),
              joined: rowsOf(yield* sql.query("SELECT count(*)::INTEGER AS n FROM other.sales.wines"))
            }
          })
        )
        expect(result.created).toEqual({ table: "OTHER.SALES.WINES", rows: 3 })
        expect(existsSync(LocalLayout.databaseFile(home, "OTHER"))).toBe(true)
        expect(existsSync(LocalLayout.databaseFile(home, DATABASE))).toBe(false)
        expect(result.inOther).toEqual(["OTHER.SALES.WINES"])
        expect(result.inCurrentDb).toEqual([])
        expect(result.count).toBe(3)
        expect(result.missingInCurrent).toBeInstanceOf(TableNotFound)
        expect(result.missingInCurrent).toMatchObject({ table: "ML.SALES.WINES" })
        expect(result.joined).toEqual([{ n: 3 }])
      })
    )

    it.effect("unqualified names resolve against the session's current database and schema", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "wines.csv", WINES)
        yield* withSql(
          home,
          Sql.use((sql) => sql.createTable("wines", { kind: "csv", path })),
          {
            database: "SHOP",
            schema: "STAGING"
          }
        )
        const fromShop = yield* withSql(
          home,
          Sql.use((sql) =>
            Effect.all({
              table: Effect.flatMap(sql.table("wines"), (t) => t.count),
              query: Effect.map(sql.query("SELECT count(*)::INTEGER AS n FROM wines"), rowsOf),
              context: Effect.succeed(sql.context)
            })
          ),
          { database: "SHOP", schema: "STAGING" }
        )
        expect(fromShop).toEqual({
          table: 3,
          query: [{ n: 3 }],
          context: { database: "SHOP", schema: "STAGING" }
        })
        const fromElsewhere = yield* withSql(
          home,
          Sql.use((sql) => Effect.flip(sql.table("wines")))
        )
        expect(fromElsewhere).toMatchObject({ _tag: "TableNotFound", table: "ML.PUBLIC.WINES" })
        const qualified = yield* withSql(
          home,
          Sql.use((sql) => Effect.flatMap(sql.table("SHOP.STAGING.WINES"), (t) => t.count))
        )
        expect(qualified).toBe(3)
      })
    )

    it.effect("a name holding quotes, semicolons or SQL cannot change the statement", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "wines.csv", WINES)
        const nasty = 'x"; DROP TABLE victim; --'
        const result = yield* withSql(
          home,
          Effect.gen(function* () {
            const sql = yield* Sql
            yield* sql.createTable("victim", { kind: "csv", path })
            const created = yield* sql.createTable(`"${nasty.replace(/"/g, '""')}"`, { kind: "csv", path })
            const table = yield* sql.table(`"${nasty.replace(/"/g, '""')}"`)
            return {
              created,
              count: yield* table.count,
              tables: yield* sql.listTables(),
              bare: yield* Effect.flip(sql.createTable("t; DROP TABLE victim", { kind: "csv", path }))
            }
          })
        )
        expect(result.created.table).toBe(`ML.PUBLIC."x""; DROP TABLE victim; --"`)
        expect(result.count).toBe(3)
        expect(result.tables).toEqual([`ML.PUBLIC."x""; DROP TABLE victim; --"`, "ML.PUBLIC.VICTIM"])
        expect(result.bare).toBeInstanceOf(InvalidIdentifier)
      })
    )

    it.effect("a local file path with a quote is passed safely", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "o'brien; DROP.csv", WINES)
        const created = yield* withSql(
          home,
          Sql.use((sql) => sql.createTable("wines", { kind: "csv", path }))
        )
        expect(created.rows).toBe(3)
      })
    )
  })

  describe("first use", () => {
    it.effect("execute creates the current database and schema; a read creates nothing", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const answer = yield* withSql(
          home,
          Sql.use((sql) => sql.query("SELECT 42 AS answer"))
        )
        expect(rowsOf(answer)).toEqual([{ answer: 42 }])
        expect(existsSync(LocalLayout.warehouseDir(home))).toBe(false)
        const missing = yield* withSql(
          home,
          Sql.use((sql) => Effect.flip(sql.query("SELECT * FROM events")))
        )
        expect(missing).toBeInstanceOf(SqlError)
        expect(missing.message).toContain("events")
        // Refused (an unknown table: the statement is at fault) versus failed while running.
        expect(missing).toMatchObject({ _tag: "SqlError", refused: true })
        const overflow = yield* withSql(
          home,
          Sql.use((sql) => Effect.flip(sql.query("SELECT 3::TINYINT * 100::TINYINT AS n")))
        )
        expect(overflow).toMatchObject({ _tag: "SqlError", refused: false })
        yield* withSql(
          home,
          Sql.use((sql) =>
            sql.execute("CREATE TABLE events (id INTEGER); INSERT INTO events VALUES (1), (2);")
          )
        )
        expect(readdirSync(LocalLayout.warehouseDir(home))).toContain("ML.duckdb")
        const rows = yield* Effect.promise(() =>
          duckRows(
            `ATTACH ${sqlPath(LocalLayout.databaseFile(home, DATABASE))} AS db (READ_ONLY); SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'db'`
          )
        )
        expect(rows).toEqual([{ schema_name: "PUBLIC", table_name: "events" }])
      })
    )

    it.effect("execute writes to another existing database it names", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "wines.csv", WINES)
        const count = yield* withSql(
          home,
          Effect.gen(function* () {
            const sql = yield* Sql
            yield* sql.createTable("SHOP.PUBLIC.WINES", { kind: "csv", path })
            yield* sql.execute("INSERT INTO shop.public.wines VALUES (4, 'malbec', 3.5)")
            return yield* Effect.flatMap(sql.table("SHOP.PUBLIC.WINES"), (t) => t.count)
          })
        )
        expect(count).toBe(4)
      })
    )
  })

  describe("DuckDB settings", () => {
    it.effect("threads are set per session; extensions are never installed or loaded on demand", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const settings = yield* withSql(
          home,
          Sql.use((sql) =>
            sql.query(
              "SELECT current_setting('threads')::INTEGER AS threads, current_setting('autoinstall_known_extensions') AS install, current_setting('autoload_known_extensions') AS load"
            )
          ),
          { threads: 1 }
        )
        expect(rowsOf(settings)).toEqual([{ threads: 1, install: false, load: false }])
      })
    )

    it.effect("query reads: its databases are attached read-only", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const error = yield* withSql(
          home,
          Effect.gen(function* () {
            const sql = yield* Sql
            yield* sql.execute("CREATE TABLE t (x INTEGER)")
            return yield* Effect.flip(sql.query("INSERT INTO t VALUES (1)"))
          })
        )
        expect(error).toBeInstanceOf(SqlError)
        expect(error.message).toMatch(/read-only/i)
      })
    )
  })

  describe("createTable", () => {
    it.effect("from parquet files, with DuckDB's types", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const a = join(home, "a.parquet")
        const b = join(home, "b.parquet")
        yield* Effect.promise(() =>
          duckRows(
            `COPY (SELECT range::INTEGER AS id, range * 1.5 AS x FROM range(3)) TO ${sqlPath(a)} (FORMAT parquet);
             COPY (SELECT (range + 3)::INTEGER AS id, range * 1.5 AS x FROM range(2)) TO ${sqlPath(b)} (FORMAT parquet)`
          )
        )
        const result = yield* withSql(
          home,
          Effect.gen(function* () {
            const sql = yield* Sql
            const created = yield* sql.createTable("points", { kind: "parquet", paths: [a, b] })
            const table = yield* sql.table("points")
            return { created, schema: yield* table.schema }
          })
        )
        expect(result.created).toEqual({ table: "ML.PUBLIC.POINTS", rows: 5 })
        expect(result.schema.map((f) => [f.name, "dtype" in f ? f.dtype : "group"])).toEqual([
          ["id", "INT32"],
          ["x", "DOUBLE"]
        ])
      })
    )

    it.effect("mode error refuses an existing table; mode replace replaces it", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "wines.csv", WINES)
        const shorter = csv(home, "short.csv", "id,name,score\n9,cab,5\n")
        const result = yield* withSql(
          home,
          Effect.gen(function* () {
            const sql = yield* Sql
            yield* sql.createTable("wines", { kind: "csv", path })
            const refused = yield* Effect.flip(sql.createTable("WINES", { kind: "csv", path: shorter }))
            const kept = yield* Effect.flatMap(sql.table("wines"), (t) => t.count)
            const replaced = yield* sql.createTable(
              "wines",
              { kind: "csv", path: shorter },
              { mode: "replace" }
            )
            return { refused, kept, replaced }
          })
        )
        expect(result.refused).toBeInstanceOf(TableExists)
        expect(result.refused.message).toContain("The table ML.PUBLIC.WINES already exists")
        expect(result.kept).toBe(3)
        expect(result.replaced).toEqual({ table: "ML.PUBLIC.WINES", rows: 1 })
      })
    )

    it.effect("from a relation of another database", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "wines.csv", WINES)
        const result = yield* withSql(
          home,
          Effect.gen(function* () {
            const sql = yield* Sql
            yield* sql.createTable("RAW.PUBLIC.WINES", { kind: "csv", path })
            const good = sql.sql("SELECT id, name FROM raw.public.wines WHERE score >= 4")
            const created = yield* sql.createTable("good_wines", { kind: "relation", relation: good })
            return {
              created,
              rows: rowsOf(yield* Effect.flatMap(sql.table("good_wines"), (t) => t.collect()))
            }
          })
        )
        expect(result.created).toEqual({ table: "ML.PUBLIC.GOOD_WINES", rows: 2 })
        expect(result.rows).toEqual([
          { id: 1n, name: "merlot" },
          { id: 3n, name: "gamay" }
        ])
      })
    )

    it.effect("a missing or folder source is a LocalFileError", () =>
      Effect.gen(function* () {
        const home = tempHome()
        mkdirSync(join(home, "folder"))
        const errors = yield* withSql(
          home,
          Sql.use((sql) =>
            Effect.all([
              Effect.flip(sql.createTable("t", { kind: "csv", path: join(home, "nope.csv") })),
              Effect.flip(sql.createTable("t", { kind: "parquet", paths: [join(home, "nope.parquet")] })),
              Effect.flip(sql.createTable("t", { kind: "parquet", paths: [join(home, "folder")] }))
            ])
          )
        )
        for (const error of errors) expect(error).toBeInstanceOf(LocalFileError)
        expect(errors[0]).toMatchObject({ path: join(home, "nope.csv"), reason: "it does not exist." })
        expect(errors[2]!.message).toContain("folder")
        expect(existsSync(LocalLayout.warehouseDir(home))).toBe(false)
      })
    )

    it.effect("DuckDB's reserved catalog names cannot be databases", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "wines.csv", WINES)
        const error = yield* withSql(
          home,
          Sql.use((sql) => Effect.flip(sql.createTable("temp.public.t", { kind: "csv", path })))
        )
        expect(error).toBeInstanceOf(SqlError)
        expect(error.message).toContain("reserves the database name TEMP")
      })
    )
  })

  describe("names that differ only by case are refused", () => {
    it.effect("a CSV header a,A", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "dup.csv", "id,a,A\n1,2,3\n")
        const error = yield* withSql(
          home,
          Sql.use((sql) => Effect.flip(sql.createTable("t", { kind: "csv", path })))
        )
        expect(error).toBeInstanceOf(CaseCollision)
        expect(error).toMatchObject({ what: "column", names: ["a", "A"], source: `The CSV file ${path}` })
        expect(existsSync(LocalLayout.warehouseDir(home))).toBe(false)
      })
    )

    it.effect("a quoted CSV header with another delimiter", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "dup.csv", '"Wine Name";"wine name";x\n"a";"b";1\n')
        const error = yield* withSql(
          home,
          Sql.use((sql) => Effect.flip(sql.createTable("t", { kind: "csv", path })))
        )
        expect(error).toMatchObject({ _tag: "CaseCollision", names: ["Wine Name", "wine name"] })
        const fine = csv(home, "fine.csv", '"Wine Name";"x";y\n"a";"b";1\n')
        const created = yield* withSql(
          home,
          Sql.use((sql) => sql.createTable("t", { kind: "csv", path: fine }))
        )
        expect(created.rows).toBe(1)
      })
    )

    it.effect("a parquet file with columns a and A", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = join(home, "dup.parquet")
        writeFileSync(
          path,
          writeArrowParquet(
            new Arrow.Table({
              a: Arrow.vectorFromArray([1, 2], new Arrow.Int32()),
              A: Arrow.vectorFromArray([3, 4], new Arrow.Int32())
            })
          )
        )
        // DuckDB alone would read it as a, A_1.
        expect(
          Object.keys(
            (yield* Effect.promise(() => duckRows(`SELECT * FROM read_parquet(${sqlPath(path)})`)))[0]!
          )
        ).toEqual(["a", "A_1"])
        const error = yield* withSql(
          home,
          Sql.use((sql) => Effect.flip(sql.createTable("t", { kind: "parquet", paths: [path] })))
        )
        expect(error).toMatchObject({ _tag: "CaseCollision", what: "column", names: ["a", "A"] })
      })
    )

    it.effect('tables "t" and T (unquoted t is T)', () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "wines.csv", WINES)
        const result = yield* withSql(
          home,
          Effect.gen(function* () {
            const sql = yield* Sql
            yield* sql.createTable("t", { kind: "csv", path })
            return {
              errorMode: yield* Effect.flip(sql.createTable('"t"', { kind: "csv", path })),
              replaceMode: yield* Effect.flip(
                sql.createTable('"t"', { kind: "csv", path }, { mode: "replace" })
              ),
              tables: yield* sql.listTables(),
              // Lookups ignore case, as DuckDB's do: there is only ever one of them.
              lookup: yield* Effect.map(sql.table('"t"'), (t) => t.description)
            }
          })
        )
        expect(result.errorMode).toBeInstanceOf(CaseCollision)
        expect(result.errorMode).toMatchObject({
          what: "table",
          names: ["T", "t"],
          source: "The schema ML.PUBLIC"
        })
        expect(result.replaceMode).toBeInstanceOf(CaseCollision)
        expect(result.tables).toEqual(["ML.PUBLIC.T"])
        expect(result.lookup).toBe("table ML.PUBLIC.T")
      })
    )

    it.effect("schemas and databases", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "wines.csv", WINES)
        const result = yield* withSql(
          home,
          Effect.gen(function* () {
            const sql = yield* Sql
            yield* sql.createTable("t", { kind: "csv", path })
            return {
              schema: yield* Effect.flip(sql.createTable('ML."public".t2', { kind: "csv", path })),
              database: yield* Effect.flip(sql.createTable('"ml".PUBLIC.t2', { kind: "csv", path }))
            }
          })
        )
        expect(result.schema).toMatchObject({
          _tag: "CaseCollision",
          what: "schema",
          names: ["PUBLIC", "public"]
        })
        expect(result.database).toMatchObject({
          _tag: "CaseCollision",
          what: "database",
          names: ["ML", "ml"]
        })
        expect(readdirSync(LocalLayout.warehouseDir(home))).toEqual(["ML.duckdb"])
      })
    )

    it.effect("a query whose columns differ only by case, before anything is written", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const error = yield* withSql(
          home,
          Sql.use((sql) => Effect.flip(sql.sql('SELECT 1 AS a, 2 AS "A"').schema))
        )
        expect(error).toMatchObject({
          _tag: "CaseCollision",
          what: "column",
          names: ["a", "A"],
          source: "The query"
        })
      })
    )
  })

  describe("lookups", () => {
    it.effect("TableNotFound suggests close names", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = csv(home, "wines.csv", WINES)
        const error = yield* withSql(
          home,
          Effect.gen(function* () {
            const sql = yield* Sql
            yield* sql.createTable("wines", { kind: "csv", path })
            return yield* Effect.flip(sql.table("wine"))
          })
        )
        expect(error).toBeInstanceOf(TableNotFound)
        expect(error).toMatchObject({ table: "ML.PUBLIC.WINE", closest: ["ML.PUBLIC.WINES"] })
      })
    )

    it.effect("views are tables for table(); listTables lists tables only, sorted", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const result = yield* withSql(
          home,
          Effect.gen(function* () {
            const sql = yield* Sql
            yield* sql.execute(
              'CREATE TABLE "B" AS SELECT 1 AS x; CREATE TABLE "A" AS SELECT 2 AS x; CREATE VIEW "V" AS SELECT * FROM "A"'
            )
            return {
              tables: yield* sql.listTables(),
              view: yield* Effect.flatMap(sql.table("v"), (t) => t.collect())
            }
          })
        )
        expect(result.tables).toEqual(["ML.PUBLIC.A", "ML.PUBLIC.B"])
        expect(rowsOf(result.view)).toEqual([{ x: 2 }])
      })
    )

    it.effect("listTables refuses a three-part schema name", () =>
      Effect.gen(function* () {
        const home = tempHome()
        const error = yield* withSql(
          home,
          Sql.use((sql) => Effect.flip(sql.listTables("A.B.C")))
        )
        expect(error).toBeInstanceOf(InvalidIdentifier)
      })
    )
  })
})
