import { describe, expect, it } from "@effect/vitest"
import { Signature } from "@runbatch/spec"
import { Effect } from "effect"
import { fromFeature, toDuckDbSql } from "../src/ColumnType.ts"
import { Sql } from "../src/index.ts"
import { tempHome, withSql } from "./support.ts"

interface Case {
  readonly sql: string
  readonly feature: Signature.Feature
  readonly arrow: string
  /** The first value collect() returns (Arrow's JS form; for timestamps the raw µs or ns bigint). */
  readonly value: unknown
}

const f = Signature.feature
const g = Signature.group

// DuckDB type → signature feature → Arrow type and value, one row per mapping rule.
const cases: Record<string, Case> = {
  tinyint: { sql: "-5::TINYINT", feature: f("tinyint", "INT8"), arrow: "Int8", value: -5 },
  smallint: { sql: "300::SMALLINT", feature: f("smallint", "INT16"), arrow: "Int16", value: 300 },
  integer: { sql: "70000::INTEGER", feature: f("integer", "INT32"), arrow: "Int32", value: 70000 },
  bigint: {
    sql: "9007199254740993::BIGINT",
    feature: f("bigint", "INT64"),
    arrow: "Int64",
    value: 9007199254740993n
  },
  utinyint: { sql: "255::UTINYINT", feature: f("utinyint", "UINT8"), arrow: "Uint8", value: 255 },
  usmallint: { sql: "65535::USMALLINT", feature: f("usmallint", "UINT16"), arrow: "Uint16", value: 65535 },
  uinteger: {
    sql: "4294967295::UINTEGER",
    feature: f("uinteger", "UINT32"),
    arrow: "Uint32",
    value: 4294967295
  },
  ubigint: {
    sql: "18446744073709551615::UBIGINT",
    feature: f("ubigint", "UINT64"),
    arrow: "Uint64",
    value: 18446744073709551615n
  },
  float: { sql: "1.5::FLOAT", feature: f("float", "FLOAT"), arrow: "Float32", value: 1.5 },
  double: { sql: "0.1::DOUBLE", feature: f("double", "DOUBLE"), arrow: "Float64", value: 0.1 },
  decimal0: {
    sql: "12345678901234::DECIMAL(18,0)",
    feature: f("decimal0", "INT64"),
    arrow: "Int64",
    value: 12345678901234n
  },
  decimal2: {
    sql: "123.45::DECIMAL(10,2)",
    feature: f("decimal2", "DOUBLE"),
    arrow: "Float64",
    value: 123.45
  },
  boolean: { sql: "true", feature: f("boolean", "BOOL"), arrow: "Bool", value: true },
  varchar: { sql: "'héllo'", feature: f("varchar", "STRING"), arrow: "Utf8", value: "héllo" },
  blob: {
    sql: "'\\x00\\xFF'::BLOB",
    feature: f("blob", "BYTES"),
    arrow: "Binary",
    value: new Uint8Array([0, 255])
  },
  date: {
    sql: "DATE '2024-02-29'",
    feature: f("date", "TIMESTAMP_NTZ"),
    arrow: "Timestamp<MICROSECOND>",
    value: 1709164800000000n
  },
  timestamp: {
    sql: "TIMESTAMP '2024-02-29 12:34:56.123456'",
    feature: f("timestamp", "TIMESTAMP_NTZ"),
    arrow: "Timestamp<MICROSECOND>",
    value: 1709210096123456n
  },
  timestamp_s: {
    sql: "TIMESTAMP_S '2024-02-29 12:34:56'",
    feature: f("timestamp_s", "TIMESTAMP_NTZ"),
    arrow: "Timestamp<MICROSECOND>",
    value: 1709210096000000n
  },
  timestamp_ms: {
    sql: "TIMESTAMP_MS '2024-02-29 12:34:56.789'",
    feature: f("timestamp_ms", "TIMESTAMP_NTZ"),
    arrow: "Timestamp<MICROSECOND>",
    value: 1709210096789000n
  },
  timestamp_ns: {
    sql: "TIMESTAMP_NS '2024-02-29 12:34:56.123456789'",
    feature: f("timestamp_ns", "TIMESTAMP_NTZ"),
    arrow: "Timestamp<NANOSECOND>",
    value: 1709210096123456789n
  },
  list: {
    sql: "[1.5, 2.5]::DOUBLE[]",
    feature: f("list", "DOUBLE", { shape: [-1] }),
    arrow: "List<Float64>",
    value: [1.5, 2.5]
  },
  nested_list: {
    sql: "[[1, 2], [3]]::INTEGER[][]",
    feature: f("nested_list", "INT32", { shape: [-1, -1] }),
    arrow: "List<List<Int32>>",
    value: [[1, 2], [3]]
  },
  array: {
    sql: "[1, 2, 3]::FLOAT[3]",
    feature: f("array", "FLOAT", { shape: [3] }),
    arrow: "FixedSizeList[3]<Float32>",
    value: [1, 2, 3]
  },
  struct: {
    sql: "{'x': 1.5::DOUBLE, 'tags': ['a']}",
    feature: g("struct", [f("x", "DOUBLE"), f("tags", "STRING", { shape: [-1] })]),
    arrow: "Struct<{x:Float64, tags:List<Utf8>}>",
    value: { x: 1.5, tags: ["a"] }
  },
  list_of_structs: {
    sql: "[{'x': 1::INTEGER}, {'x': 2::INTEGER}]",
    feature: g("list_of_structs", [f("x", "INT32")], { shape: [-1] }),
    arrow: "List<Struct<{x:Int32}>>",
    value: [{ x: 1 }, { x: 2 }]
  },
  map: { sql: "MAP {'k': 1, 'j': 2}", feature: f("map", "OBJECT"), arrow: "Utf8", value: '{"k":1,"j":2}' },
  json: {
    sql: "'{\"a\": [1, 2]}'::JSON",
    feature: f("json", "OBJECT"),
    arrow: "Utf8",
    value: '{"a": [1, 2]}'
  },
  uuid: {
    sql: "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID",
    feature: f("uuid", "STRING"),
    arrow: "Utf8",
    value: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
  },
  hugeint: {
    sql: "170141183460469231731687303715884105727::HUGEINT",
    feature: f("hugeint", "STRING"),
    arrow: "Utf8",
    value: "170141183460469231731687303715884105727"
  },
  time: { sql: "TIME '12:34:56'", feature: f("time", "STRING"), arrow: "Utf8", value: "12:34:56" }
}

const plain = (value: unknown): unknown => {
  if (value instanceof Uint8Array) return value
  if (value !== null && typeof value === "object" && "toJSON" in value) {
    return plain((value as { toJSON(): unknown }).toJSON())
  }
  if (value !== null && typeof value === "object" && Symbol.iterator in value)
    return [...(value as Iterable<unknown>)].map(plain)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  }
  return value
}

describe("DuckDB types as signature features and Arrow", () => {
  it.effect("schema(), collect() types and values for every mapping rule", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const names = Object.keys(cases)
      const query = `SELECT ${names.map((name) => `${cases[name]!.sql} AS "${name}"`).join(", ")}`
      const { schema, table } = yield* withSql(
        home,
        Sql.use((sql) => {
          const relation = sql.sql(query)
          return Effect.all({ schema: relation.schema, table: relation.collect() })
        })
      )
      expect(schema).toEqual(names.map((name) => cases[name]!.feature))
      for (const name of names) {
        const column = table.getChild(name)!
        expect({ name, type: String(column.type) }).toEqual({ name, type: cases[name]!.arrow })
        const value = cases[name]!.arrow.startsWith("Timestamp")
          ? (column.data[0]!.values as BigInt64Array)[0]
          : plain(column.get(0))
        expect({ name, value }).toEqual({ name, value: cases[name]!.value })
      }
    })
  )

  it.effect("nulls at every level, and microseconds kept in the raw timestamp values", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const table = yield* withSql(
        home,
        Sql.use((sql) =>
          sql
            .sql(
              "SELECT * FROM (VALUES (1, NULL::INTEGER[], [NULL, 2]::INTEGER[], NULL::STRUCT(x INTEGER), TIMESTAMP '2024-01-01 00:00:00.000001'), (2, [1], NULL, {'x': NULL}, NULL)) t(id, l, l2, s, ts)"
            )
            .collect()
        )
      )
      expect(plain(table.getChild("l")!.toArray())).toEqual([null, [1]])
      expect(plain(table.getChild("l2")!.toArray())).toEqual([[null, 2], null])
      expect(plain(table.getChild("s")!.toArray())).toEqual([null, { x: null }])
      const ts = table.getChild("ts")!
      expect(ts.nullCount).toBe(1)
      expect((ts.data[0]!.values as BigInt64Array)[0]).toBe(1704067200000001n)
    })
  )

  it("signature features map back to DuckDB types for data frames", () => {
    expect(toDuckDbSql(fromFeature(f("v", "FLOAT", { shape: [3] })))).toBe("FLOAT[3]")
    expect(toDuckDbSql(fromFeature(f("m", "DOUBLE", { shape: [-1, 4] })))).toBe("DOUBLE[4][]")
    expect(toDuckDbSql(fromFeature(g("p", [f("x", "UINT16"), f("o", "OBJECT")], { shape: [-1] })))).toBe(
      'STRUCT("x" USMALLINT, "o" JSON)[]'
    )
    expect(toDuckDbSql(fromFeature(f("t", "TIMESTAMP_NTZ")))).toBe("TIMESTAMP")
  })
})
