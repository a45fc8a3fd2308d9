/**
 * Sql.layerSnowflake runs statements asynchronously (asyncExec, status polled, result fetched by query
 * id), and cancels one by its id with SYSTEM$CANCEL_QUERY when its Effect is interrupted: the emulator's
 * query log shows both.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Sql } from "@runbatch/session"
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { connect, emulator, execute, snowflakeSqlLayer, tempDir } from "./support.ts"

/** A statement DuckDB works on for many seconds (10^10 rows of a cross join). */
const SLOW = "select sum(a.range * b.range) as s from range(100000) a, range(100000) b"

interface LogLine {
  readonly sql: string
  readonly status: string
  readonly queryId: string
  readonly asyncExec?: boolean
}

const logLines = (file: string): Array<LogLine> =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as LogLine)

describe("asynchronous statements of Sql.layerSnowflake", () => {
  it("runs queries and streamed queries with asyncExec, and cancels a long one by its query id when interrupted", async () => {
    const queryLog = join(tempDir("emulator-async-"), "queries.jsonl")
    const result = await Effect.runPromise(
      Effect.scoped(
        Sql.use((sql) =>
          Effect.gen(function* () {
            const one = yield* sql.query("SELECT 1 AS ONE")
            const streamed = yield* Stream.runCollect(sql.streamQuery("SELECT range AS N FROM range(3)"))
            const t0 = Date.now()
            const timedOut = yield* Effect.timeoutOption(sql.query(SLOW), "1 second")
            const interruptMillis = Date.now() - t0
            // The session goes on.
            const after = yield* sql.query("SELECT 2 AS TWO")
            return {
              one: Number(one.getChild("ONE")?.get(0)),
              streamed: streamed.reduce((n, batch) => n + batch.numRows, 0),
              timedOut: timedOut._tag,
              interruptMillis,
              after: Number(after.getChild("TWO")?.get(0))
            }
          })
        )
      ).pipe(Effect.provide(snowflakeSqlLayer({}, { queryLog })))
    )
    expect(result).toMatchObject({ one: 1, streamed: 3, timedOut: "None", after: 2 })
    expect(result.interruptMillis).toBeLessThan(5_000)
    // The emulator's log is written when it stops (the layer's scope closed).
    const lines = logLines(queryLog)
    const byText = (sql: string) => lines.find((line) => line.sql === sql)
    expect(byText("SELECT 1 AS ONE")).toMatchObject({ status: "SUCCESS", asyncExec: true })
    expect(byText("SELECT range AS N FROM range(3)")).toMatchObject({ status: "SUCCESS", asyncExec: true })
    const slow = byText(SLOW)
    expect(slow).toMatchObject({ status: "ABORTED", asyncExec: true })
    expect(byText(`SELECT SYSTEM$CANCEL_QUERY('${slow?.queryId}')`)).toMatchObject({ status: "SUCCESS" })
  }, 60_000)
})

describe("SYSTEM$CANCEL_QUERY", () => {
  it("cancels another request's running statement by its query id; its status becomes ABORTED", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const { statement } = await execute(connection, SLOW, { asyncExec: true })
    const queryId = statement.getQueryId()
    const { rows } = await execute(connection, `SELECT SYSTEM$CANCEL_QUERY('${queryId}') AS R`)
    expect(Object.values(rows[0] ?? {})).toEqual([`query [${queryId}] terminated.`])
    for (let i = 0; i < 50 && (await connection.getQueryStatus(queryId)) === "RUNNING"; i++)
      await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await connection.getQueryStatus(queryId)).toBe("ABORTED")
    const again = await execute(connection, `SELECT SYSTEM$CANCEL_QUERY('${queryId}')`)
    expect(Object.values(again.rows[0] ?? {})).toEqual([
      "Identified SQL statement is not currently executing."
    ])
  }, 30_000)
})
