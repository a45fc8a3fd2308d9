// Queries over staged parquet files through the real driver: named file formats (a temporary one
// gone with its session), INFER_SCHEMA's columns and expressions, and SELECT $1:COL … FROM @stage
// (FILE_FORMAT => …, PATTERN => …) reading exactly the files PATTERN picks.
import { describe, expect, it } from "vitest"
import { connect, emulator, execute, failing } from "./support.ts"

const prepare = async () => {
  const running = await emulator()
  const connection = await connect(running)
  await execute(connection, "CREATE STAGE S")
  await execute(
    connection,
    `COPY INTO @S/out/part1 FROM (SELECT 1 AS ID, 'one' AS "Label", 0.5::DOUBLE AS SCORE) FILE_FORMAT = (TYPE = PARQUET) HEADER = TRUE`
  )
  await execute(
    connection,
    `COPY INTO @S/out/part2 FROM (SELECT 2 AS ID, 'two' AS "Label", 1.5::DOUBLE AS SCORE) FILE_FORMAT = (TYPE = PARQUET) HEADER = TRUE`
  )
  await execute(connection, "CREATE TEMPORARY FILE FORMAT PQ TYPE = PARQUET")
  return { running, connection }
}

describe("staged parquet files", () => {
  it("infers the files' columns, and reads them typed with $1:COL through the inferred expressions", async () => {
    const { connection } = await prepare()
    const inferred = await execute<Record<string, unknown>>(
      connection,
      "SELECT COLUMN_NAME, TYPE, EXPRESSION FROM TABLE(INFER_SCHEMA(LOCATION => '@S/out/', FILE_FORMAT => 'PQ')) ORDER BY ORDER_ID"
    )
    expect(inferred.rows).toEqual([
      { COLUMN_NAME: "ID", TYPE: "NUMBER(38, 0)", EXPRESSION: '$1:"ID"::NUMBER(38, 0)' },
      { COLUMN_NAME: "Label", TYPE: "TEXT", EXPRESSION: '$1:"Label"::TEXT' },
      { COLUMN_NAME: "SCORE", TYPE: "REAL", EXPRESSION: '$1:"SCORE"::REAL' }
    ])
    const select = inferred.rows
      .map((r) => `${String(r["EXPRESSION"])} AS "${String(r["COLUMN_NAME"])}"`)
      .join(", ")
    const read = await execute<Record<string, unknown>>(
      connection,
      `SELECT ${select} FROM @S/out/ (FILE_FORMAT => 'PQ', PATTERN => '.*[.]parquet') ORDER BY ID`,
      { fetchAsString: ["Number"] }
    )
    expect(read.rows).toEqual([
      { ID: "1", Label: "one", SCORE: "0.5" },
      { ID: "2", Label: "two", SCORE: "1.5" }
    ])
    expect((read.statement.getColumns() ?? []).map((c) => [c.getName(), c.getType()])).toEqual([
      ["ID", "fixed"],
      ["Label", "text"],
      ["SCORE", "real"]
    ])
    const one = await execute<Record<string, unknown>>(
      connection,
      "SELECT $1:ID AS ID FROM @S/out/ (FILE_FORMAT => 'PQ', PATTERN => '.*part2.*')"
    )
    expect(one.rows.map((r) => Number(r["ID"]))).toEqual([2])
  })

  it("refuses what it cannot read, with Snowflake's codes; a temporary format ends with its session", async () => {
    const { running, connection } = await prepare()
    expect((await failing(connection, "SELECT $1:ID FROM @S/out/ (FILE_FORMAT => 'NOPE')")).code).toBe(
      "002003"
    )
    await execute(connection, "CREATE FILE FORMAT CSVF TYPE = CSV")
    expect((await failing(connection, "SELECT $1:ID FROM @S/out/ (FILE_FORMAT => 'CSVF')")).code).toBe(
      "000002"
    )
    expect((await failing(connection, "SELECT $1 FROM @S/out/ (FILE_FORMAT => 'PQ')")).code).toBe("001003")
    expect((await failing(connection, "SELECT $1:ID FROM @S/none/ (FILE_FORMAT => 'PQ')")).code).toBe(
      "002003"
    )
    const other = await connect(running)
    expect((await failing(other, "SELECT $1:ID FROM @S/out/ (FILE_FORMAT => 'PQ')")).message).toContain(
      "RUNBATCH.PUBLIC.PQ"
    )
    // A permanent format outlives the session that made it.
    expect((await failing(other, "SELECT $1:ID FROM @S/out/ (FILE_FORMAT => 'CSVF')")).code).toBe("000002")
    await execute(other, "DROP FILE FORMAT CSVF")
    expect((await failing(other, "DROP FILE FORMAT CSVF")).code).toBe("002003")
  })
})
