/** Every Snowflake column type the emulator sends, as snowflake-sdk reads it back. */
import type snowflake from "snowflake-sdk"
import { describe, expect, it } from "vitest"
import { connect, emulator, execute } from "./support.ts"

const TYPES_QUERY = `select
  9007199254740993 as big,
  123.45::number(10,2) as price,
  -0.5::number(38,3) as negative,
  1.5::float as f,
  'inf'::float as pinf,
  '-inf'::float as ninf,
  'nan'::float as nan,
  true as b,
  'text' as t,
  '2024-02-29'::date as d,
  '13:45:56.123456'::time as tm,
  '2024-02-29 13:45:56.123456'::timestamp_ntz as ntz,
  '1969-12-31 23:59:58.5'::timestamp_ntz as before_epoch,
  '2024-02-29 13:45:56.123456+02:00'::timestamp_ltz as ltz,
  parse_json('{"a":[1,2],"b":null}') as v,
  [1, 2, 3] as arr,
  {'k': 1, 's': 'x'} as obj,
  from_hex('00ff61') as bin,
  null::varchar as nothing`

const columnsOf = (statement: snowflake.RowStatement) =>
  Object.fromEntries(
    (statement.getColumns() ?? []).map((c) => [c.getName(), [c.getType(), c.getPrecision(), c.getScale()]])
  )

describe("types", () => {
  it("sends each DuckDB type as its Snowflake rowtype", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const { statement } = await execute(connection, TYPES_QUERY, { describeOnly: true })
    expect(columnsOf(statement)).toEqual({
      BIG: ["fixed", 19, 0],
      PRICE: ["fixed", 10, 2],
      NEGATIVE: ["fixed", 38, 3],
      F: ["real", null, null],
      PINF: ["real", null, null],
      NINF: ["real", null, null],
      NAN: ["real", null, null],
      B: ["boolean", null, null],
      T: ["text", null, null],
      D: ["date", null, null],
      TM: ["time", null, 6],
      NTZ: ["timestamp_ntz", null, 6],
      BEFORE_EPOCH: ["timestamp_ntz", null, 6],
      LTZ: ["timestamp_ltz", null, 6],
      V: ["variant", null, null],
      ARR: ["array", null, null],
      OBJ: ["object", null, null],
      BIN: ["binary", null, null],
      NOTHING: ["text", null, null]
    })
  })

  it("round-trips exact numbers as strings, 9007199254740993 included", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const { rows } = await execute<Record<string, unknown>>(connection, TYPES_QUERY, {
      fetchAsString: ["Number"]
    })
    const row = rows[0]!
    expect([row["BIG"], row["PRICE"], row["NEGATIVE"], row["F"]]).toEqual([
      "9007199254740993",
      "123.45",
      "-0.500",
      "1.5"
    ])
    expect([row["PINF"], row["NINF"], row["NAN"]]).toEqual(["inf", "-inf", "NaN"])
    const { rows: bound } = await execute<Record<string, unknown>>(connection, "select ? as x, ? + 0 as y", {
      binds: ["9007199254740993", 9007199254740992],
      fetchAsString: ["Number"]
    })
    expect(bound).toEqual([{ X: "9007199254740993", Y: "9007199254740992" }])
    const { rows: exact } = await execute<Record<string, unknown>>(
      connection,
      "select 9007199254740993 + 0 as z",
      {
        fetchAsString: ["Number"]
      }
    )
    expect(exact).toEqual([{ Z: "9007199254740993" }])
  })

  it("reads dates, times, timestamps, JSON and binary as the driver converts them", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const { rows } = await execute<Record<string, unknown>>(connection, TYPES_QUERY)
    const row = rows[0]!
    expect(row["B"]).toBe(true)
    expect(row["T"]).toBe("text")
    expect((row["D"] as Date).toISOString()).toBe("2024-02-29T00:00:00.000Z")
    expect(row["TM"]).toBe("13:45:56")
    expect((row["NTZ"] as Date).toISOString()).toBe("2024-02-29T13:45:56.123Z")
    expect((row["BEFORE_EPOCH"] as Date).toISOString()).toBe("1969-12-31T23:59:58.500Z")
    expect((row["LTZ"] as Date).toISOString()).toBe("2024-02-29T11:45:56.123Z")
    expect(row["V"]).toEqual({ a: [1, 2], b: null })
    expect(row["ARR"]).toEqual([1, 2, 3])
    expect(row["OBJ"]).toEqual({ k: 1, s: "x" })
    expect(Buffer.from(row["BIN"] as Uint8Array).toString("hex")).toBe("00ff61")
    expect(row["NOTHING"]).toBeNull()
    expect(Number.isNaN(row["NAN"])).toBe(true)
  })
})
