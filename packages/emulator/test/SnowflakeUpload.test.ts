/**
 * Sql.layerSnowflake's tables from local rows (PUT + COPY INTO), with the real snowflake-sdk against
 * the emulator: each created with both backends from the same files, and compared — Arrow schema and
 * rows; TableExists, and a replace whose load fails leaves the old table; the upload folder is removed
 * and the process's umask kept; a data frame's temporary table.
 */
import { readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { type CsvOptions, Sql } from "@runbatch/session"
import { Signature } from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { emulator, onSnowflake, snowflakeSqlLayer, tempDir } from "./support.ts"

// The upload puts its folder under os.tmpdir(): a folder of the test's own, to see it removed.
let tmp: string | undefined
let umask = 0
beforeEach(() => {
  tmp = process.env["TMPDIR"]
  process.env["TMPDIR"] = tempDir("upload-tmp-")
  umask = process.umask()
})
afterEach(() => {
  if (tmp === undefined) delete process.env["TMPDIR"]
  else process.env["TMPDIR"] = tmp
  process.umask(umask)
})

const uploadFolders = () =>
  readdirSync(process.env["TMPDIR"]!).filter((n) => n.startsWith("runbatch-upload-"))

const runOn = <A, E>(backend: "local" | "snowflake", effect: Effect.Effect<A, E, Sql>): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(effect).pipe(
      Effect.provide(
        backend === "local"
          ? Sql.layerLocalAccount({
              home: tempDir("upload-local-"),
              database: "ML",
              schema: "PUBLIC",
              threads: 2
            })
          : snowflakeSqlLayer()
      )
    ) as Effect.Effect<A, E>
  )

/** A table as compared across backends: its fields (name, Arrow type, nullable) and its rows. */
const shapeOf = (table: Arrow.Table) => ({
  fields: table.schema.fields.map((f) => `${f.name}: ${f.type}${f.nullable ? "" : " NOT NULL"}`),
  rows: table.toArray().map((row) => row.toJSON())
})

/** A parquet file of typical columns, written by the local account's DuckDB. */
const parquetFile = async (folder: string) => {
  const path = join(folder, "typed.parquet")
  await runOn(
    "local",
    Sql.use((sql) =>
      sql.execute(
        `COPY (SELECT * FROM (VALUES
           (1::BIGINT, 1.5::DOUBLE, 'a', TRUE, DATE '2026-12-07', TIMESTAMP '2026-12-07 10:11:12.123456', 12.34::DECIMAL(10,2), 7::DECIMAL(18,0), 'x'::BLOB),
           (2::BIGINT, NULL, 'héllo ✓', FALSE, NULL, NULL, NULL, NULL, NULL)
         ) t(ID, SCORE, "Label", OK, DAY, STAMP, PRICE, WHOLE, RAW)) TO '${path}' (FORMAT parquet)`
      )
    )
  )
  return path
}

const CSV_OPTIONS: CsvOptions = { delimiter: ";", decimalComma: true, nullStrings: "NA" }

const csvFile = (folder: string) => {
  const path = join(folder, "scores.csv")
  writeFileSync(path, "id;price;label\n1;4,5;NA\n2;3,25;b\n3;NA;c\n")
  return path
}

const createAndRead = (source: Parameters<Sql["Service"]["createTable"]>[1], order: string) =>
  Sql.use((sql) =>
    Effect.gen(function* () {
      const created = yield* sql.createTable("uploaded", source)
      return { created, shape: shapeOf(yield* sql.query(`SELECT * FROM uploaded ORDER BY ${order}`)) }
    })
  )

describe("Sql.layerSnowflake: tables from local rows", () => {
  it("creates a table from a parquet file as the local account does", async () => {
    const path = await parquetFile(tempDir())
    const local = await runOn("local", createAndRead({ kind: "parquet", paths: [path] }, "ID"))
    const snowflake = await runOn("snowflake", createAndRead({ kind: "parquet", paths: [path] }, "ID"))
    expect(snowflake.created).toEqual({ table: "ML.PUBLIC.UPLOADED", rows: 2 })
    expect(local.created).toEqual(snowflake.created)
    expect(snowflake.shape).toEqual(local.shape)
    expect(snowflake.shape.fields[2]).toBe("Label: Utf8")
    expect(uploadFolders()).toEqual([])
    expect(process.umask()).toBe(umask)
  }, 60_000)

  it("creates a table from a CSV file with options as the local account does", async () => {
    const path = csvFile(tempDir())
    const source = { kind: "csv", path, options: CSV_OPTIONS } as const
    const local = await runOn("local", createAndRead(source, '"id"'))
    const snowflake = await runOn("snowflake", createAndRead(source, '"id"'))
    expect(snowflake.created).toEqual({ table: "ML.PUBLIC.UPLOADED", rows: 3 })
    expect(snowflake.shape).toEqual(local.shape)
    expect(snowflake.shape.rows[0]).toEqual({ id: 1n, price: 4.5, label: null })
  }, 60_000)

  it("makes the same checks as the local account: bad CSV options, missing files, renamed headers", async () => {
    const folder = tempDir()
    const clash = join(folder, "clash.csv")
    writeFileSync(clash, "a,A\n1,2\n")
    const failures = (backend: "local" | "snowflake") =>
      runOn(
        backend,
        Sql.use((sql) =>
          Effect.all([
            Effect.flip(sql.createTable("T", { kind: "csv", path: clash, options: { delimiter: ";;" } })),
            Effect.flip(sql.createTable("T", { kind: "parquet", paths: [join(folder, "none.parquet")] })),
            Effect.flip(sql.createTable("T", { kind: "parquet", paths: [] })),
            Effect.flip(sql.createTable("T", { kind: "csv", path: clash }))
          ])
        )
      ).then((errors) => errors.map((e) => ({ tag: e._tag, message: e.message })))
    const snowflake = await failures("snowflake")
    expect(snowflake.map((e) => e.tag)).toEqual([
      "InvalidSpec",
      "LocalFileError",
      "LocalFileError",
      "CaseCollision"
    ])
    expect(snowflake).toEqual(await failures("local"))
  }, 60_000)

  it("refuses an existing table unless replacing, and a failed load keeps the table it would replace", async () => {
    const folder = tempDir()
    const csv = csvFile(folder)
    // Integers as far as DuckDB's sniffer looks, then a word: reading the file fails half-way.
    const broken = join(folder, "broken.csv")
    writeFileSync(broken, `n\n${Array.from({ length: 30_000 }, (_, i) => i).join("\n")}\nnot a number\n`)
    const result = await runOn(
      "snowflake",
      Sql.use((sql) =>
        Effect.gen(function* () {
          yield* sql.createTable("kept", { kind: "csv", path: csv })
          const exists = yield* Effect.flip(sql.createTable("KEPT", { kind: "csv", path: csv }))
          const failed = yield* Effect.flip(
            sql.createTable("kept", { kind: "csv", path: broken }, { mode: "replace" })
          )
          const kept = yield* sql.query("SELECT COUNT(*) AS N FROM kept")
          const replaced = yield* sql.createTable(
            "kept",
            { kind: "parquet", paths: [yield* Effect.promise(() => parquetFile(folder))] },
            { mode: "replace" }
          )
          return {
            exists: exists._tag,
            failed: `${failed._tag}: ${failed.message.includes("not a number")}`,
            kept: Number(kept.getChild("N")?.get(0)),
            replaced,
            tables: yield* sql.listTables()
          }
        })
      )
    )
    expect(result).toEqual({
      exists: "TableExists",
      failed: "SqlError: true",
      kept: 3,
      replaced: { table: "ML.PUBLIC.KEPT", rows: 2 },
      tables: ["ML.PUBLIC.KEPT"]
    })
    expect(uploadFolders()).toEqual([])
    expect(process.umask()).toBe(umask)
  }, 60_000)

  it("creates a data frame as a temporary table, typed and valued as the local account's", async () => {
    const schema = [
      Signature.feature("ID", "INT64", { nullable: false }),
      Signature.feature("SCORE", "DOUBLE"),
      Signature.feature("NAME", "STRING"),
      Signature.feature("OK", "BOOL"),
      Signature.feature("AT", "TIMESTAMP_NTZ")
    ]
    const rows = [
      { ID: 1, SCORE: 0.5, NAME: "a", OK: true, AT: "2026-12-07T10:11:12.123456Z" },
      { ID: 2, SCORE: null, NAME: null, OK: false, AT: null }
    ]
    const frame = (backend: "local" | "snowflake") =>
      runOn(
        backend,
        Sql.use((sql) =>
          Effect.gen(function* () {
            const relation = yield* sql.createDataFrame(rows, schema)
            return {
              description: relation.description,
              schema: yield* relation.schema,
              count: yield* relation.count,
              shape: shapeOf(yield* relation.collect()),
              tables: yield* sql.listTables()
            }
          })
        )
      )
    const snowflake = await frame("snowflake")
    const local = await frame("local")
    expect(snowflake.count).toBe(2)
    expect(snowflake.description).toBe(local.description)
    expect(snowflake.schema).toEqual(local.schema)
    expect(snowflake.shape).toEqual(local.shape)
    expect(snowflake.tables).toHaveLength(1)
    expect(uploadFolders()).toEqual([])
  }, 60_000)

  it("drops a data frame's temporary table when the session ends", async () => {
    const running = await emulator()
    const session = onSnowflake(running)
    const during = await session(
      Sql.use((sql) =>
        Effect.gen(function* () {
          yield* sql.createDataFrame([{ X: 1 }], [Signature.feature("X", "INT64")])
          return yield* sql.listTables()
        })
      )
    )
    expect(during).toHaveLength(1)
    expect(await session(Sql.use((sql) => sql.listTables()))).toEqual([])
  }, 60_000)
})
