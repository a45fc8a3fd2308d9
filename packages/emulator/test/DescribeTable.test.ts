// DESCRIBE TABLE / DESC VIEW through the real driver: each column with the Snowflake type its values
// arrive as, nullability, names resolved by Snowflake's rules; a missing table is Snowflake's 002003.
import { describe, expect, it } from "vitest"
import { connect, emulator, execute, failing } from "./support.ts"

describe("DESCRIBE TABLE", () => {
  it("lists a table's columns with their Snowflake types and nullability", async () => {
    const connection = await connect(await emulator())
    await execute(
      connection,
      "CREATE TABLE scores (id BIGINT NOT NULL, amount DECIMAL(12, 2), ratio DOUBLE, label VARCHAR, ok BOOLEAN, day DATE, seen TIMESTAMP, raw BINARY, doc VARIANT)"
    )
    const { rows } = await execute<Record<string, string | null>>(connection, "describe table scores")
    expect(rows.map((r) => [r["name"], r["type"], r["kind"], r["null?"]])).toEqual([
      ["ID", "NUMBER(38,0)", "COLUMN", "N"],
      ["AMOUNT", "NUMBER(12,2)", "COLUMN", "Y"],
      ["RATIO", "FLOAT", "COLUMN", "Y"],
      ["LABEL", "VARCHAR(16777216)", "COLUMN", "Y"],
      ["OK", "BOOLEAN", "COLUMN", "Y"],
      ["DAY", "DATE", "COLUMN", "Y"],
      ["SEEN", "TIMESTAMP_NTZ(6)", "COLUMN", "Y"],
      ["RAW", "BINARY(8388608)", "COLUMN", "Y"],
      ["DOC", "VARIANT", "COLUMN", "Y"]
    ])
    expect(Object.keys(rows[0] ?? {})).toContain("primary key")

    await execute(connection, "CREATE VIEW labels AS SELECT label FROM scores")
    const view = await execute<Record<string, string>>(connection, "DESC VIEW RUNBATCH.PUBLIC.LABELS")
    expect(view.rows.map((r) => r["name"])).toEqual(["LABEL"])
  })

  it("answers a table that does not exist with 002003, naming it", async () => {
    const connection = await connect(await emulator())
    const error = await failing(connection, "DESCRIBE TABLE nope")
    expect(error.code).toBe("002003")
    expect(error.message).toContain("RUNBATCH.PUBLIC.NOPE")
  })
})
