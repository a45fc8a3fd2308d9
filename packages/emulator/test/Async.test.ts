/** asyncExec, query status, results by query id, cancel, and session renewal, through snowflake-sdk. */
import type snowflake from "snowflake-sdk"
import { describe, expect, it } from "vitest"
import { connect, emulator, execute } from "./support.ts"

/** A statement DuckDB works on for many seconds (10^10 rows of a cross join). */
const SLOW = "select sum(a.range * b.range) as s from range(100000) a, range(100000) b"

const started = (
  connection: snowflake.Connection,
  options: Partial<snowflake.StatementOption>
): Promise<{ statement: snowflake.RowStatement; done: Promise<unknown> }> =>
  new Promise((resolve) => {
    let settle: (value: unknown) => void = () => undefined
    const done = new Promise((r) => {
      settle = r
    })
    const statement = connection.execute({
      ...options,
      complete: (error) => settle(error ?? "completed")
    } as snowflake.StatementOption) as snowflake.RowStatement
    resolve({ statement, done })
  })

const rowsOf = (statement: snowflake.RowStatement): Promise<Array<Record<string, unknown>>> =>
  new Promise((resolve, reject) => {
    const rows: Array<Record<string, unknown>> = []
    statement
      .streamRows()
      .on("data", (row: Record<string, unknown>) => rows.push(row))
      .on("error", reject)
      .on("end", () => resolve(rows))
  })

describe("asynchronous statements", () => {
  it("asyncExec answers at once; getQueryStatus and getResultsFromQueryId follow it", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const { statement } = await execute(connection, "select range as n from range(5)", { asyncExec: true })
    const queryId = statement.getQueryId()
    expect(queryId).toMatch(/^[0-9a-f-]{36}$/)
    const results = await connection.getResultsFromQueryId({ queryId })
    expect(await rowsOf(results as snowflake.RowStatement)).toEqual([0, 1, 2, 3, 4].map((n) => ({ N: n })))
    expect(await connection.getQueryStatus(queryId)).toBe("SUCCESS")
  })

  it("a failed asynchronous statement reports its error through getQueryStatusThrowIfError", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const { statement } = await execute(connection, "select * from missing_table", { asyncExec: true })
    const queryId = statement.getQueryId()
    const error = (await connection
      .getResultsFromQueryId({ queryId })
      .catch((e: unknown) => e)) as snowflake.SnowflakeError
    expect(error.code).toBe("002003")
    expect(await connection.getQueryStatus(queryId)).toBe("FAILED_WITH_ERROR")
  })

  it("cancel() stops a running statement with 000604", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const { statement, done } = await started(connection, { sqlText: SLOW })
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const cancelled = new Promise<unknown>((resolve) =>
      statement.cancel((error) => resolve(error ?? "cancelled"))
    )
    const t0 = Date.now()
    const outcome = (await done) as snowflake.SnowflakeError
    expect(await cancelled).toBe("cancelled")
    expect(outcome.code).toBe("000604")
    expect(Date.now() - t0).toBeLessThan(10_000)
    // The session goes on.
    expect((await execute(connection, "select 2 as two")).rows).toEqual([{ TWO: 2 }])
  })

  it("cancels an asyncExec statement by its query id; its status becomes ABORTED", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const { statement } = await execute(connection, SLOW, { asyncExec: true })
    const queryId = statement.getQueryId()
    expect(await connection.getQueryStatus(queryId)).toBe("RUNNING")
    await new Promise<void>((resolve, reject) =>
      statement.cancel((error) => (error ? reject(error) : resolve()))
    )
    for (let i = 0; i < 50 && (await connection.getQueryStatus(queryId)) === "RUNNING"; i++)
      await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await connection.getQueryStatus(queryId)).toBe("ABORTED")
  })

  it("a statement still running when the request is held long enough answers 333333, and the driver polls for it", async () => {
    const running = await emulator({ holdMillis: 50 })
    const connection = await connect(running)
    const { rows } = await execute(
      connection,
      "select count(*) as n from range(8000) a, range(8000) b where (a.range + b.range) % 7 = 0"
    )
    expect(rows).toEqual([{ N: 9_142_857 }])
  })

  it("renews an expired session token with the master token and goes on", async () => {
    const running = await emulator({ validity: { sessionSeconds: 1, masterSeconds: 600 } })
    const connection = await connect(running)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect((await execute(connection, "select 3 as three")).rows).toEqual([{ THREE: 3 }])
  })
})
