import { describe, expect, it } from "@effect/vitest"
import { FileLocation, ModelFileLocation } from "@runbatch/spec"
import { Effect } from "effect"

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runSync(Effect.result(effect))

describe("ModelFileLocation", () => {
  it.each([
    [
      "snow://model/ML.PUBLIC.WINE/versions/V1/model/weights.onnx",
      { database: "ML", schema: "PUBLIC", model: "WINE", version: "V1", path: "model/weights.onnx" }
    ],
    [
      'snow://model/ml.public."Wine"/versions/v2/a//b/./c',
      { database: "ML", schema: "PUBLIC", model: "Wine", version: "V2", path: "a/b/c" }
    ],
    [
      "snow://model/ML.PUBLIC.WINE/versions/V1",
      { database: "ML", schema: "PUBLIC", model: "WINE", version: "V1", path: "" }
    ]
  ])("parses %s", (text, expected) => {
    const result = run(ModelFileLocation.parse(text))
    expect(result._tag).toBe("Success")
    if (result._tag === "Success") {
      expect(result.success).toStrictEqual(expected)
      expect(run(ModelFileLocation.parse(ModelFileLocation.format(result.success)))).toStrictEqual(result)
    }
  })

  it.each([
    ["@ML.PUBLIC.ST/x", "starts with snow://model/"],
    ["snow://model/WINE/versions/V1/x", "fully qualified"],
    ["snow://model/ML.PUBLIC.WINE/x", "expected snow://model/DB.SCHEMA.MODEL/versions/VERSION/path"],
    ["snow://model/ML.PUBLIC.WINE/versions/V1/../../V2/x", "'..'"],
    ["snow://model/ML.PUBLIC.WINE/versions/V1/%2e%2e/x", "percent-encoded"],
    ["snow://model/ML.PUBLIC.1WINE/versions/V1/x", "model name"]
  ])("rejects %s", (text, fragment) => {
    const result = run(ModelFileLocation.parse(text))
    expect(result._tag).toBe("Failure")
    if (result._tag === "Failure") {
      expect(result.failure._tag).toBe("InvalidStageLocation")
      expect(result.failure.message).toContain(fragment)
    }
  })
})

describe("FileLocation", () => {
  it("tells stage files from model files", () => {
    const stage = run(FileLocation.parse("@ST/a.png", { database: "ML", schema: "PUBLIC" }))
    const model = run(FileLocation.parse("snow://model/ML.PUBLIC.WINE/versions/V1/model.onnx"))
    expect(stage._tag === "Success" && stage.success.kind).toBe("stage")
    expect(model._tag === "Success" && model.success.kind).toBe("model")
    if (stage._tag === "Success") expect(FileLocation.format(stage.success)).toBe("@ML.PUBLIC.ST/a.png")
  })
})
