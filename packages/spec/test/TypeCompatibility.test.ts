import { describe, expect, it } from "@effect/vitest"
import { type DataType, Signature as S, type Signature, TypeCompatibility as TC } from "@runbatch/spec"
import { failsWith, ok } from "./support.ts"

type Expected = TC.Compatibility | { readonly error: string }

const EXACT: Expected = { kind: "exact" }
const WIDEN: Expected = { kind: "widen" }
const RANGE: Expected = { kind: "checked", checks: ["range"] }
const LENGTH: Expected = { kind: "checked", checks: ["length"] }
const error = (fragment: string): Expected => ({ error: fragment })

const expectCompatibility = (column: Signature.Feature, feature: Signature.Feature, expected: Expected) => {
  if ("error" in expected) {
    const e = failsWith(TC.check(column, feature), "IncompatibleColumnType", expected.error)
    expect(e.column).toBe(column.name)
    expect(e.feature).toBe(feature.name)
    expect(e.columnType).toBe(S.describeType(column))
    expect(e.featureType).toBe(S.describeType(feature))
    expect(e.fix.length).toBeGreaterThan(0)
    expect(e.message).toContain(`"${column.name}" (${e.columnType})`)
    expect(e.message).toContain(`"${feature.name}" (${e.featureType})`)
  } else {
    expect(ok(TC.check(column, feature))).toStrictEqual(expected)
  }
}

describe("TypeCompatibility.check: element types", () => {
  const cases: ReadonlyArray<readonly [DataType.DataType, DataType.DataType, Expected]> = [
    ["DOUBLE", "DOUBLE", EXACT],
    ["INT64", "INT64", EXACT],
    ["STRING", "STRING", EXACT],
    ["BOOL", "BOOL", EXACT],
    ["BYTES", "BYTES", EXACT],
    ["TIMESTAMP_NTZ", "TIMESTAMP_NTZ", EXACT],
    ["OBJECT", "OBJECT", EXACT],
    ["INT8", "INT64", WIDEN],
    ["INT8", "INT16", WIDEN],
    ["UINT8", "INT16", WIDEN],
    ["UINT32", "INT64", WIDEN],
    ["UINT8", "UINT64", WIDEN],
    ["INT64", "INT8", RANGE],
    ["INT16", "INT8", RANGE],
    ["INT64", "UINT64", RANGE],
    ["INT8", "UINT8", RANGE],
    ["UINT64", "INT64", RANGE],
    ["UINT32", "INT32", RANGE],
    ["INT32", "DOUBLE", WIDEN],
    ["INT64", "FLOAT", WIDEN],
    ["UINT8", "FLOAT", WIDEN],
    ["FLOAT", "DOUBLE", WIDEN],
    ["DOUBLE", "FLOAT", RANGE],
    ["DOUBLE", "INT64", error("CAST(ROUND(col) AS BIGINT)")],
    ["FLOAT", "INT8", error("CAST(ROUND(col) AS TINYINT)")],
    ["DOUBLE", "INT32", error("CAST(ROUND(col) AS INTEGER)")],
    ["STRING", "DOUBLE", error("Numbers stored as text are not converted silently")],
    ["STRING", "INT64", error("CAST(col AS BIGINT)")],
    ["DOUBLE", "STRING", error("CAST(col AS VARCHAR)")],
    ["INT64", "STRING", error("CAST(col AS VARCHAR)")],
    ["BOOL", "INT64", error("(true → 1)")],
    ["BOOL", "DOUBLE", error("CAST(col AS DOUBLE)")],
    ["INT64", "BOOL", error("(col <> 0)")],
    ["DOUBLE", "BOOL", error("(col <> 0)")],
    [
      "STRING",
      "BYTES",
      error("add column handling for it: {input_format: full_stage_path, convert_to: raw_bytes}")
    ],
    ["BYTES", "STRING", error("BASE64_ENCODE(col)")],
    ["TIMESTAMP_NTZ", "STRING", error("so it holds STRING values")],
    ["STRING", "TIMESTAMP_NTZ", error("so it holds TIMESTAMP_NTZ values")],
    ["INT64", "TIMESTAMP_NTZ", error("so it holds TIMESTAMP_NTZ values")],
    ["TIMESTAMP_NTZ", "INT64", error("so it holds INT64 values")],
    ["STRING", "OBJECT", error("so it holds OBJECT values")],
    ["OBJECT", "STRING", error("so it holds STRING values")]
  ]
  it.each(cases)("column %s → feature %s", (from, to, expected) => {
    expectCompatibility(S.feature("col", from), S.feature("feat", to), expected)
  })
})

describe("TypeCompatibility.check: shapes", () => {
  type Shape = ReadonlyArray<number> | undefined
  const cases: ReadonlyArray<readonly [DataType.DataType, Shape, DataType.DataType, Shape, Expected]> = [
    ["DOUBLE", undefined, "DOUBLE", [3], error("The feature takes a list of shape [3]")],
    ["DOUBLE", [3], "DOUBLE", undefined, error("the feature is a single value")],
    ["DOUBLE", [-1], "DOUBLE", [3], LENGTH],
    ["DOUBLE", [3], "DOUBLE", [-1], EXACT],
    ["DOUBLE", [3], "DOUBLE", [3], EXACT],
    ["DOUBLE", [-1], "DOUBLE", [-1], EXACT],
    ["DOUBLE", [2], "DOUBLE", [3], error("Dimension 0 has length 2 but the feature needs 3")],
    ["DOUBLE", [2, 3], "DOUBLE", [3], error("The column has 2 dimension(s) and the feature 1")],
    ["DOUBLE", [3], "DOUBLE", [3, 1], error("The column has 1 dimension(s) and the feature 2")],
    ["DOUBLE", [-1, 4], "DOUBLE", [2, 4], LENGTH],
    ["DOUBLE", [2, 5], "DOUBLE", [2, 4], error("Dimension 1 has length 5 but the feature needs 4")],
    ["INT64", [-1], "INT8", [3], { kind: "checked", checks: ["length", "range"] }],
    ["INT8", [3], "INT64", [-1], WIDEN],
    ["STRING", [3], "DOUBLE", [3], error("not converted silently")]
  ]
  it.each(cases)("column %s%j → feature %s%j", (from, fromShape, to, toShape, expected) => {
    expectCompatibility(
      S.feature("col", from, fromShape === undefined ? {} : { shape: fromShape }),
      S.feature("feat", to, toShape === undefined ? {} : { shape: toShape }),
      expected
    )
  })
})

describe("TypeCompatibility.check: structs", () => {
  const feature = S.group("person", [S.feature("age", "INT64"), S.feature("name", "STRING")])
  const cases: ReadonlyArray<readonly [string, Signature.Feature, Signature.Feature, Expected]> = [
    [
      "same fields, other case",
      S.group("PERSON", [S.feature("AGE", "INT64"), S.feature("NAME", "STRING")]),
      feature,
      EXACT
    ],
    [
      "narrower field and an extra field",
      S.group("PERSON", [
        S.feature("age", "INT32"),
        S.feature("name", "STRING"),
        S.feature("extra", "DOUBLE")
      ]),
      feature,
      WIDEN
    ],
    [
      "wider field",
      S.group("PERSON", [S.feature("age", "UINT64"), S.feature("name", "STRING")]),
      feature,
      RANGE
    ],
    ["a missing field", S.group("PERSON", [S.feature("age", "INT64")]), feature, error('no field "name"')],
    [
      "two fields differing by case",
      S.group("PERSON", [S.feature("age", "INT64"), S.feature("AGE", "INT64"), S.feature("name", "STRING")]),
      feature,
      error('several fields named "age"')
    ],
    ["a scalar column", S.feature("PERSON", "STRING"), feature, error("OBJECT_CONSTRUCT")],
    [
      "a struct column for a scalar feature",
      S.group("COL", [S.feature("a", "INT64")]),
      S.feature("feat", "DOUBLE"),
      error("pick its field")
    ],
    [
      "a struct column for an OBJECT feature",
      S.group("COL", [S.feature("a", "INT64")]),
      S.feature("feat", "OBJECT"),
      WIDEN
    ],
    [
      "a list of structs into a list of structs",
      S.group("COL", [S.feature("x", "DOUBLE")], { shape: [-1] }),
      S.group("points", [S.feature("X", "DOUBLE")], { shape: [-1] }),
      EXACT
    ],
    [
      "a single struct into a list of structs",
      S.group("COL", [S.feature("x", "DOUBLE")]),
      S.group("points", [S.feature("x", "DOUBLE")], { shape: [-1] }),
      error("The feature takes a list of shape [-1]")
    ],
    [
      "a nested struct field",
      S.group("COL", [S.group("inner", [S.feature("v", "INT8")])]),
      S.group("outer", [S.group("INNER", [S.feature("V", "INT64")])]),
      WIDEN
    ]
  ]
  it.each(cases)("%s", (_, column, feat, expected) => {
    expectCompatibility(column, feat, expected)
  })

  it("names the nested column and feature of a failing struct field", () => {
    const e = failsWith(
      TC.check(S.group("PERSON", [S.feature("AGE", "STRING"), S.feature("NAME", "STRING")]), feature),
      "IncompatibleColumnType",
      "not converted silently"
    )
    expect(e.column).toBe("PERSON.AGE")
    expect(e.feature).toBe("person.age")
    expect(e.columnType).toBe("STRING")
    expect(e.featureType).toBe("INT64")
  })

  it("uses the names it is given in errors", () => {
    const e = failsWith(
      TC.check(S.feature("x", "STRING"), S.feature("y", "DOUBLE"), { column: "SRC_COL", feature: "target" }),
      "IncompatibleColumnType"
    )
    expect(e.message).toContain(
      'The input column "SRC_COL" (STRING) cannot feed the feature "target" (DOUBLE).'
    )
  })
})
