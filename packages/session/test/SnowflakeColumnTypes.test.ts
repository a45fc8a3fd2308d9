import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { openDuckDb } from "../src/Connection.ts"
import { snowflakeTypeOf } from "../src/SnowflakeColumnTypes.ts"

// DuckDB expression → the Snowflake column type it is uploaded as (undefined: refused).
const cases: ReadonlyArray<readonly [string, string | undefined]> = [
  ["TRUE", "BOOLEAN"],
  ["1::TINYINT", "NUMBER(38,0)"],
  ["1::INTEGER", "NUMBER(38,0)"],
  ["1::BIGINT", "NUMBER(38,0)"],
  ["1::UBIGINT", "NUMBER(38,0)"],
  ["1.5::DECIMAL(10,2)", "NUMBER(10,2)"],
  ["1::DECIMAL(38,0)", "NUMBER(38,0)"],
  ["1.5::FLOAT", "FLOAT"],
  ["1.5::DOUBLE", "FLOAT"],
  ["'x'::VARCHAR", "TEXT"],
  ["'{}'::JSON", "VARIANT"],
  ["'x'::BLOB", "BINARY"],
  ["DATE '2026-12-07'", "DATE"],
  ["TIME '10:11:12'", "TIME"],
  ["TIMESTAMP '2026-12-07 10:11:12'", "TIMESTAMP_NTZ"],
  ["'2026-12-07 10:11:12'::TIMESTAMP_NS", "TIMESTAMP_NTZ"],
  ["'2026-12-07 10:11:12+00'::TIMESTAMPTZ", "TIMESTAMP_TZ"],
  ["[1, 2]", "ARRAY"],
  ["[1, 2]::INTEGER[2]", "ARRAY"],
  ["{'a': 1}", "OBJECT"],
  ["MAP {'a': 1}", "OBJECT"],
  ["1::HUGEINT", undefined],
  ["INTERVAL 1 DAY", undefined],
  ["uuid()", undefined],
  ["'101'::BIT", undefined]
]

describe("snowflakeTypeOf", () => {
  it.effect("maps each DuckDB type to its Snowflake column type, and has none for the rest", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { connection } = yield* openDuckDb({ threads: "1" })
        const columns = yield* connection.columns(
          `SELECT ${cases.map(([expression], i) => `${expression} AS c${i}`).join(", ")}`
        )
        expect(columns.map((column) => snowflakeTypeOf(column.type))).toEqual(cases.map(([, type]) => type))
      })
    )
  )
})
