/**
 * Sql.layerSnowflake's readParquet with the real snowflake-sdk against the emulator: staged parquet
 * files read in SQL (a temporary file format, INFER_SCHEMA, $1:COL) give the same Arrow schema and rows
 * as the local account reading the same stage — markers skipped, PATTERN honoured, a location without
 * files a StageFileError.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { Sql } from "@runbatch/session"
import type * as Arrow from "apache-arrow"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { emulator, onLocalAccount, onSnowflake, tempDir } from "./support.ts"

const shapeOf = (table: Arrow.Table) => ({
  fields: table.schema.fields.map((f) => `${f.name}: ${f.type}`),
  rows: table.toArray().map((row) => row.toJSON())
})

const prepare = async () => {
  const running = await emulator()
  const runOnSnowflake = onSnowflake(running)
  const onLocal = onLocalAccount(running)
  const marker = join(tempDir("markers-"), "_SUCCESS")
  writeFileSync(marker, "")
  await runOnSnowflake(
    Sql.use((sql) =>
      Effect.gen(function* () {
        yield* sql.execute("CREATE STAGE S")
        for (const [part, from] of [
          ["part1", 0],
          ["part2", 3]
        ] as const)
          yield* sql.execute(
            `COPY INTO @S/out/${part} FROM (SELECT ${from} + n AS ID, 'row ' || CAST(${from} + n AS VARCHAR) AS "Label", (${from} + n) * 0.5::DOUBLE AS SCORE, DATE '2026-12-07' AS DAY FROM (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2)) FILE_FORMAT = (TYPE = PARQUET) HEADER = TRUE`
          )
        yield* sql.execute(`PUT 'file://${marker}' @S/out/ AUTO_COMPRESS = FALSE`)
      })
    )
  )
  return { onSnowflake: runOnSnowflake, onLocal }
}

const readAll = (location: string, pattern?: string) =>
  Sql.use((sql) =>
    Effect.flatMap(sql.readParquet(location, pattern === undefined ? {} : { pattern }), (relation) =>
      Effect.map(relation.collect(), (table) => ({ description: relation.description, ...shapeOf(table) }))
    )
  )

describe("readParquet on Snowflake", () => {
  it("reads a stage's parquet files as the local account does, skipping markers and honouring PATTERN", async () => {
    const { onSnowflake, onLocal } = await prepare()
    const snowflake = await onSnowflake(readAll("@S/out/"))
    const local = await onLocal(readAll("@S/out/"))
    expect(snowflake.rows).toHaveLength(6)
    // Snowflake's integers are all NUMBER(38,0): the file's INT32 column reads back as Int64
    // (docs/snowflake.md, what differs); everything else is the local account's type.
    expect(snowflake.fields).toEqual(local.fields.map((f) => f.replace(/^ID: Int32$/, "ID: Int64")))
    const byId = (rows: ReadonlyArray<Record<string, unknown>>) =>
      [...rows].map((row) => ({ ...row, ID: Number(row["ID"]) })).sort((a, b) => a.ID - b.ID)
    expect(byId(snowflake.rows)).toEqual(byId(local.rows))
    expect(snowflake.description).toBe("parquet @ML.PUBLIC.S/out/")

    const second = await onSnowflake(readAll("@S/out/", ".*part2.*"))
    expect(second.rows.map((r) => Number(r["ID"])).sort()).toEqual([3, 4, 5])
  })

  it("answers a location without parquet files with StageFileError not_found", async () => {
    const { onSnowflake } = await prepare()
    const error = await onSnowflake(Effect.flip(Sql.use((sql) => sql.readParquet("@S/none/"))))
    expect(error).toMatchObject({
      _tag: "StageFileError",
      problem: "not_found",
      location: "@ML.PUBLIC.S/none/"
    })
  })
})
