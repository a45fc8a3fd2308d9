import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Sql } from "../src/index.ts"
import * as SnowflakeColumns from "../src/SnowflakeColumns.ts"
import { tempHome, withSql } from "./support.ts"

const column = (name: string, type: string, scale?: number): SnowflakeColumns.SnowflakeColumn => ({
  name,
  type,
  ...(scale === undefined ? {} : { scale })
})

describe("SnowflakeColumns", () => {
  it("keeps NUMBER(38, 0) exact as INT64 and refuses what does not fit 64 bits", () => {
    const big = column("BIG", "fixed", 0)
    expect(SnowflakeColumns.parseValue(big, "9007199254740993")).toBe(9007199254740993n)
    expect(SnowflakeColumns.parseValue(big, "-9223372036854775808")).toBe(-(2n ** 63n))
    expect(() => SnowflakeColumns.parseValue(big, "9223372036854775808")).toThrow(
      "BIG: 9223372036854775808 does not fit INT64"
    )
  })

  it("reads a scaled NUMBER and REAL as doubles, non-finite values included", () => {
    expect(SnowflakeColumns.parseValue(column("D", "fixed", 2), "12.34")).toBe(12.34)
    const real = column("R", "real")
    expect(SnowflakeColumns.parseValue(real, "inf")).toBe(Number.POSITIVE_INFINITY)
    expect(SnowflakeColumns.parseValue(real, "-inf")).toBe(Number.NEGATIVE_INFINITY)
    expect(SnowflakeColumns.parseValue(real, "NaN")).toBeNaN()
    expect(SnowflakeColumns.parseValue(real, "1.5e-7")).toBe(1.5e-7)
  })

  it("reads dates and timestamps as microseconds since the epoch, offsets applied", () => {
    const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n
    expect(SnowflakeColumns.parseValue(column("D", "date"), "2026-12-07")).toBe(
      micros("2026-12-07T00:00:00Z")
    )
    expect(SnowflakeColumns.parseValue(column("T", "timestamp_ntz"), "2026-12-07 10:11:12.123456789")).toBe(
      micros("2026-12-07T10:11:12.123Z") + 456n
    )
    // 10:11 at +05:30 is 04:41 UTC; at -08:00 it is 18:11 UTC.
    expect(
      SnowflakeColumns.parseValue(column("T", "timestamp_tz"), "2026-12-07 10:11:12.000000000 +05:30")
    ).toBe(micros("2026-12-07T04:41:12Z"))
    expect(SnowflakeColumns.parseValue(column("T", "timestamp_ltz"), "2026-12-07 10:11:12.5 -08:00")).toBe(
      micros("2026-12-07T18:11:12.5Z")
    )
    expect(SnowflakeColumns.parseValue(column("T", "timestamp_ntz"), "0001-01-01 00:00:00.000000000")).toBe(
      micros("0001-01-01T00:00:00Z")
    )
    expect(() => SnowflakeColumns.parseValue(column("T", "timestamp_ntz"), "yesterday")).toThrow(
      'T: "yesterday" is not a date or timestamp'
    )
  })

  it("reads booleans, hex binary, JSON and text as they are, and NULL as null", () => {
    expect(SnowflakeColumns.parseValue(column("B", "boolean"), "true")).toBe(true)
    expect(SnowflakeColumns.parseValue(column("B", "boolean"), "0")).toBe(false)
    expect(SnowflakeColumns.parseValue(column("X", "binary"), "00ff10")).toEqual(Uint8Array.of(0, 255, 16))
    expect(() => SnowflakeColumns.parseValue(column("X", "binary"), "0g")).toThrow("is not hex")
    expect(SnowflakeColumns.parseValue(column("V", "variant"), '{"a":[1,2]}')).toBe('{"a":[1,2]}')
    expect(SnowflakeColumns.parseValue(column("S", "text"), "héllo")).toBe("héllo")
    expect(SnowflakeColumns.parseValue(column("S", "text"), null)).toBeNull()
  })

  it.effect("types a result exactly as the local account types the same query", () =>
    Effect.gen(function* () {
      const local = yield* withSql(
        tempHome(),
        Sql.use((sql) =>
          sql.query(
            "SELECT CAST(9007199254740993 AS BIGINT) AS BIG, CAST(12.34 AS DECIMAL(38, 2)) AS DEC, CAST('inf' AS DOUBLE) AS R, TRUE AS B, 'héllo' AS S, CAST('2026-12-07 10:11:12.123456' AS TIMESTAMP) AS AT, DATE '2026-12-07' AS DAY, CAST(NULL AS VARCHAR) AS N"
          )
        )
      )
      const snowflake = SnowflakeColumns.toTable(
        [
          column("BIG", "fixed", 0),
          column("DEC", "fixed", 2),
          column("R", "real"),
          column("B", "boolean"),
          column("S", "text"),
          column("AT", "timestamp_ntz", 9),
          column("DAY", "date"),
          column("N", "text")
        ],
        [
          [
            "9007199254740993",
            "12.34",
            "inf",
            "true",
            "héllo",
            "2026-12-07 10:11:12.123456000",
            "2026-12-07",
            null
          ]
        ]
      )
      expect(snowflake.schema.fields.map((f) => `${f.name} ${f.type}`)).toEqual(
        local.schema.fields.map((f) => `${f.name} ${f.type}`)
      )
      expect(snowflake.get(0)?.toJSON()).toEqual(local.get(0)?.toJSON())
    })
  )
})
