/** The emulator against the real snowflake-sdk: login, statements, session state, heartbeat, destroy. */
import snowflake from "snowflake-sdk"
import { describe, expect, it } from "vitest"
import { connect, emulator, execute, failing, PASSWORD } from "./support.ts"

describe("login", () => {
  it("connects with any user name and the emulator's password, and runs SELECT 1", async () => {
    const running = await emulator()
    const connection = await connect(running, { username: "alice" })
    const { rows } = await execute(connection, "SELECT 1 AS ONE")
    expect(rows).toEqual([{ ONE: 1 }])
    const { rows: who } = await execute(connection, "SELECT CURRENT_USER(), CURRENT_ACCOUNT()")
    expect(who).toEqual([{ "CURRENT_USER()": "ALICE", "CURRENT_ACCOUNT()": running.account }])
  })

  it("refuses a wrong password with Snowflake's 390100 and a message naming the fix", async () => {
    const running = await emulator()
    const connection = snowflake.createConnection({
      accessUrl: running.url,
      account: running.account,
      username: "alice",
      password: `${PASSWORD}-wrong`
    })
    // connectAsync resolves whatever happens; the callback gets the error.
    const error = await new Promise<snowflake.SnowflakeError | undefined>((resolve) =>
      connection.connect((e) => resolve(e ?? undefined))
    )
    if (error === undefined) throw new Error("the login should have failed")
    expect(error.code).toBe("390100")
    expect(error.message).toMatch(/Incorrect username or password/)
    expect(error.message).toMatch(/RUNBATCH_EMULATOR_PASSWORD/)
  })

  it("starts in the database and schema the connection names, upper-cased as identifiers", async () => {
    const running = await emulator()
    const connection = await connect(running, {
      database: "analytics",
      schema: "raw",
      warehouse: "wh",
      role: "dev"
    })
    const { rows } = await execute(
      connection,
      "SELECT CURRENT_DATABASE() AS D, CURRENT_SCHEMA() AS S, CURRENT_WAREHOUSE() AS W, CURRENT_ROLE() AS R"
    )
    expect(rows).toEqual([{ D: "ANALYTICS", S: "RAW", W: "WH", R: "DEV" }])
  })
})

describe("statements", () => {
  it("creates, fills and reads a table with Snowflake's identifier case and status rows", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const created = await execute(connection, "create table points (id int, label varchar)")
    expect(created.rows).toEqual([{ status: "Table POINTS successfully created." }])
    const inserted = await execute(connection, "insert into points values (1, 'a'), (2, 'b'), (3, 'c')")
    expect(inserted.rows).toEqual([{ "number of rows inserted": 3 }])
    expect(inserted.statement.getNumUpdatedRows()).toBe(3)
    const { rows } = await execute(connection, "select id, label from points where id > ? order by id", {
      binds: [1]
    })
    expect(rows).toEqual([
      { ID: 2, LABEL: "b" },
      { ID: 3, LABEL: "c" }
    ])
    const quoted = await execute(connection, 'create table "Mixed Case" as select 1 as "lower"')
    expect(quoted.rows).toEqual([{ status: "Table Mixed Case successfully created." }])
    const { rows: mixed } = await execute(connection, 'select "lower" from "Mixed Case"')
    expect(mixed).toEqual([{ lower: 1 }])
    const deleted = await execute(connection, "delete from points where id = :1", { binds: [2] })
    expect(deleted.rows).toEqual([{ "number of rows deleted": 1 }])
  })

  it("binds by position and by number, and array binds insert every row in one statement", async () => {
    const running = await emulator()
    const connection = await connect(running)
    await execute(connection, "create table t (n number(38,0), s string, f float, b boolean, v variant)")
    const rows = Array.from({ length: 500 }, (_, i) => [
      i,
      `row ${i} 'quoted' \\ back`,
      i / 4,
      i % 2 === 0,
      JSON.stringify({ i })
    ])
    const inserted = await execute(connection, "insert into t values (?, ?, ?, ?, parse_json(?))", {
      binds: rows
    })
    expect(inserted.rows).toEqual([{ "number of rows inserted": 500 }])
    const { rows: back } = await execute(
      connection,
      "select n, s, f, b, v from t where n = :1 or s = :2 order by n",
      {
        binds: [7, "row 9 'quoted' \\ back"]
      }
    )
    expect(back).toEqual([
      { N: 7, S: "row 7 'quoted' \\ back", F: 1.75, B: false, V: { i: 7 } },
      { N: 9, S: "row 9 'quoted' \\ back", F: 2.25, B: false, V: { i: 9 } }
    ])
  })

  it("binds each driver type as a literal that cannot change the statement", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const { rows } = await execute(connection, "select ? as v, ? as r, ? as b, ? as t, ? as n", {
      binds: [{ a: [1, "x"] } as unknown as string, 1.5, true, "it's'); drop table t; --", null]
    })
    expect(rows).toEqual([{ V: { a: [1, "x"] }, R: 1.5, B: true, T: "it's'); drop table t; --", N: null }])
    await execute(connection, "create table t (s string)")
    await execute(connection, "insert into t values (?)", { binds: ["'); drop table t; --"] })
    const { rows: kept } = await execute(connection, "select s from t")
    expect(kept).toEqual([{ S: "'); drop table t; --" }])
  })

  it("USE and ALTER SESSION change the session; SHOW lists with Snowflake's lower-case columns", async () => {
    const running = await emulator()
    const connection = await connect(running)
    await execute(connection, "create database sales")
    await execute(connection, "create schema eu")
    await execute(connection, "use schema sales.eu")
    await execute(connection, "create table orders (id int)")
    const { rows: context } = await execute(connection, "select current_database(), current_schema()")
    expect(context).toEqual([{ "CURRENT_DATABASE()": "SALES", "CURRENT_SCHEMA()": "EU" }])
    const { rows: tables } = await execute<Record<string, unknown>>(connection, "show tables like 'ORD%'")
    expect(tables.map((t) => [t["name"], t["database_name"], t["schema_name"], t["kind"]])).toEqual([
      ["ORDERS", "SALES", "EU", "TABLE"]
    ])
    const { rows: databases } = await execute<Record<string, unknown>>(connection, "show databases")
    expect(databases.map((d) => d["name"])).toContain("SALES")
    const { rows: schemas } = await execute<Record<string, unknown>>(
      connection,
      "show schemas in database sales"
    )
    expect(schemas.map((s) => s["name"]).sort()).toEqual(["EU", "PUBLIC"])
    await execute(connection, "alter session set TIMEZONE = 'Europe/Paris', QUERY_TAG = 'test'")
    const { statement } = await execute(connection, "select 1")
    expect(statement.getColumns()?.length).toBe(1)
    await execute(connection, "use database runbatch")
    const { rows: back } = await execute(connection, "select current_database() as d, current_schema() as s")
    expect(back).toEqual([{ D: "RUNBATCH", S: "PUBLIC" }])
  })

  it("serves several connections at once on one table", async () => {
    const running = await emulator()
    const [a, b] = await Promise.all([connect(running), connect(running)])
    await execute(a, "create table counts (who string, i int)")
    await Promise.all(
      [a, b].map(async (connection, c) => {
        for (let i = 0; i < 10; i++)
          await execute(connection, "insert into counts values (?, ?)", { binds: [`c${c}`, i] })
      })
    )
    const { rows } = await execute(b, "select who, count(*) as n from counts group by who order by who")
    expect(rows).toEqual([
      { WHO: "c0", N: 10 },
      { WHO: "c1", N: 10 }
    ])
  })

  it("describeOnly answers the columns without running the statement", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const { rows, statement } = await execute(connection, "select 1::number(10,2) as price, 'x' as name", {
      describeOnly: true
    })
    expect(rows).toEqual([])
    expect((statement.getColumns() ?? []).map((c) => [c.getName(), c.getType(), c.getScale()])).toEqual([
      ["PRICE", "fixed", 2],
      ["NAME", "text", null]
    ])
  })

  it("keeps a heartbeat, answers isValidAsync, and ends the session on destroy", async () => {
    const running = await emulator()
    const connection = await connect(running)
    await (connection as unknown as { heartbeatAsync: () => Promise<unknown> }).heartbeatAsync()
    expect(await connection.isValidAsync()).toBe(true)
    await new Promise<void>((resolve, reject) =>
      connection.destroy((error) => (error ? reject(error) : resolve()))
    )
    expect(connection.isUp()).toBe(false)
  })
})

describe("errors", () => {
  it("a missing table is 002003 / 02000, a syntax error 001003 / 42000", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const missing = await failing(connection, "select * from no_such_table")
    expect([missing.code, missing.sqlState]).toEqual(["002003", "02000"])
    expect(missing.message).toMatch(/NO_SUCH_TABLE/)
    const syntax = await failing(connection, "selec 1")
    expect([syntax.code, syntax.sqlState]).toEqual(["001003", "42000"])
    const unclosed = await failing(connection, "select 'abc")
    expect([unclosed.code, unclosed.sqlState]).toEqual(["001003", "42000"])
    const column = await failing(connection, "select no_such_column from (select 1 as a)")
    expect([column.code, column.sqlState]).toEqual(["000904", "42000"])
  })

  it("a statement the emulator does not support names its kind (000002 / 0A000)", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const error = await failing(connection, "create warehouse big_wh warehouse_size = 'X-LARGE'")
    expect([error.code, error.sqlState]).toEqual(["000002", "0A000"])
    expect(error.message).toMatch(/not supported by the emulator: CREATE WAREHOUSE/)
    const grant = await failing(connection, "grant select on table t to role r")
    expect(grant.message).toMatch(/not supported by the emulator: GRANT/)
  })

  it("refuses two statements in one request, as Snowflake does without MULTI_STATEMENT_COUNT", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const error = await failing(connection, "select 1; select 2")
    expect(error.code).toBe("000008")
  })

  it("a bind that does not fit its type is refused naming the bind", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const error = await failing(connection, "select ?", { binds: [[1], ["x"]] as unknown as snowflake.Binds })
    expect(error.message).toMatch(/bind/)
  })
})
