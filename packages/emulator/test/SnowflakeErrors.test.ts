/**
 * Snowflake's errors that Sql.layerSnowflake types, crossing the real wire protocol: no active
 * warehouse (the emulator's requireWarehouse option) is NoActiveWarehouse, and insufficient
 * privileges (answered through the emulator's refuse hook) is InsufficientPrivileges.
 */
import { Sql } from "@runbatch/session"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { EmulatorOptions } from "../src/index.ts"
import { connect, emulator, execute, failing, snowflakeSqlLayer } from "./support.ts"

const run = <A, E>(
  effect: Effect.Effect<A, E, Sql>,
  options: Parameters<typeof snowflakeSqlLayer>[0],
  emulatorOptions: Partial<EmulatorOptions>
) =>
  Effect.runPromise(
    Effect.scoped(effect).pipe(Effect.provide(snowflakeSqlLayer(options, emulatorOptions))) as Effect.Effect<
      A,
      E
    >
  )

const value = (sql: Sql["Service"], text: string) =>
  Effect.map(sql.query(text), (table) => table.getChildAt(0)?.get(0) as unknown)

describe("no active warehouse", () => {
  it("the emulator answers 000606 (SQL state 57P03) to a query without a warehouse, not to SHOW, USE or CURRENT_…()", async () => {
    const running = await emulator({ requireWarehouse: true })
    const connection = await connect(running)
    const error = await failing(connection, "select 1 as one")
    expect(error.code).toBe("000606")
    expect(error.sqlState).toBe("57P03")
    expect(error.message).toContain("No active warehouse selected in the current session")
    expect((await execute(connection, "select current_warehouse() as w")).rows).toEqual([{ W: null }])
    await execute(connection, "show databases")
    await execute(connection, "use warehouse my_wh")
    expect((await execute(connection, "select current_warehouse() as w")).rows).toEqual([{ W: "MY_WH" }])
    expect((await execute(connection, "select 1 as one")).rows).toEqual([{ ONE: 1 }])
  })

  it("is NoActiveWarehouse through Sql.layerSnowflake, with the fix, until USE WAREHOUSE", async () => {
    const result = await run(
      Sql.use((sql) =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(sql.query("SELECT 1 AS ONE"))
          const created = yield* Effect.flip(sql.execute("CREATE TABLE T AS SELECT 1 AS ONE"))
          yield* sql.execute("USE WAREHOUSE ANALYTICS_WH")
          return {
            error,
            created: created._tag,
            warehouse: yield* value(sql, "SELECT CURRENT_WAREHOUSE()"),
            one: Number(yield* value(sql, "SELECT 1 AS ONE"))
          }
        })
      ),
      {},
      { requireWarehouse: true }
    )
    expect(result.error).toMatchObject({ _tag: "NoActiveWarehouse", connection: "emulator" })
    expect(result.error.message).toContain('warehouse = "…"')
    expect(result.error.message).toContain("--warehouse")
    expect(result.created).toBe("NoActiveWarehouse")
    expect(result.warehouse).toBe("ANALYTICS_WH")
    expect(result.one).toBe(1)
  }, 60_000)

  it("a connection that names a warehouse has it from its login on", async () => {
    const result = await run(
      Sql.use((sql) =>
        Effect.gen(function* () {
          return {
            warehouse: yield* value(sql, "SELECT CURRENT_WAREHOUSE()"),
            one: Number(yield* value(sql, "SELECT 1 AS ONE"))
          }
        })
      ),
      { warehouse: "etl_wh" },
      { requireWarehouse: true }
    )
    expect(result).toEqual({ warehouse: "ETL_WH", one: 1 })
  }, 60_000)
})

describe("insufficient privileges", () => {
  const refuse: EmulatorOptions["refuse"] = [
    {
      match: /\bPAYROLL\b/i,
      code: "003001",
      sqlState: "42501",
      message: "SQL access control error:\nInsufficient privileges to operate on table 'PAYROLL'"
    }
  ]

  it("the refuse hook answers a matching statement with the given Snowflake error over the wire", async () => {
    const running = await emulator({ refuse })
    const connection = await connect(running)
    const error = await failing(connection, "select * from payroll")
    expect(error.code).toBe("003001")
    expect(error.sqlState).toBe("42501")
    expect((await execute(connection, "select 1 as one")).rows).toEqual([{ ONE: 1 }])
  })

  it("is InsufficientPrivileges through Sql.layerSnowflake, naming the object and the GRANT to ask for", async () => {
    const error = await run(
      Sql.use((sql) => Effect.flip(sql.query("SELECT * FROM PAYROLL"))),
      { role: "analyst" },
      { refuse }
    )
    expect(error).toMatchObject({
      _tag: "InsufficientPrivileges",
      connection: "emulator",
      object: "TABLE PAYROLL",
      role: "analyst",
      statement: "SELECT * FROM PAYROLL"
    })
    expect(error.message).toContain("insufficient privileges to operate on TABLE PAYROLL")
    expect(error.message).toContain("GRANT <privilege> ON TABLE PAYROLL TO ROLE analyst")
  }, 60_000)
})
