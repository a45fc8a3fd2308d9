import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { describe, expect, it } from "@effect/vitest"
import { InvalidSpec } from "@runbatch/spec"
import { Effect } from "effect"
import { type CsvOptions, Sql, SqlPromise } from "../src/index.ts"
import { rowsOf, tempHome, withSql } from "./support.ts"

const file = (home: string, name: string, content: string | Buffer): string => {
  const path = join(home, name)
  writeFileSync(path, content)
  return path
}

/** Creates table T from the file and returns its column types and rows. */
const load = (home: string, path: string, options?: CsvOptions) =>
  withSql(
    home,
    Effect.gen(function* () {
      const sql = yield* Sql
      const created = yield* sql.createTable("t", { kind: "csv", path, ...(options ? { options } : {}) })
      const types = rowsOf(yield* sql.query("SELECT column_name, column_type FROM (DESCRIBE T)"))
      const rows = rowsOf(yield* sql.query("SELECT * FROM T ORDER BY 1"))
      return { created, types: types.map((t) => `${t["column_name"]} ${t["column_type"]}`), rows }
    })
  )

const NA_CSV = "id,score\n1,4.5\n2,NA\n3,3.25\n"

describe("createTable: CSV options", () => {
  it.effect("NA values are text unless --null-string NA, then the column is numeric", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const plain = yield* load(home, file(home, "na.csv", NA_CSV))
      expect(plain.types).toEqual(["id BIGINT", "score VARCHAR"])
      const home2 = tempHome()
      const nulls = yield* load(home2, file(home2, "na.csv", NA_CSV), { nullStrings: "NA" })
      expect(nulls.types).toEqual(["id BIGINT", "score DOUBLE"])
      expect(nulls.rows).toEqual([
        { id: 1n, score: 4.5 },
        { id: 2n, score: null },
        { id: 3n, score: 3.25 }
      ])
    })
  )

  it.effect("several null strings, an empty field still NULL", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const path = file(home, "na.csv", "id,score\n1,n/a\n2,NA\n3,\n4,7\n")
      const result = yield* load(home, path, { nullStrings: ["NA", "n/a"] })
      expect(result.types).toEqual(["id BIGINT", "score BIGINT"])
      expect(result.rows.map((r) => r["score"])).toEqual([null, null, null, 7n])
    })
  )

  it.effect("a gzip-compressed .csv.gz", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const result = yield* load(home, file(home, "na.csv.gz", gzipSync(NA_CSV)), { nullStrings: "NA" })
      expect(result.created.rows).toBe(3)
      expect(result.types).toEqual(["id BIGINT", "score DOUBLE"])
    })
  )

  it.effect("a .tsv is tab-delimited, even with commas in its fields", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const result = yield* load(home, file(home, "wines.tsv", "id\tname\n1\tmerlot, 2019\n2\tsyrah, 2020\n"))
      expect(result.types).toEqual(["id BIGINT", "name VARCHAR"])
      expect(result.rows).toEqual([
        { id: 1n, name: "merlot, 2019" },
        { id: 2n, name: "syrah, 2020" }
      ])
    })
  )

  it.effect("a decimal comma with a semicolon delimiter", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const path = file(home, "eu.csv", "id;score\n1;4,5\n2;3,25\n")
      const result = yield* load(home, path, { delimiter: ";", decimalComma: true })
      expect(result.types).toEqual(["id BIGINT", "score DOUBLE"])
      expect(result.rows.map((r) => r["score"])).toEqual([4.5, 3.25])
    })
  )

  it.effect("a file without a header line: header false keeps its first line as data", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const result = yield* load(home, file(home, "raw.csv", "1,2\n3,4\n"), { header: false })
      expect(result.created.rows).toBe(2)
      expect(result.rows).toEqual([
        { column0: 1n, column1: 2n },
        { column0: 3n, column1: 4n }
      ])
    })
  )

  it.effect("header true takes the first line as names although every line looks the same", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const result = yield* load(home, file(home, "words.csv", "a,b\nc,d\n"), { header: true })
      expect(result.rows).toEqual([{ a: "c", b: "d" }])
    })
  )

  it.effect("bad options are InvalidSpec naming each, before the file is read", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const error = yield* withSql(
        home,
        Sql.use((sql) =>
          Effect.flip(
            sql.createTable("t", {
              kind: "csv",
              path: join(home, "nope.csv"),
              options: { delimiter: ",,", decimalComma: true }
            })
          )
        )
      )
      expect(error).toBeInstanceOf(InvalidSpec)
      expect(error.message).toContain('delimiter: must be one character, got ",,"')
      const comma = yield* withSql(
        home,
        Sql.use((sql) =>
          Effect.flip(
            sql.createTable("t", {
              kind: "csv",
              path: join(home, "nope.csv"),
              options: { delimiter: ",", decimalComma: true }
            })
          )
        )
      )
      expect(comma.message).toContain("a decimal comma needs another delimiter than the comma")
    })
  )

  it("the Promise face takes the same options", async () => {
    const home = tempHome()
    const path = file(home, "na.csv", NA_CSV)
    await using sql = SqlPromise.local({ home, database: "ML", threads: 1 })
    expect(await sql.createTable("t", { kind: "csv", path, options: { nullStrings: ["NA"] } })).toEqual({
      table: "ML.PUBLIC.T",
      rows: 3
    })
    expect(
      (await (await sql.table("t")).schema()).map((f) => `${f.name} ${"dtype" in f ? f.dtype : "group"}`)
    ).toEqual(["id INT64", "score DOUBLE"])
  })
})
