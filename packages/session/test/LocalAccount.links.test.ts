/**
 * The embedded account follows no symbolic link below its home (LocalHome's rule), in what the
 * session itself reads and writes: materialising a relation onto a stage, reading parquet files off a
 * stage, and the DuckDB files of `warehouse/`. Each link points to a real copy of what it stands for in
 * a folder outside the home, which must stay exactly as it was. The home itself may be a link.
 */
import { createHash } from "node:crypto"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalLayout, SqlError, StageFileError } from "@runbatch/spec"
import { Effect } from "effect"
import { onTestFinished } from "vitest"
import { Sql } from "../src/index.ts"
import { sqlPath, stage, tempHome, withSql } from "./support.ts"

const outsideDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "runbatch-outside-"))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Every file under `dir` (following no links) with its sha256. */
const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name)
        return [relative(dir, path), createHash("sha256").update(readFileSync(path)).digest("hex")]
      })
  )

/** `home/<parts>` made a link to `outside/<parts>`. */
const link = (home: string, outside: string, parts: ReadonlyArray<string>) => {
  const path = join(home, ...parts)
  mkdirSync(dirname(path), { recursive: true })
  symlinkSync(join(outside, ...parts), path)
}

const STAGE = ["stages", "ML", "PUBLIC", "S"] as const

describe.each([
  { level: "the home's stages/ folder", depth: 1 },
  { level: "the database folder", depth: 2 },
  { level: "the schema folder", depth: 3 },
  { level: "the stage folder", depth: 4 }
])("a symbolic link out of the home at $level", ({ depth }) => {
  it.effect("materialising onto the stage and reading parquet off it are refused", () =>
    Effect.gen(function* () {
      const outside = outsideDir()
      // A real stage outside: one parquet file under @ML.PUBLIC.S/data/.
      const data = join(outside, ...STAGE, "data")
      mkdirSync(data, { recursive: true })
      yield* withSql(
        outside,
        Sql.use((sql) =>
          sql.execute(`COPY (SELECT 'outside' AS W) TO ${sqlPath(join(data, "x.parquet"))} (FORMAT parquet)`)
        )
      )
      const home = tempHome()
      link(home, outside, STAGE.slice(0, depth))
      const before = snapshot(outside)
      const [materialized, read] = yield* withSql(
        home,
        Sql.use((sql) =>
          Effect.all([
            Effect.flip(
              Effect.flatMap(stage("@ML.PUBLIC.S/input/"), (location) =>
                sql.sql("SELECT 1 AS x").materialize(location, { targetShards: 1 })
              )
            ),
            Effect.flip(sql.readParquet("@ML.PUBLIC.S/data/"))
          ])
        )
      )
      for (const error of [materialized, read]) {
        expect(error).toBeInstanceOf(StageFileError)
        expect(error).toMatchObject({ problem: "escapes_stage" })
        expect(error.message).toContain(`${STAGE.slice(0, depth).join("/")} is a symbolic link`)
      }
      expect(snapshot(outside)).toStrictEqual(before)
    })
  )
})

describe("the warehouse", () => {
  /** A database ML with a table T outside the home, as the account writes one. */
  const outsideDatabase = () =>
    Effect.gen(function* () {
      const outside = outsideDir()
      yield* withSql(
        outside,
        Sql.use((sql) => sql.execute("CREATE TABLE T AS SELECT 'outside' AS W"))
      )
      return outside
    })

  it.effect.each([
    { what: "the home's warehouse/ folder", parts: ["warehouse"] },
    { what: "a database file", parts: ["warehouse", `${LocalLayout.segment("ML")}.duckdb`] }
  ])("$what linked out of the home is neither read nor written", ({ parts }) =>
    Effect.gen(function* () {
      const outside = yield* outsideDatabase()
      const home = tempHome()
      link(home, outside, parts)
      const before = snapshot(outside)
      const errors = yield* withSql(
        home,
        Sql.use((sql) =>
          Effect.all([
            Effect.flip(sql.query("SELECT * FROM T")),
            Effect.flip(sql.execute("CREATE TABLE U AS SELECT 1 AS A")),
            Effect.flip(sql.execute("DROP TABLE T")),
            Effect.flip(sql.listTables())
          ])
        )
      )
      for (const error of errors) {
        expect(error).toBeInstanceOf(SqlError)
        expect(error.message).toContain(`${parts.join("/")} is a symbolic link`)
      }
      expect(snapshot(outside)).toStrictEqual(before)
    })
  )
})

it.effect("a home that is itself a symbolic link works", () =>
  Effect.gen(function* () {
    const real = tempHome()
    const home = join(tempHome(), "home")
    symlinkSync(real, home)
    const rows = yield* withSql(
      home,
      Sql.use((sql) =>
        Effect.gen(function* () {
          yield* sql.execute("CREATE TABLE T AS SELECT 2 AS A")
          const location = yield* stage("@ML.PUBLIC.S/input/")
          yield* sql.table("T").pipe(Effect.flatMap((t) => t.materialize(location, { targetShards: 1 })))
          return (yield* Effect.flatMap(sql.readParquet("@ML.PUBLIC.S/input/"), (r) => r.collect())).numRows
        })
      )
    )
    expect(rows).toBe(1)
    expect(readdirSync(join(real, "warehouse"))).toContain("ML.duckdb")
    expect(readdirSync(join(real, ...STAGE, "input")).length).toBeGreaterThan(0)
  })
)
