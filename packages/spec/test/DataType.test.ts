import { describe, expect, it } from "@effect/vitest"
import { DataType } from "@runbatch/spec"
import { Schema } from "effect"

type Numeric = DataType.IntegerType | DataType.FloatType

describe("DataType.fits", () => {
  const cases: ReadonlyArray<readonly [Numeric, number | bigint, boolean]> = [
    ["INT8", -128, true],
    ["INT8", 127, true],
    ["INT8", 0, true],
    ["INT8", 128, false],
    ["INT8", -129, false],
    ["INT8", 1.5, false],
    ["INT8", 127n, true],
    ["INT8", 128n, false],
    ["INT8", -128n, true],
    ["UINT8", 0, true],
    ["UINT8", 255, true],
    ["UINT8", 256, false],
    ["UINT8", -1, false],
    ["INT16", 32767, true],
    ["INT16", -32768, true],
    ["INT16", 32768, false],
    ["UINT16", 65535, true],
    ["UINT16", 65536, false],
    ["INT32", 2147483647, true],
    ["INT32", -2147483648, true],
    ["INT32", 2147483648, false],
    ["UINT32", 4294967295, true],
    ["UINT32", 4294967296, false],
    ["INT64", 9223372036854775807n, true],
    ["INT64", 9223372036854775808n, false],
    ["INT64", -9223372036854775808n, true],
    ["INT64", -9223372036854775809n, false],
    ["INT64", 2 ** 63, false],
    ["INT64", -(2 ** 63), true],
    ["INT64", Number.MAX_SAFE_INTEGER, true],
    ["INT64", 0.5, false],
    ["UINT64", 18446744073709551615n, true],
    ["UINT64", 18446744073709551616n, false],
    ["UINT64", -1n, false],
    ["UINT64", 0, true],
    ["UINT64", 2 ** 64, false],
    ["FLOAT", DataType.FLOAT32_MAX, true],
    ["FLOAT", -DataType.FLOAT32_MAX, true],
    ["FLOAT", 3.5e38, false],
    ["FLOAT", -3.5e38, false],
    ["FLOAT", 1e-45, true],
    ["FLOAT", Number.POSITIVE_INFINITY, true],
    ["FLOAT", Number.NaN, true],
    ["FLOAT", 10n ** 39n, false],
    ["DOUBLE", Number.MAX_VALUE, true],
    ["DOUBLE", -Number.MAX_VALUE, true]
  ]
  it.each(cases)("fits(%s, %s) is %s", (type, value, expected) => {
    expect(DataType.fits(type, value)).toBe(expected)
  })
})

describe("DataType classification", () => {
  const kinds: Record<DataType.DataType, "int" | "float" | "other"> = {
    INT8: "int",
    INT16: "int",
    INT32: "int",
    INT64: "int",
    UINT8: "int",
    UINT16: "int",
    UINT32: "int",
    UINT64: "int",
    FLOAT: "float",
    DOUBLE: "float",
    BOOL: "other",
    STRING: "other",
    BYTES: "other",
    TIMESTAMP_NTZ: "other",
    OBJECT: "other"
  }

  it("DATA_TYPES lists Snowflake's 15 types exactly", () => {
    expect([...DataType.DATA_TYPES].sort()).toStrictEqual(Object.keys(kinds).sort())
  })

  it.each(DataType.DATA_TYPES)("%s is classified and decodes by its wire name", (type) => {
    expect(DataType.isInteger(type)).toBe(kinds[type] === "int")
    expect(DataType.isFloat(type)).toBe(kinds[type] === "float")
    expect(DataType.isNumeric(type)).toBe(kinds[type] !== "other")
    expect(Schema.decodeUnknownSync(DataType.DataType)(type)).toBe(type)
    // Names are Snowflake's enum names: lower case is not a DataType.
    expect(() => Schema.decodeUnknownSync(DataType.DataType)(type.toLowerCase())).toThrow()
  })

  const infos: ReadonlyArray<readonly [DataType.IntegerType, number, boolean, bigint, bigint]> = [
    ["INT8", 8, true, -128n, 127n],
    ["UINT8", 8, false, 0n, 255n],
    ["INT32", 32, true, -2147483648n, 2147483647n],
    ["UINT64", 64, false, 0n, 18446744073709551615n]
  ]
  it.each(infos)("integerInfo(%s)", (type, bits, signed, min, max) => {
    expect(DataType.integerInfo(type)).toStrictEqual({ bits, signed, min, max })
  })
})
