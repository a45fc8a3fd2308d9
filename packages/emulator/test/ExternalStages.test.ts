/**
 * External stages in the emulator (CREATE STAGE … URL = 's3://…', files in a local folder) and what
 * runbatch's Snowflake client does with them: LIST names files by URL and the store turns them back
 * into paths; SELECT … FROM @ext and Sql.readParquet read parquet there; GET and PUT are refused
 * (091003), so the store's reads fail with a StageFileError pointing at readParquet; listStageFiles (a
 * job's file input) is refused with InvalidStageLocation before any job starts.
 */
import { listStageFiles, SnowflakeSession, SnowflakeStages, Sql } from "@runbatch/session"
import { StageStore } from "@runbatch/stage-io"
import { Effect, Layer, Stream } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { connect, emulator, execute, failing, snowflakeOptions, tempDir } from "./support.ts"

// The driver sets process.umask(0) on every PUT/GET with LOCAL_FS; keep the test process's own.
let umask = 0
beforeEach(() => {
  umask = process.umask()
})
afterEach(() => {
  process.umask(umask)
})

const CREATE =
  "CREATE STAGE ML.PUBLIC.EXT URL = 's3://bucket/data' STORAGE_INTEGRATION = my_integration CREDENTIALS = (AWS_KEY_ID = 'k' AWS_SECRET_KEY = 's')"

/** An emulator with the external stage EXT holding two parquet files under points/. */
const prepare = async () => {
  const running = await emulator()
  const connection = await connect(running, { database: "ML", schema: "PUBLIC" })
  await execute(connection, "CREATE DATABASE IF NOT EXISTS ML")
  await execute(connection, CREATE)
  await execute(
    connection,
    "COPY INTO @EXT/points/ FROM (SELECT 1 AS ID UNION ALL SELECT 2 AS ID) FILE_FORMAT = (TYPE = PARQUET) HEADER = TRUE"
  )
  const layer = Layer.mergeAll(SnowflakeStages.layer, Sql.layerSnowflakeSession).pipe(
    Layer.provideMerge(SnowflakeSession.layer(snowflakeOptions(running)))
  )
  const run = <A, E>(effect: Effect.Effect<A, E, StageStore | Sql | SnowflakeSession>) =>
    Effect.runPromise(Effect.scoped(effect).pipe(Effect.provide(layer)) as Effect.Effect<A, E>)
  return { running, connection, run }
}

describe("external stages", () => {
  it("are described as EXTERNAL with their URL; LIST names their files by URL; GET and PUT are refused", async () => {
    const { connection } = await prepare()
    const shown = await execute(connection, "SHOW STAGES")
    expect(shown.rows.map((r) => [r["name"], r["type"], r["url"]])).toEqual([
      ["EXT", "EXTERNAL", "s3://bucket/data/"]
    ])
    const described = await execute(connection, "DESCRIBE STAGE EXT")
    expect(described.rows.find((r) => r["property"] === "URL")?.["property_value"]).toBe(
      '["s3://bucket/data/"]'
    )
    const listed = await execute(connection, "LIST @EXT")
    expect(listed.rows.length).toBeGreaterThan(0)
    for (const row of listed.rows) expect(String(row["name"])).toMatch(/^s3:\/\/bucket\/data\/points\//)
    const local = tempDir("external-get-")
    const get = await failing(connection, `GET @EXT/points/ 'file://${local}/'`)
    expect(get.code).toBe("091003")
    expect(get.message).toMatch(/GET is not supported on the external stage/)
    const put = await failing(connection, `PUT 'file://${local}/x.txt' @EXT/`)
    expect(put.code).toBe("091003")
    // CREATE OR REPLACE without a URL makes it an internal stage again.
    await execute(connection, "CREATE OR REPLACE STAGE EXT")
    expect((await execute(connection, "SHOW STAGES")).rows.map((r) => r["type"])).toEqual(["INTERNAL"])
    const badUrl = await failing(connection, "CREATE STAGE BAD URL = 'http://example.com/x'")
    expect(badUrl.code).toBe("001003")
  })

  it("the Snowflake store lists them as paths and refuses reads, pointing at readParquet", async () => {
    const { run } = await prepare()
    const result = await run(
      StageStore.use((store) =>
        Effect.gen(function* () {
          const entries = yield* store.list("@EXT/points/")
          const first = entries[0]!.location
          return {
            entries,
            readBytes: yield* Effect.flip(store.readBytes(first)),
            read: yield* Effect.flip(Stream.runDrain(store.read(first))),
            readInto: yield* Effect.flip(store.readInto(first, new Uint8Array(entries[0]!.size))),
            size: yield* store.size(first)
          }
        })
      )
    )
    expect(result.entries.length).toBeGreaterThan(0)
    for (const entry of result.entries) {
      expect(entry.path).toMatch(/^points\/.+\.parquet$/)
      expect(entry.location).toBe(`@ML.PUBLIC.EXT/${entry.path}`)
    }
    expect(result.size).toBe(result.entries[0]!.size)
    for (const error of [result.readBytes, result.read, result.readInto]) {
      expect(error).toMatchObject({ _tag: "StageFileError", problem: "unreadable" })
      expect(error.message).toMatch(/external stage.*GET on external stages.*Sql\.readParquet/)
    }
  })

  it("Sql.readParquet and SELECT … FROM @ext read its parquet; listStageFiles refuses it", async () => {
    const { run } = await prepare()
    const ids = await run(
      Sql.use((sql) =>
        Effect.flatMap(sql.readParquet("@EXT/points/"), (relation) =>
          Effect.map(relation.collect(), (table) => table.toArray().map((row) => Number(row.toJSON()["ID"])))
        )
      )
    )
    expect(ids.sort()).toEqual([1, 2])
    const refused = await run(Effect.flip(listStageFiles("@EXT/points/")))
    expect(refused).toMatchObject({ _tag: "InvalidStageLocation", input: "@EXT/points/" })
    expect(refused.message).toMatch(/external stage.*COPY FILES INTO/)
  })
})
