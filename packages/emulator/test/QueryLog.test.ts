/**
 * Every statement recorded: the query log file, QUERY_HISTORY() (with the session's QUERY_TAG), and
 * secrets kept out of both.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Sql } from "@runbatch/session"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { connect, emulator, execute, failing, snowflakeSqlLayer, tempDir } from "./support.ts"

const sessionVersion = (
  JSON.parse(readFileSync(new URL("../../session/package.json", import.meta.url), "utf8")) as {
    version: string
  }
).version

describe("query log", () => {
  it("writes one JSON line per statement, with secrets redacted, and QUERY_HISTORY() returns them", async () => {
    const queryLog = join(tempDir("emulator-log-"), "queries.jsonl")
    const running = await emulator({ queryLog })
    const connection = await connect(running)
    await execute(connection, "select 1 as one")
    await failing(connection, "select * from nowhere")
    await failing(
      connection,
      "create or replace secret s type = password username = 'svc' password = 'hunter2'"
    )
    await failing(connection, "alter user me set rsa_public_key = 'MIIBIjANBgkq'")
    const { rows } = await execute<Record<string, unknown>>(
      connection,
      "select query_text, execution_status, error_code, user_name from table(information_schema.query_history()) where query_text not like '%query_history%' order by start_time"
    )
    expect(rows).toEqual([
      { QUERY_TEXT: "select 1 as one", EXECUTION_STATUS: "SUCCESS", ERROR_CODE: null, USER_NAME: "TESTER" },
      {
        QUERY_TEXT: "select * from nowhere",
        EXECUTION_STATUS: "FAILED_WITH_ERROR",
        ERROR_CODE: "002003",
        USER_NAME: "TESTER"
      },
      {
        QUERY_TEXT: "create or replace secret s type = password username = '***' password = '***'",
        EXECUTION_STATUS: "FAILED_WITH_ERROR",
        ERROR_CODE: "000002",
        USER_NAME: "TESTER"
      },
      {
        QUERY_TEXT: "alter user me set rsa_public_key = '***'",
        EXECUTION_STATUS: "FAILED_WITH_ERROR",
        ERROR_CODE: "002029",
        USER_NAME: "TESTER"
      }
    ])
    await running.close()
    const text = readFileSync(queryLog, "utf8")
    expect(text).not.toContain("hunter2")
    expect(text).not.toContain("MIIBIjANBgkq")
    const lines = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { sql: string; status: string; queryId: string })
    expect(lines.map((line) => [line.sql, line.status])).toEqual([
      ["select 1 as one", "SUCCESS"],
      ["select * from nowhere", "FAILED_WITH_ERROR"],
      ["create or replace secret s type = password username = '***' password = '***'", "FAILED_WITH_ERROR"],
      ["alter user me set rsa_public_key = '***'", "FAILED_WITH_ERROR"],
      [
        "select query_text, execution_status, error_code, user_name from table(information_schema.query_history()) where query_text not like '%query_history%' order by start_time",
        "SUCCESS"
      ]
    ])
    expect(lines.every((line) => /^[0-9a-f-]{36}$/.test(line.queryId))).toBe(true)
  })

  it("QUERY_HISTORY() gives each statement the QUERY_TAG its session had set", async () => {
    const running = await emulator()
    const connection = await connect(running)
    await execute(connection, "select 1 as untagged")
    await execute(connection, "alter session set query_tag = 'nightly-scoring'")
    await execute(connection, "select 2 as tagged")
    const { rows } = await execute(
      connection,
      "select query_text, query_tag from table(information_schema.query_history()) where query_text like 'select % as %tagged' order by start_time"
    )
    expect(rows).toEqual([
      { QUERY_TEXT: "select 1 as untagged", QUERY_TAG: null },
      { QUERY_TEXT: "select 2 as tagged", QUERY_TAG: "nightly-scoring" }
    ])
  })

  it("the statements of a Sql.layerSnowflake session carry runbatch/<version>", async () => {
    const tags = await Effect.runPromise(
      Effect.scoped(
        Sql.use((sql) =>
          Effect.gen(function* () {
            yield* sql.query("SELECT 42 AS ANSWER")
            const table = yield* sql.query(
              "SELECT query_tag AS T FROM TABLE(INFORMATION_SCHEMA.QUERY_HISTORY()) WHERE query_text = 'SELECT 42 AS ANSWER'"
            )
            return Array.from({ length: table.numRows }, (_, i) => table.getChild("T")?.get(i) as unknown)
          })
        )
      ).pipe(Effect.provide(snowflakeSqlLayer()))
    )
    expect(tags).toEqual([`runbatch/${sessionVersion}`])
  }, 60_000)
})
