import { describe, expect, it } from "@effect/vitest"
import { ModelFunction, Signature as S } from "@runbatch/spec"
import { failsWith, ok } from "./support.ts"

const sig = (outputs: ReadonlyArray<string> = ["output"]) =>
  S.signature(
    [S.feature("x", "DOUBLE")],
    outputs.map((o) => S.feature(o, "DOUBLE"))
  )

const fn = (
  name: string,
  targetMethod: string,
  kind: ModelFunction.FunctionKind = "FUNCTION",
  outputs?: ReadonlyArray<string>
): ModelFunction.ModelFunction => ({ name, targetMethod, kind, signature: sig(outputs) })

const MODEL = { name: "ML_DB.MODELS.MY_MODEL", version: "V1" }
const PREDICT = fn("PREDICT", "predict")
const PROBA = fn("PREDICT_PROBA", "predict_proba")
const CALL = fn("__CALL__", "__call__")
const QUOTED = fn("predictLower", "predictLower")

describe("ModelFunction.resolve", () => {
  const found: ReadonlyArray<
    readonly [string | undefined, ReadonlyArray<ModelFunction.ModelFunction>, ModelFunction.ModelFunction]
  > = [
    ["predict", [PREDICT, PROBA], PREDICT],
    ["PREDICT", [PREDICT, PROBA], PREDICT],
    ["Predict", [PREDICT, PROBA], PREDICT],
    [" predict ", [PREDICT, PROBA], PREDICT],
    ["predict_proba", [PREDICT, PROBA], PROBA],
    ["__call__", [CALL, PREDICT], CALL],
    ['"predictLower"', [PREDICT, QUOTED], QUOTED],
    ["PREDICTLOWER", [PREDICT, QUOTED], QUOTED],
    [undefined, [PREDICT], PREDICT],
    [undefined, [CALL], CALL]
  ]
  it.each(found)("resolves %j", (requested, functions, expected) => {
    expect(ok(ModelFunction.resolve(functions, requested, MODEL))).toBe(expected)
  })

  const notFound: ReadonlyArray<readonly [string, ReadonlyArray<ModelFunction.ModelFunction>]> = [
    ["explain", [PREDICT, PROBA]],
    ["predict ", [PROBA]],
    ["predictproba", [PREDICT, PROBA]]
  ]
  it.each(notFound)("refuses %j", (requested, functions) => {
    const e = failsWith(
      ModelFunction.resolve(functions, requested, MODEL),
      "FunctionNotFound",
      `There is no method with name ${requested} available in the model ML_DB.MODELS.MY_MODEL version V1`,
      `Available methods: ${functions.map((f) => f.targetMethod).join(", ")}`
    )
    expect(e.available).toStrictEqual(functions.map((f) => f.targetMethod))
  })

  const unspecified: ReadonlyArray<ReadonlyArray<ModelFunction.ModelFunction>> = [
    [PREDICT, PROBA],
    [PREDICT, PROBA, CALL]
  ]
  it.each(unspecified)("refuses no name when there are several functions (%#)", (...functions) => {
    failsWith(
      ModelFunction.resolve(functions, undefined, MODEL),
      "FunctionNotSpecified",
      "There are more than 1 target methods available in the model ML_DB.MODELS.MY_MODEL version V1",
      "Please specify a function name"
    )
  })

  it("refuses no name when there are no functions", () => {
    failsWith(ModelFunction.resolve([], undefined, MODEL), "FunctionNotSpecified")
  })
})

describe("ModelFunction.checkPartitioning", () => {
  const table = fn("PREDICT", "predict", "TABLE_FUNCTION", ["output", "score"])
  const accepted: ReadonlyArray<readonly [string, ModelFunction.ModelFunction, string | undefined]> = [
    ["no partition column on a FUNCTION", PREDICT, undefined],
    ["no partition column on a TABLE_FUNCTION", table, undefined],
    ["a partition column on a TABLE_FUNCTION", table, "REGION"]
  ]
  it.each(accepted)("accepts %s", (_, f, column) => {
    ok(ModelFunction.checkPartitioning(f, column))
  })

  const rejected: ReadonlyArray<
    readonly [string, ModelFunction.ModelFunction, string, ReadonlyArray<string>]
  > = [
    [
      "a partition column on a FUNCTION",
      PREDICT,
      "REGION",
      [
        "partition_column is not supported for FUNCTION type methods",
        "Only TABLE_FUNCTION type methods support partitioning."
      ]
    ],
    [
      "an output repeating the partition column",
      fn("PREDICT", "predict", "TABLE_FUNCTION", ["region", "output"]),
      "REGION",
      ["Partitioned model output includes the partition column(s) ['region']", "re-register the model"]
    ],
    [
      "an output repeating the partition column in another case",
      fn("PREDICT", "predict", "TABLE_FUNCTION", ["output", "Partition_Col"]),
      "PARTITION_COL",
      ["Partitioned model output includes the partition column(s) ['Partition_Col']"]
    ]
  ]
  it.each(rejected)("rejects %s", (_, f, column, fragments) => {
    failsWith(ModelFunction.checkPartitioning(f, column), "PartitionNotSupported", ...fragments)
  })
})
