import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { SqlError } from "@runbatch/spec"
import { Effect } from "effect"
import { Sql } from "../src/index.ts"
import { tempHome, withSql } from "./support.ts"

describe("SQL naming a table that does not exist", () => {
  it.effect(
    "says where it was looked for, the account's close table names, and how to choose the database",
    () =>
      Effect.gen(function* () {
        const home = tempHome()
        const path = join(home, "p.csv")
        writeFileSync(path, "x\n1\n")
        const [unqualified, execute, qualified, far] = yield* withSql(
          home,
          Effect.gen(function* () {
            const sql = yield* Sql
            yield* sql.createTable("SHOP.PUBLIC.POINTS", { kind: "csv", path })
            yield* sql.createTable("SHOP.RAW.POINT", { kind: "csv", path })
            return [
              yield* Effect.flip(sql.query("SELECT * FROM points")),
              yield* Effect.flip(sql.execute("INSERT INTO points VALUES (2)")),
              yield* Effect.flip(sql.query("SELECT * FROM raw.points")),
              yield* Effect.flip(sql.query("SELECT * FROM zzzzzzzz"))
            ] as const
          })
        )
        expect(unqualified).toBeInstanceOf(SqlError)
        expect((unqualified as SqlError).refused).toBe(true)
        expect(unqualified.message).toContain(
          "The table POINTS does not exist in ML.PUBLIC (the current database and schema). Tables of the account with a close name: SHOP.PUBLIC.POINTS, SHOP.RAW.POINT. Choose the database with the session's database option, or qualify the name (DATABASE.SCHEMA.POINTS)."
        )
        expect(unqualified.message).not.toContain("pg_")
        expect(execute.message).toContain("does not exist in ML.PUBLIC")
        expect(qualified.message).toContain("The table POINTS does not exist in ML.RAW.")
        expect(far.message).toContain("No table of the account has a close name.")
      })
  )

  it.effect("a job's query (a relation) is told the same: its schema, count and materialise", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const path = join(home, "p.csv")
      writeFileSync(path, "x\n1\n")
      const errors = yield* withSql(
        home,
        Effect.gen(function* () {
          const sql = yield* Sql
          yield* sql.createTable("ML.PUBLIC.POINTS", { kind: "csv", path })
          const relation = sql.sql("SELECT x FROM pointz")
          return [yield* Effect.flip(relation.schema), yield* Effect.flip(relation.count)] as const
        })
      )
      for (const error of errors) {
        expect(error.message).toContain("The table POINTZ does not exist in ML.PUBLIC")
        expect(error.message).toContain("ML.PUBLIC.POINTS")
        expect(error.message).not.toContain("pg_")
      }
    })
  )

  it.effect("other SQL errors are DuckDB's own", () =>
    Effect.gen(function* () {
      const error = yield* withSql(
        tempHome(),
        Sql.use((sql) => Effect.flip(sql.query("SELEC 1")))
      )
      expect(error.message).toContain("syntax error")
    })
  )
})
