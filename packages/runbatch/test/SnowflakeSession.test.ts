/**
 * `Session.snowflake` and `Account.layerSnowflakeSql` on the emulator, through the real snowflake-sdk:
 * the connection found in a SNOWFLAKE_HOME's connections.toml, SQL and tables on the account, the
 * local account that serves it seeing the same tables, a refused login named without its password,
 * what is not on Snowflake yet answered with NotOnSnowflakeYet before anything is sent.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Sql } from "@runbatch/session"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Account, Session } from "../src/index.ts"
import { emulatorConnection } from "./emulatorConnection.ts"

const PASSWORD = "s3cret-pw"

/** An emulator whose queries are logged, and a SNOWFLAKE_HOME naming it `emu` (database ML). */
const setup = async (connectionPassword = PASSWORD) => {
  const { running, folder, snowflakeHome } = await emulatorConnection({
    password: PASSWORD,
    connectionPassword,
    extra: 'database = "ML"\n',
    queryLog: true
  })
  const statements = () =>
    readFileSync(join(folder, "queries.jsonl"), { encoding: "utf8", flag: "a+" })
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => (JSON.parse(line) as { sql: string }).sql)
  return { running, snowflakeHome, statements, localHome: running.home }
}

describe("Session.snowflake", () => {
  it("runs SQL and tables on the connection connections.toml names, the served account seeing them", async () => {
    const { snowflakeHome, localHome } = await setup()
    await using session = Session.snowflake({ connection: "emu", snowflakeHome, env: {} })
    expect(await session.sql.context()).toEqual({ database: "ML", schema: "PUBLIC" })
    await session.sql.execute("CREATE TABLE points AS SELECT range AS id, range * 0.5 AS x FROM range(5)")
    const table = await session.sql.query("SELECT COUNT(*) AS n, SUM(x) AS total FROM points")
    expect(table.toArray().map((row) => ({ ...row.toJSON() }))).toEqual([{ N: 5n, TOTAL: 5 }])
    expect(await session.sql.listTables()).toEqual(["ML.PUBLIC.POINTS"])
    await session.close()
    // The local account the emulator serves holds the same table.
    await using local = Session.local({ home: localHome, database: "ML" })
    expect((await local.sql.query('SELECT COUNT(*) AS "N" FROM points')).get(0)?.toJSON()).toEqual({ N: 5n })
  })

  it("rejects a refused login with SnowflakeConnectFailed, naming the connection and never the password", async () => {
    const { snowflakeHome } = await setup("wrong-password")
    await using session = Session.snowflake({ connection: "emu", snowflakeHome, env: {} })
    const error = (await session.sql.query("SELECT 1").catch((e: unknown) => e)) as Error & { _tag: string }
    expect(error._tag).toBe("SnowflakeConnectFailed")
    expect(error.message).toContain('"emu"')
    expect(error.message).toContain("tester@")
    expect(JSON.stringify(error)).not.toContain("wrong-password")
    expect(error.message).not.toContain("wrong-password")
  })

  it("writes and lists stage files there, which the served local account sees", async () => {
    const { snowflakeHome, localHome } = await setup()
    await using session = Session.snowflake({ connection: "emu", snowflakeHome, env: {} })
    await session.sql.execute("CREATE STAGE FILES")
    await session.stages.write("@FILES/notes/a.txt", new TextEncoder().encode("alpha"))
    expect((await session.stages.list("@FILES/notes/")).map((e) => e.location)).toEqual([
      "@ML.PUBLIC.FILES/notes/a.txt"
    ])
    expect(new TextDecoder().decode(await session.stages.readBytes("@FILES/notes/a.txt"))).toBe("alpha")
    await session.close()
    await using local = Session.local({ home: localHome, database: "ML" })
    expect((await local.stages.list("@FILES/")).map((e) => e.path)).toEqual(["notes/a.txt"])
  })

  it("answers jobs with NotOnSnowflakeYet, sending nothing", async () => {
    const { snowflakeHome, statements } = await setup()
    await using session = Session.snowflake({ connection: "emu", snowflakeHome, env: {} })
    const refusals = await Promise.all(
      [
        session.jobs.listJobs(),
        session.runBatch({
          model: { name: "M", version: "V1" },
          input: session.table("POINTS"),
          outputSpec: { stageLocation: "@ML.PUBLIC.S/out/" }
        } as never)
      ].map((p) =>
        p.then(
          () => undefined,
          (e: unknown) => e as Error & { _tag: string }
        )
      )
    )
    expect(refusals.map((e) => e?._tag)).toEqual(Array(2).fill("NotOnSnowflakeYet"))
    expect(refusals[0]?.message).toMatch(
      /^the jobs API is not available on Snowflake yet \(connection "emu"\)/
    )
    expect(statements()).toEqual([])
  })
})

describe("Session.snowflake timeouts", () => {
  it("sets the statement timeout on the session it opens", async () => {
    const { snowflakeHome, statements } = await setup()
    await using session = Session.snowflake({
      connection: "emu",
      snowflakeHome,
      env: {},
      statementTimeoutSeconds: 7,
      loginTimeoutMillis: 20_000
    })
    await session.sql.query("SELECT 1")
    expect(statements()).toContain("ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 7")
  })
})

describe("Account.layerSnowflakeSql", () => {
  it("gives Effect programs the connection's Sql, with the caller's database over the file's", async () => {
    const { snowflakeHome } = await setup()
    const context = await Effect.runPromise(
      Sql.use((sql) => Effect.succeed(sql.context)).pipe(
        Effect.provide(
          Account.layerSnowflakeSql({ connection: "emu", snowflakeHome, env: {}, database: "other" })
        )
      )
    )
    expect(context).toEqual({ database: "OTHER", schema: "PUBLIC" })
  })
})
