import { describe, expect, it } from "@effect/vitest"
import { ColumnMatching, Signature as S, type Signature } from "@runbatch/spec"
import { failsWith, ok } from "./support.ts"

const cols = (...names: ReadonlyArray<string>): Array<Signature.Feature> =>
  names.map((n) => S.feature(n, "INT64"))

// registry_batch_inference_case_sensitivity_test.py: a method logged with case_sensitive=True still
// matches columns case-insensitively, keeping spaces and hyphens.
const SIGNATURE_NAMES = [
  "feature1",
  "Feature2",
  "FEATURE3",
  "feature 4",
  "feature_5",
  "feature-6",
  "feature7"
]
const COLUMN_NAMES = ["FEATURE1", "FEATURE2", "FEATURE3", "FEATURE 4", "FEATURE_5", "FEATURE-6", "feature7"]

describe("ColumnMatching.match: names", () => {
  const directions: ReadonlyArray<readonly [string, ReadonlyArray<string>, ReadonlyArray<string>]> = [
    ["mixed-case signature, upper-case columns", SIGNATURE_NAMES, COLUMN_NAMES],
    ["upper-case signature, mixed-case columns", COLUMN_NAMES, SIGNATURE_NAMES],
    ["reordered columns", SIGNATURE_NAMES, [...COLUMN_NAMES].reverse()]
  ]
  it.each(directions)("%s", (_, features, columns) => {
    const result = ok(ColumnMatching.match(cols(...columns), cols(...features)))
    expect(result.unused).toStrictEqual([])
    expect(result.mappings.map((m) => m.feature)).toStrictEqual(features)
    for (const m of result.mappings) {
      expect(m.column.toUpperCase()).toBe(m.feature.toUpperCase())
      expect(columns).toContain(m.column)
      expect(m.compatibility).toStrictEqual({ kind: "exact" })
    }
  })

  it("does not match across spaces, underscores and hyphens", () => {
    const e = failsWith(
      ColumnMatching.match(cols("FEATURE_4"), cols("feature 4")),
      "MissingFeatureColumn",
      'The model expects a feature "feature 4"',
      'The closest input columns are "FEATURE_4"'
    )
    expect(e.closest).toStrictEqual(["FEATURE_4"])
  })

  it("reports extra columns as unused (they are passed through)", () => {
    const result = ok(ColumnMatching.match(cols("EXTRA_COL1", "C1", "EXTRA_COL2", "C0"), cols("c0", "c1")))
    expect(result.mappings.map((m) => [m.feature, m.column])).toStrictEqual([
      ["c0", "C0"],
      ["c1", "C1"]
    ])
    expect(result.unused).toStrictEqual(["EXTRA_COL1", "EXTRA_COL2"])
  })

  it("matches a 600-column wide input to 600 features", () => {
    // registry_batch_inference_wide_input_test.py: quoted ints, quoted strings and unquoted ints.
    const pad = (i: number) => String(i).padStart(3, "0")
    const features: Array<Signature.Feature> = []
    const columns: Array<Signature.Feature> = [S.feature("INDEX", "INT64")]
    for (let i = 0; i < 200; i++) {
      features.push(S.feature(`z_feature_${pad(i)}`, "INT64"), S.feature(`b_feature_${pad(i)}`, "STRING"))
      features.push(S.feature(`a_feature_${pad(i)}`, "INT64"))
      columns.push(S.feature(`z_feature_${pad(i)}`, "INT64"), S.feature(`b_feature_${pad(i)}`, "STRING"))
      columns.push(S.feature(`A_FEATURE_${pad(i)}`, "INT32"))
    }
    const result = ok(ColumnMatching.match(columns.reverse(), features))
    expect(result.mappings).toHaveLength(600)
    expect(result.unused).toStrictEqual(["INDEX"])
    expect(result.mappings.find((m) => m.feature === "a_feature_123")).toStrictEqual({
      feature: "a_feature_123",
      column: "A_FEATURE_123",
      featureType: "INT64",
      columnType: "INT32",
      compatibility: { kind: "widen" }
    })
  })
})

describe("ColumnMatching.match: errors", () => {
  it("refuses two columns differing only by case when a feature matches both", () => {
    const e = failsWith(
      ColumnMatching.match(cols("a", "A"), cols("a")),
      "AmbiguousColumn",
      'The feature "a" matches 2 input columns that differ only by case: "a", "A"'
    )
    expect(e.columns).toStrictEqual(["a", "A"])
  })

  it("accepts such columns when no feature uses them", () => {
    const result = ok(ColumnMatching.match(cols("a", "A", "B"), cols("b")))
    expect(result.unused).toStrictEqual(["a", "A"])
  })

  const missing: ReadonlyArray<readonly [ReadonlyArray<string>, string, ReadonlyArray<string>, string]> = [
    [["feture1", "zzz"], "feature1", ["feture1"], 'The closest input columns are "feture1"'],
    [
      ["TEMPRATURE", "TEMPERATURES", "X"],
      "temperature",
      ["TEMPERATURES", "TEMPRATURE"],
      "The closest input columns are"
    ],
    [["qq"], "feature1", [], 'The input has 1 column(s): "qq"'],
    [[], "feature1", [], "The input has 0 column(s)"]
  ]
  it.each(missing)("columns %j lack %s", (columns, feature, closest, fragment) => {
    const e = failsWith(
      ColumnMatching.match(cols(...columns), cols(feature)),
      "MissingFeatureColumn",
      `feature "${feature}"`,
      fragment,
      `SELECT <col> AS "${feature}"`
    )
    expect(e.closest).toStrictEqual(closest)
    expect(e.columns).toStrictEqual(columns)
  })

  it("type-checks each pairing", () => {
    const e = failsWith(
      ColumnMatching.match([S.feature("PRICE", "STRING")], [S.feature("price", "DOUBLE")]),
      "IncompatibleColumnType",
      'The input column "PRICE" (STRING) cannot feed the feature "price" (DOUBLE)'
    )
    expect(e.column).toBe("PRICE")
    expect(e.feature).toBe("price")
  })

  it("a STRING path column encoded to BYTES feeds a BYTES feature through effectiveTypes", () => {
    const columns = [S.feature("IMAGES", "STRING"), S.feature("INDEX", "INT64")]
    const features = [S.feature("images", "BYTES")]
    failsWith(ColumnMatching.match(columns, features), "IncompatibleColumnType", "column handling")
    const result = ok(
      ColumnMatching.match(columns, features, {
        effectiveTypes: new Map([["IMAGES", S.feature("IMAGES", "BYTES")]])
      })
    )
    expect(result.mappings).toStrictEqual([
      {
        feature: "images",
        column: "IMAGES",
        featureType: "BYTES",
        columnType: "BYTES",
        compatibility: { kind: "exact" }
      }
    ])
    expect(result.unused).toStrictEqual(["INDEX"])
  })

  it("a column whose handling gives the wrong type: change the conversion, not add one", () => {
    const columns = [S.feature("IMAGE", "STRING")]
    const base64 = new Map([["IMAGE", S.feature("IMAGE", "STRING")]])
    const error = failsWith(
      ColumnMatching.match(columns, [S.feature("image", "BYTES")], { effectiveTypes: base64 }),
      "IncompatibleColumnType"
    )
    expect(error.message).toContain("The column handling given for it already reads its files, as STRING")
    expect(error.message).toContain('Use convert_to: raw_bytes for "IMAGE".')
    expect(error.message).not.toContain("add column handling")
  })

  it("effectiveTypes are keyed by the column's exact name", () => {
    const columns = [S.feature("IMAGES", "STRING")]
    const effectiveTypes = new Map([["images", S.feature("images", "BYTES")]])
    failsWith(
      ColumnMatching.match(columns, [S.feature("images", "BYTES")], { effectiveTypes }),
      "IncompatibleColumnType"
    )
  })
})

describe("ColumnMatching.checkOutputNames", () => {
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, ReadonlyArray<string>, string | undefined]> = [
    [["INDEX", "C0"], ["output"], undefined],
    [["INDEX", "OUTPUT"], ["output"], "OUTPUT"],
    [["INDEX", "prediction"], ["score", "PREDICTION"], "prediction"],
    [[], ["output"], undefined]
  ]
  it.each(cases)("columns %j, outputs %j", (columns, outputs, clash) => {
    const effect = ColumnMatching.checkOutputNames(cols(...columns), cols(...outputs))
    if (clash === undefined) ok(effect)
    else {
      const e = failsWith(effect, "OutputColumnConflict", `has the same name as the input column "${clash}"`)
      expect(e.column).toBe(clash)
      expect(e.message).toContain(`AS "${clash}_INPUT"`)
    }
  })
})

describe("ColumnMatching.resolveNamedColumn and findColumn", () => {
  const columns = cols("IMG", "INDEX", "label", "Label2")
  const found: ReadonlyArray<readonly [string, string]> = [
    ["img", "IMG"],
    ["IMG", "IMG"],
    ["LABEL", "label"],
    ["label2", "Label2"]
  ]
  it.each(found)("resolves %j to %j", (name, expected) => {
    expect(ok(ColumnMatching.resolveNamedColumn(columns, name, "column_handling")).name).toBe(expected)
  })

  it("an unknown column suggests the closest", () => {
    const e = failsWith(
      ColumnMatching.resolveNamedColumn(columns, "IMAG", "column_handling"),
      "UnknownColumn",
      'column_handling names the column "IMAG", which is not in the input.',
      'Did you mean "IMG"'
    )
    expect(e.usedBy).toBe("column_handling")
  })

  it("an unknown column with nothing close gives no suggestion", () => {
    const e = failsWith(
      ColumnMatching.resolveNamedColumn(columns, "REGION_CODE", "partition_column"),
      "UnknownColumn"
    )
    expect(e.closest).toStrictEqual([])
    expect(e.message).not.toContain("Did you mean")
  })

  it("an ambiguous named column is refused", () => {
    failsWith(
      ColumnMatching.resolveNamedColumn(cols("p", "P"), "p", "partition_column"),
      "AmbiguousColumn",
      '"p", "P"'
    )
  })

  it("findColumn gives undefined for an absent column", () => {
    expect(ok(ColumnMatching.findColumn(columns, "nope"))).toBeUndefined()
  })
})
