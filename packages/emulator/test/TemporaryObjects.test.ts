/**
 * TEMPORARY tables and stages through snowflake-sdk: the emulator creates them as ordinary objects
 * and drops them when their session ends (destroyed by the client), as Snowflake does; permanent
 * ones, and temporary ones dropped or replaced by permanent ones meanwhile, stay.
 */
import { existsSync } from "node:fs"
import { LocalLayout } from "@runbatch/spec"
import type snowflake from "snowflake-sdk"
import { describe, expect, it } from "vitest"
import { connect, emulator, execute } from "./support.ts"

const destroy = (connection: snowflake.Connection) =>
  new Promise<void>((resolve) => connection.destroy(() => resolve()))

const tableNames = async (connection: snowflake.Connection) =>
  (await execute<{ name: string }>(connection, "SHOW TABLES")).rows.map((row) => row.name).sort()

describe("temporary objects", () => {
  it("drops a session's temporary tables and stages when the session ends", async () => {
    const running = await emulator()
    const first = await connect(running)
    await execute(first, "CREATE TEMPORARY TABLE SCRATCH (X INT)")
    await execute(first, "CREATE TEMP TABLE ALSO_SCRATCH AS SELECT 1 AS X")
    await execute(first, "CREATE TEMPORARY TABLE REPLACED (X INT)")
    await execute(first, "CREATE OR REPLACE TABLE REPLACED (X INT)")
    await execute(first, "CREATE TEMPORARY TABLE DROPPED (X INT)")
    await execute(first, "DROP TABLE DROPPED")
    await execute(first, "CREATE TABLE KEPT (X INT)")
    await execute(first, "CREATE TRANSIENT TABLE TRANSIENT_KEPT (X INT)")
    await execute(first, "CREATE TEMPORARY STAGE SCRATCH_STAGE")
    await execute(first, "CREATE STAGE KEPT_STAGE")
    const second = await connect(running)
    // Ordinary objects meanwhile: another session sees them.
    expect(await tableNames(second)).toEqual([
      "ALSO_SCRATCH",
      "KEPT",
      "REPLACED",
      "SCRATCH",
      "TRANSIENT_KEPT"
    ])
    await destroy(first)
    expect(await tableNames(second)).toEqual(["KEPT", "REPLACED", "TRANSIENT_KEPT"])
    const stage = (name: string) =>
      LocalLayout.stageDir(running.home, { database: "RUNBATCH", schema: "PUBLIC", stage: name })
    expect(existsSync(stage("SCRATCH_STAGE"))).toBe(false)
    expect(existsSync(stage("KEPT_STAGE"))).toBe(true)
  })
})
