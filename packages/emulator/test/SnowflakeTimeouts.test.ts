/**
 * Sql.layerSnowflake's timeouts: a login that gets no answer (a TCP server that accepts and never
 * answers) fails with SnowflakeConnectFailed saying so; a statement past statementTimeoutSeconds fails
 * with StatementTimedOut, cancelled by Snowflake (000630) or, should Snowflake not, by runbatch.
 */
import { createServer, type Socket } from "node:net"
import { Sql } from "@runbatch/session"
import { Effect, Redacted } from "effect"
import { describe, expect, it, onTestFinished } from "vitest"
import { PASSWORD, snowflakeSqlLayer } from "./support.ts"

/** A statement DuckDB works on for many seconds (10^10 rows of a cross join). */
const SLOW = "select sum(a.range * b.range) as s from range(100000) a, range(100000) b"

/** A port on 127.0.0.1 that accepts connections and never answers; closed when the test ends. */
const silentPort = async (): Promise<number> => {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on("error", () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  )
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no port")
  return address.port
}

/** The history's status and error code of `text`, once it no longer runs. */
const outcomeOf = (sql: Sql["Service"], text: string) =>
  Effect.gen(function* () {
    for (let i = 0; i < 100; i++) {
      const table = yield* sql.query(
        `SELECT execution_status AS S, error_code AS C FROM TABLE(INFORMATION_SCHEMA.QUERY_HISTORY()) WHERE query_text = '${text.replace(/'/g, "''")}'`
      )
      const status = table.numRows === 0 ? undefined : String(table.getChild("S")?.get(0))
      if (status !== undefined && status !== "RUNNING")
        return { status, code: table.getChild("C")?.get(0) as string | null }
      yield* Effect.sleep("100 millis")
    }
    return { status: "RUNNING", code: null }
  })

describe("login timeout", () => {
  it("fails a login that gets no answer with SnowflakeConnectFailed naming the timeout and the fix", async () => {
    const port = await silentPort()
    const t0 = Date.now()
    const error = await Effect.runPromise(
      Effect.flip(
        Effect.scoped(Sql.use((sql) => Effect.succeed(sql.context))).pipe(
          Effect.provide(
            Sql.layerSnowflake({
              name: "silent",
              account: "runbatch",
              username: "tester",
              password: Redacted.make(PASSWORD),
              host: "127.0.0.1",
              port,
              protocol: "http",
              loginTimeoutMillis: 1_000
            })
          )
        )
      )
    )
    expect(Date.now() - t0).toBeLessThan(10_000)
    expect(error).toMatchObject({ _tag: "SnowflakeConnectFailed", connection: "silent" })
    expect(error.message).toContain("no answer within 1 s (loginTimeoutMillis)")
    expect(error.message).toContain("raise loginTimeoutMillis")
  }, 30_000)
})

describe("statement timeout", () => {
  it("sets STATEMENT_TIMEOUT_IN_SECONDS: Snowflake cancels a longer statement (000630) and it fails with StatementTimedOut", async () => {
    const result = await Effect.runPromise(
      Effect.scoped(
        Sql.use((sql) =>
          Effect.gen(function* () {
            const t0 = Date.now()
            const error = yield* Effect.flip(sql.query(SLOW))
            return {
              millis: Date.now() - t0,
              error,
              outcome: yield* outcomeOf(sql, SLOW),
              after: Number((yield* sql.query("SELECT 2 AS TWO")).getChild("TWO")?.get(0))
            }
          })
        )
      ).pipe(Effect.provide(snowflakeSqlLayer({ statementTimeoutSeconds: 1 })))
    )
    expect(result.error).toMatchObject({
      _tag: "StatementTimedOut",
      connection: "emulator",
      timeoutSeconds: 1
    })
    expect(result.error.message).toContain("timeout of 1 s")
    expect(result.error.message).toContain("statementTimeoutSeconds")
    expect(result.outcome).toEqual({ status: "FAILED_WITH_ERROR", code: "000630" })
    expect(result.millis).toBeLessThan(10_000)
    expect(result.after).toBe(2)
  }, 60_000)

  it("cancels the statement itself when Snowflake does not (the session parameter unset behind its back)", async () => {
    const result = await Effect.runPromise(
      Effect.scoped(
        Sql.use((sql) =>
          Effect.gen(function* () {
            yield* sql.execute("ALTER SESSION UNSET STATEMENT_TIMEOUT_IN_SECONDS")
            const t0 = Date.now()
            const error = yield* Effect.flip(sql.query(SLOW))
            return { millis: Date.now() - t0, error, outcome: yield* outcomeOf(sql, SLOW) }
          })
        )
      ).pipe(Effect.provide(snowflakeSqlLayer({ statementTimeoutSeconds: 1 })))
    )
    expect(result.error).toMatchObject({ _tag: "StatementTimedOut", timeoutSeconds: 1 })
    expect(result.outcome).toEqual({ status: "ABORTED", code: "000604" })
    expect(result.millis).toBeGreaterThanOrEqual(1_000)
    expect(result.millis).toBeLessThan(10_000)
  }, 60_000)
})
