/**
 * The user stage `@~` and table stages `@%T` through snowflake-sdk: PUT, LIST, GET and REMOVE work on
 * both; the user stage always exists, a table stage only while its table does; neither is created or
 * dropped on its own; their files live apart from named stages' under the emulator's home.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { SnowflakeSession, SnowflakeStages, Sql } from "@runbatch/session"
import { LocalLayout } from "@runbatch/spec"
import { StageStore } from "@runbatch/stage-io"
import { Effect, Layer } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { connect, emulator, execute, failing, onSnowflake, snowflakeOptions, tempDir } from "./support.ts"

// The driver sets process.umask(0) on every PUT/GET with LOCAL_FS; keep the test process's own.
let umask = 0
beforeEach(() => {
  umask = process.umask()
})
afterEach(() => {
  process.umask(umask)
})

const names = (rows: ReadonlyArray<Record<string, unknown>>) => rows.map((row) => row["name"])

describe("the user stage and table stages", () => {
  it("PUT, LIST, GET and REMOVE on @~, listed by the path alone", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const local = tempDir("emulator-local-")
    writeFileSync(join(local, "a.csv"), "x\n1\n")
    await execute(connection, `PUT file://${local}/a.csv @~/dir/ AUTO_COMPRESS = FALSE`)
    expect(readFileSync(join(LocalLayout.userStageDir(running.home), "dir", "a.csv"), "utf8")).toBe("x\n1\n")
    expect(names((await execute(connection, "LIST @~")).rows)).toEqual(["dir/a.csv"])
    expect(names((await execute(connection, "LIST '@~/dir/'")).rows)).toEqual(["dir/a.csv"])
    const target = tempDir("emulator-get-")
    const got = await execute(connection, `GET @~/dir/a.csv 'file://${target}/'`)
    expect(got.rows.map((row) => row["status"])).toEqual(["DOWNLOADED"])
    expect(readFileSync(join(target, "a.csv"), "utf8")).toBe("x\n1\n")
    expect((await execute(connection, "REMOVE @~/dir/")).rows).toEqual([
      { name: "dir/a.csv", result: "removed" }
    ])
    expect((await execute(connection, "LIST @~")).rows).toEqual([])
  })

  it("a table stage lives while its table does, apart from a named stage of the same name", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const local = tempDir("emulator-local-")
    writeFileSync(join(local, "p.csv"), "x\n2\n")
    const missing = await failing(connection, "LIST @%points")
    expect([missing.code, missing.sqlState]).toEqual(["002003", "02000"])
    expect(missing.message).toMatch(/Table 'RUNBATCH.PUBLIC.POINTS' does not exist/)
    await execute(connection, "CREATE TABLE points (x INT)")
    await execute(connection, "CREATE STAGE points")
    await execute(connection, `PUT file://${local}/p.csv @%points/in/ AUTO_COMPRESS = FALSE`)
    await execute(
      connection,
      `PUT file://${local}/p.csv '@RUNBATCH.PUBLIC.%"POINTS"/other/' AUTO_COMPRESS = FALSE`
    )
    expect(names((await execute(connection, "LIST @%points")).rows)).toEqual(["in/p.csv", "other/p.csv"])
    expect((await execute(connection, "LIST @points")).rows).toEqual([])
    const folder = LocalLayout.stageDir(running.home, {
      kind: "table",
      database: "RUNBATCH",
      schema: "PUBLIC",
      stage: "POINTS"
    })
    expect(readdirSync(folder).sort()).toEqual(["in", "other"])
    const target = tempDir("emulator-get-")
    await execute(connection, `GET @%points/in/p.csv 'file://${target}/'`)
    expect(readFileSync(join(target, "p.csv"), "utf8")).toBe("x\n2\n")
    expect(names((await execute(connection, "REMOVE @%points/other/")).rows)).toEqual(["other/p.csv"])
    await execute(connection, "DROP TABLE points")
    const dropped = await failing(connection, `GET @%points/in/p.csv 'file://${target}/'`)
    expect(dropped.code).toBe("002003")
    // The table's files went with it: a new table of that name starts with an empty stage.
    await execute(connection, "CREATE TABLE points (x INT)")
    expect((await execute(connection, "LIST @%points")).rows).toEqual([])
  })

  it("neither is created or dropped on its own", async () => {
    const running = await emulator()
    const connection = await connect(running)
    for (const sql of ["CREATE STAGE ~", "CREATE STAGE %t", "DROP STAGE %t"]) {
      const error = await failing(connection, sql)
      expect(error.code, sql).toBe("001003")
    }
  })

  it("the Snowflake store reports a table stage without its table as not_found, naming the table", async () => {
    const running = await emulator()
    const error = await Effect.runPromise(
      StageStore.use((store) => Effect.flip(store.list("@%NOWHERE/"))).pipe(
        Effect.provide(
          SnowflakeStages.layer.pipe(Layer.provide(SnowflakeSession.layer(snowflakeOptions(running))))
        )
      )
    )
    expect(error).toMatchObject({ _tag: "StageFileError", problem: "not_found" })
    expect(error.message).toMatch(
      /table ML\.PUBLIC\.NOWHERE of the table stage @ML\.PUBLIC\.%NOWHERE\/ does not exist/
    )
  })

  it("Sql.readParquet reads parquet unloaded onto the user stage and onto a table stage", async () => {
    const running = await emulator()
    const ids = await onSnowflake(running)(
      Sql.use((sql) =>
        Effect.gen(function* () {
          yield* sql.execute("CREATE TABLE POINTS (ID INT)")
          const read: Array<ReadonlyArray<number>> = []
          for (const location of ["@~/pts/", "@%POINTS/pts/"]) {
            yield* sql.execute(
              `COPY INTO ${location} FROM (SELECT 1 AS ID UNION ALL SELECT 2 AS ID) FILE_FORMAT = (TYPE = PARQUET) HEADER = TRUE`
            )
            const table = yield* Effect.flatMap(sql.readParquet(location), (relation) => relation.collect())
            read.push(
              table
                .toArray()
                .map((row) => Number(row.toJSON()["ID"]))
                .sort()
            )
          }
          return read
        })
      )
    )
    expect(ids).toEqual([
      [1, 2],
      [1, 2]
    ])
  })
})
