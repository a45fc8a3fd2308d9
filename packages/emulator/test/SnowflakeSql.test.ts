/**
 * Sql.layerSnowflake beyond the shared conformance suite, with the real snowflake-sdk against the
 * emulator: a failed login, cancelling statements when their Effect or stream is interrupted, the
 * session's context, relations and createTable from a relation (tables from local rows:
 * SnowflakeUpload.test.ts; materialize: SnowflakeMaterialize.test.ts).
 */
import { type SnowflakeSqlOptions, Sql, SqlPromise } from "@runbatch/session"
import { Effect, Fiber, Redacted, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { emulator, PASSWORD, snowflakeOptions, snowflakeSqlLayer } from "./support.ts"

/** A statement DuckDB works on for many seconds (10^10 rows of a cross join). */
const SLOW = "select sum(a.range * b.range) as s from range(100000) a, range(100000) b"

const layer = snowflakeSqlLayer

const run = <A, E>(effect: Effect.Effect<A, E, Sql>, options: Partial<SnowflakeSqlOptions> = {}) =>
  Effect.runPromise(Effect.scoped(effect).pipe(Effect.provide(layer(options))) as Effect.Effect<A, E>)

/** The execution status QUERY_HISTORY() gives `sql`, once it is no longer RUNNING. */
const finalStatus = (sql: Sql["Service"], text: string) =>
  Effect.gen(function* () {
    for (let i = 0; i < 100; i++) {
      const table = yield* sql.query(
        `SELECT execution_status FROM TABLE(INFORMATION_SCHEMA.QUERY_HISTORY()) WHERE query_text = '${text.replace(/'/g, "''")}'`
      )
      const status = table.numRows === 0 ? undefined : String(table.getChildAt(0)?.get(0))
      if (status !== undefined && status !== "RUNNING") return status
      yield* Effect.sleep("100 millis")
    }
    return "RUNNING"
  })

describe("Sql.layerSnowflake", () => {
  it("fails a wrong password with SnowflakeConnectFailed naming the connection, never the password", async () => {
    const error = await run(Effect.flip(Sql.use((sql) => Effect.succeed(sql.context))), {
      password: Redacted.make("not-the-password-42")
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ _tag: "SnowflakeConnectFailed", connection: "emulator" })
    const message = (error as Error).message
    expect(message).toContain('"emulator"')
    expect(message).toContain("tester@")
    expect(message).not.toContain("not-the-password-42")
    expect(message).not.toContain(PASSWORD)
  })

  it("refuses plain http to another host before connecting", async () => {
    const error = await run(Effect.flip(Sql.use((sql) => Effect.succeed(sql.context))), {
      host: "example.com"
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ _tag: "InsecureTransport", connection: "emulator" })
  })

  it("takes its context from the connection, upper-casing unquoted names", async () => {
    const context = await run(
      Sql.use((sql) => Effect.succeed({ backend: sql.backend, context: sql.context })),
      { database: "ml", schema: "public" }
    )
    expect(context).toEqual({ backend: "snowflake", context: { database: "ML", schema: "PUBLIC" } })
  })

  it("cancels the statement when a streamQuery is interrupted", async () => {
    const result = await run(
      Sql.use((sql) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.forkChild(Stream.runDrain(sql.streamQuery(SLOW)))
          yield* Effect.sleep("1 second")
          const t0 = Date.now()
          yield* Fiber.interrupt(fiber)
          const interruptMillis = Date.now() - t0
          return {
            interruptMillis,
            status: yield* finalStatus(sql, SLOW),
            // The session goes on.
            after: Number((yield* sql.query("SELECT 2 AS TWO")).getChild("TWO")?.get(0))
          }
        })
      )
    )
    expect(result.status).toBe("ABORTED")
    expect(result.interruptMillis).toBeLessThan(10_000)
    expect(result.after).toBe(2)
  }, 60_000)

  it("cancels the statement when a query is interrupted (a timeout)", async () => {
    const result = await run(
      Sql.use((sql) =>
        Effect.gen(function* () {
          const timedOut = yield* Effect.timeoutOption(sql.query(SLOW), "1 second")
          return { timedOut: timedOut._tag, status: yield* finalStatus(sql, SLOW) }
        })
      )
    )
    expect(result).toEqual({ timedOut: "None", status: "ABORTED" })
  }, 60_000)

  it("stops reading a streamed result early, and the session goes on", async () => {
    const result = await run(
      Sql.use((sql) =>
        Effect.gen(function* () {
          const first = yield* Stream.runHead(
            sql.streamQuery("SELECT a.range AS ID FROM range(1000) a, range(100) b")
          )
          return {
            rows: first._tag === "Some" ? first.value.numRows : 0,
            after: Number((yield* sql.query("SELECT 3 AS THREE")).getChild("THREE")?.get(0))
          }
        })
      )
    )
    expect(result).toEqual({ rows: 2_048, after: 3 })
  }, 60_000)

  it("gives relations their schema, count and rows, and creates tables from them", async () => {
    const result = await run(
      Sql.use((sql) =>
        Effect.gen(function* () {
          const source = sql.sql("SELECT range AS ID, 'n' || range AS LABEL FROM range(5);")
          const created = yield* sql.createTable("five", { kind: "relation", relation: source })
          const exists = yield* Effect.flip(sql.createTable("FIVE", { kind: "relation", relation: source }))
          const replaced = yield* sql.createTable(
            "five",
            { kind: "relation", relation: sql.sql("SELECT 1 AS ID") },
            { mode: "replace" }
          )
          const five = yield* sql.createTable("ML.PUBLIC.FIVE_AGAIN", { kind: "relation", relation: source })
          const table = yield* sql.table("five_again")
          return {
            created,
            exists: exists._tag,
            replaced,
            five,
            description: table.description,
            schema: yield* table.schema,
            count: yield* table.count,
            collected: (yield* table.collect({ limit: 2 })).numRows,
            tables: yield* sql.listTables("ML.PUBLIC")
          }
        })
      )
    )
    expect(result.created).toEqual({ table: "ML.PUBLIC.FIVE", rows: 5 })
    expect(result.exists).toBe("TableExists")
    expect(result.replaced).toEqual({ table: "ML.PUBLIC.FIVE", rows: 1 })
    expect(result.five).toEqual({ table: "ML.PUBLIC.FIVE_AGAIN", rows: 5 })
    expect(result.description).toBe("table ML.PUBLIC.FIVE_AGAIN")
    expect(result.schema.map((f) => f.name)).toEqual(["ID", "LABEL"])
    expect(result.count).toBe(5)
    expect(result.collected).toBe(2)
    expect(result.tables).toEqual(["ML.PUBLIC.FIVE", "ML.PUBLIC.FIVE_AGAIN"])
  }, 60_000)

  it("marks compilation errors as refused and keeps Snowflake's code", async () => {
    const [missing, syntax] = await run(
      Sql.use((sql) =>
        Effect.all([Effect.flip(sql.query("SELECT * FROM NOWHERE")), Effect.flip(sql.execute("SELEC 1"))])
      )
    )
    expect(missing).toMatchObject({ _tag: "SqlError", refused: true })
    expect(missing.message).toContain("002003")
    expect(syntax).toMatchObject({ _tag: "SqlError", refused: true })
    expect(syntax.message).toContain("SELEC 1")
  })

  it("has a Promise face: SqlPromise.snowflake", async () => {
    const running = await emulator()
    const sql = SqlPromise.snowflake(snowflakeOptions(running))
    try {
      await sql.execute("CREATE TABLE PROMISED AS SELECT 1 AS X")
      const table = await sql.table("promised")
      expect(await table.count()).toBe(1)
      expect(await sql.listTables()).toEqual(["ML.PUBLIC.PROMISED"])
      expect(await sql.context()).toEqual({ database: "ML", schema: "PUBLIC" })
    } finally {
      await sql.close()
    }
  })
})
