/**
 * The Snowflake upload's statements, and its clean-up when Snowflake fails the load, with a client
 * that records statements instead of a driver (the emulator's tests run the real one): a replace
 * whose COPY INTO fails never touches the table it would replace, drops its staging table and stage,
 * removes its private (0700) folder and puts back the umask the driver's PUT changes.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { SqlError } from "@runbatch/spec"
import { Effect } from "effect"
import { onTestFinished } from "vitest"
import { openDuckDb } from "../src/Connection.ts"
import { makeSnowflakeRelation } from "../src/SnowflakeRelation.ts"
import { createDataFrame, createTableFromFiles, type SnowflakeSqlSession } from "../src/SnowflakeSources.ts"
import type { SnowflakeClient } from "../src/snowflake/SnowflakeClient.ts"

/** A client that records statements, answers counts with 2 and fails the ones `fails` matches. */
const recordingClient = (fails: RegExp) => {
  const statements: Array<string> = []
  /** The mode of the folder each PUT uploads from. */
  const putFolderModes: Array<number> = []
  const run: SnowflakeClient["run"] = (sql) =>
    Effect.suspend(() => {
      statements.push(sql)
      // As snowflake-sdk's LOCAL_FS transfer does.
      if (sql.startsWith("PUT ")) {
        const file = /'file:\/\/([^']*)'/.exec(sql)?.[1] ?? ""
        putFolderModes.push(statSync(dirname(file)).mode & 0o777)
        process.umask(0)
      }
      if (fails.test(sql)) return Effect.fail(new SqlError({ statement: sql, reason: "refused by the test" }))
      return Effect.succeed({ columns: [], rows: sql.startsWith("SELECT COUNT") ? [["2"]] : [] })
    })
  const client: SnowflakeClient = {
    label: "recording",
    description: "a recording client",
    run,
    runAsync: run,
    describe: () => Effect.succeed([]),
    startStream: () => Effect.die("not used")
  }
  return { client, statements, putFolderModes }
}

const withTmpdir = () => {
  const folder = mkdtempSync(join(tmpdir(), "upload-test-"))
  const before = process.env["TMPDIR"]
  const umask = process.umask()
  process.env["TMPDIR"] = folder
  onTestFinished(() => {
    if (before === undefined) delete process.env["TMPDIR"]
    else process.env["TMPDIR"] = before
    process.umask(umask)
    rmSync(folder, { recursive: true, force: true })
  })
  return { folder, umask }
}

const session = (client: SnowflakeClient): SnowflakeSqlSession => ({
  client,
  context: { database: "ML", schema: "PUBLIC" },
  exists: () => Effect.succeed(true),
  relation: (description, sql) => makeSnowflakeRelation(client, description, sql)
})

const target = { database: "ML", schema: "PUBLIC", name: "T" }

/** Statements with their unique names made readable. */
const shown = (statements: ReadonlyArray<string>) =>
  statements.map((s) =>
    s
      .replace(/RUNBATCH_(UPLOAD|LOAD)_[0-9A-F]{32}/g, "RUNBATCH_$1_…")
      .replace(/'file:\/\/[^']*'/, "'file://…'")
  )

describe("Snowflake upload", () => {
  /** Replace T from a small CSV file with a client failing `fails`; afterwards, no folder and the umask as it was. */
  const replaceFromCsv = (fails: RegExp) =>
    Effect.gen(function* () {
      const { folder, umask } = withTmpdir()
      const csv = join(folder, "rows.csv")
      writeFileSync(csv, "id,label\n1,a\n2,b\n")
      const { client, statements, putFolderModes } = recordingClient(fails)
      const exit = yield* Effect.exit(
        createTableFromFiles(session(client), target, { kind: "csv", path: csv }, true)
      )
      expect(readdirSync(folder)).toEqual(["rows.csv"])
      expect(process.umask()).toBe(umask)
      expect(putFolderModes).toEqual([0o700])
      return { exit, statements: shown(statements) }
    })

  it.effect("replaces through a staging table; a failed COPY INTO leaves the old table and no trace", () =>
    Effect.gen(function* () {
      const { exit, statements } = yield* replaceFromCsv(/^COPY INTO/)
      expect(exit._tag).toBe("Failure")
      expect(String(exit)).toContain("refused by the test")
      expect(statements).toEqual([
        'CREATE TEMPORARY STAGE "ML"."PUBLIC"."RUNBATCH_UPLOAD_…"',
        `PUT 'file://…' '@"ML"."PUBLIC"."RUNBATCH_UPLOAD_…"' AUTO_COMPRESS = FALSE OVERWRITE = FALSE`,
        'CREATE TEMPORARY TABLE "ML"."PUBLIC"."RUNBATCH_LOAD_…" ("id" NUMBER(38,0), "label" TEXT)',
        `COPY INTO "ML"."PUBLIC"."RUNBATCH_LOAD_…" FROM '@"ML"."PUBLIC"."RUNBATCH_UPLOAD_…"' FILE_FORMAT = (TYPE = PARQUET) MATCH_BY_COLUMN_NAME = CASE_SENSITIVE`,
        'DROP TABLE IF EXISTS "ML"."PUBLIC"."RUNBATCH_LOAD_…"',
        'DROP STAGE IF EXISTS "ML"."PUBLIC"."RUNBATCH_UPLOAD_…"',
        'DROP TABLE IF EXISTS "ML"."PUBLIC"."RUNBATCH_LOAD_…"'
      ])
    })
  )

  it.effect("replaces the old table only once the staging table is loaded", () =>
    Effect.gen(function* () {
      const { exit, statements } = yield* replaceFromCsv(/^$/)
      expect(exit).toMatchObject({ _tag: "Success", value: 2 })
      expect(statements.slice(4)).toEqual([
        'SELECT COUNT(*) FROM "ML"."PUBLIC"."RUNBATCH_LOAD_…"',
        'DROP STAGE IF EXISTS "ML"."PUBLIC"."RUNBATCH_UPLOAD_…"',
        'CREATE OR REPLACE TABLE "ML"."PUBLIC"."T" AS SELECT * FROM "ML"."PUBLIC"."RUNBATCH_LOAD_…"',
        'SELECT COUNT(*) FROM "ML"."PUBLIC"."T"',
        'DROP TABLE IF EXISTS "ML"."PUBLIC"."RUNBATCH_LOAD_…"'
      ])
    })
  )

  it.effect(
    "refuses an existing table unless replacing, after checking the files, before creating anything",
    () =>
      Effect.gen(function* () {
        const { folder } = withTmpdir()
        const { client, statements } = recordingClient(/^$/)
        const refuse = (path: string) =>
          Effect.flip(createTableFromFiles(session(client), target, { kind: "csv", path }, false))
        expect(yield* refuse(join(folder, "missing.csv"))).toMatchObject({ _tag: "LocalFileError" })
        const csv = join(folder, "rows.csv")
        writeFileSync(csv, "id\n1\n")
        expect(yield* refuse(csv)).toMatchObject({ _tag: "TableExists", table: "ML.PUBLIC.T" })
        expect(statements).toEqual([])
        expect(readdirSync(folder)).toEqual(["rows.csv"])
      })
  )

  it.effect("refuses a column Snowflake has no type for, naming it, before anything is created", () =>
    Effect.gen(function* () {
      const { folder } = withTmpdir()
      const file = join(folder, "interval.parquet")
      yield* Effect.scoped(
        Effect.flatMap(openDuckDb({ threads: "1" }), ({ connection }) =>
          connection.run(`COPY (SELECT 1 AS ID, INTERVAL 1 DAY AS "Wait") TO '${file}' (FORMAT parquet)`)
        )
      )
      const { client, statements } = recordingClient(/^$/)
      const failed = yield* Effect.flip(
        createTableFromFiles(
          { ...session(client), exists: () => Effect.succeed(false) },
          target,
          { kind: "parquet", paths: [file] },
          false
        )
      )
      expect(failed).toMatchObject({ _tag: "SqlError", refused: true })
      expect(failed.message).toContain('"Wait" (INTERVAL)')
      expect(statements).toEqual([])
      expect(readdirSync(folder)).toEqual(["interval.parquet"])
    })
  )

  it.effect("refuses a data frame in a session without a current schema, naming the fix", () =>
    Effect.gen(function* () {
      const { client, statements } = recordingClient(/^$/)
      const failed = yield* Effect.flip(
        createDataFrame({ ...session(client), context: { database: "", schema: "" } }, [], [])
      )
      expect(failed).toMatchObject({ _tag: "SqlError" })
      expect(failed.message).toContain("give the connection a database and schema")
      expect(statements).toEqual([])
    })
  )
})
