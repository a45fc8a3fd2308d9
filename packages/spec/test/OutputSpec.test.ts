import { describe, expect, it } from "@effect/vitest"
import { OutputSpec } from "@runbatch/spec"
import { failsWith, ok } from "./support.ts"

type Form = "ts" | "wire"
const keys = {
  ts: { stage: "stageLocation", base: "baseStageLocation" },
  wire: { stage: "stage_location", base: "base_stage_location" }
} as const

describe.each(["ts", "wire"] as const)("OutputSpec.decode (%s form)", (form: Form) => {
  const k = keys[form]
  const accepted: ReadonlyArray<readonly [string, Record<string, unknown>, OutputSpec.OutputSpec]> = [
    ["a stage location", { [k.stage]: "@DB.SCHEMA.STAGE/out/" }, { stageLocation: "@DB.SCHEMA.STAGE/out/" }],
    [
      "a base stage location",
      { [k.base]: "@DB.SCHEMA.STAGE/jobs/" },
      { baseStageLocation: "@DB.SCHEMA.STAGE/jobs/" }
    ],
    [
      "mode overwrite",
      { [k.stage]: "@DB.S.ST/out/", mode: "overwrite" },
      { stageLocation: "@DB.S.ST/out/", mode: "overwrite" }
    ],
    [
      "mode OVERWRITE (case-insensitive)",
      { [k.stage]: "@DB.S.ST/out/", mode: "OVERWRITE" },
      { stageLocation: "@DB.S.ST/out/", mode: "overwrite" }
    ],
    [
      "mode Error",
      { [k.stage]: "@DB.S.ST/out/", mode: " Error " },
      { stageLocation: "@DB.S.ST/out/", mode: "error" }
    ],
    ["an unqualified stage (resolved later)", { [k.stage]: "@STAGE/out/" }, { stageLocation: "@STAGE/out/" }],
    ["a quoted stage", { [k.stage]: '@"my db".S."st"/x/' }, { stageLocation: '@"my db".S."st"/x/' }],
    ["the user stage", { [k.stage]: "@~/out/" }, { stageLocation: "@~/out/" }],
    ["a table stage", { [k.base]: '@%"my table"/out/' }, { baseStageLocation: '@%"my table"/out/' }]
  ]
  it.each(accepted)("accepts %s", (_, input, expected) => {
    const spec = ok(OutputSpec.decode(input, form))
    expect(spec).toStrictEqual(expected)
  })

  const rejected: ReadonlyArray<readonly [string, unknown, string, string]> = [
    [
      "both locations",
      { [k.stage]: "@DB.S.ST/a/", [k.base]: "@DB.S.ST/b/" },
      k.stage,
      "stage_location and base_stage_location are mutually exclusive. Please specify only one."
    ],
    ["neither location", {}, k.stage, "Either stage_location or base_stage_location must be provided."],
    [
      "only a mode",
      { mode: "overwrite" },
      k.stage,
      "Either stage_location or base_stage_location must be provided."
    ],
    ["a bad mode", { [k.stage]: "@DB.S.ST/a/", mode: "append" }, "mode", 'Expected "error" | "overwrite"'],
    ["a non-string mode", { [k.stage]: "@DB.S.ST/a/", mode: 1 }, "mode", "Expected string"],
    [
      "a malformed user stage",
      { [k.stage]: "@~out/" },
      k.stage,
      "the user stage is written @~ followed by /"
    ],
    ["a table stage without a table", { [k.stage]: "@%/out/" }, k.stage, "the table name after % is missing"],
    ["a URL", { [k.stage]: "s3://bucket/out/" }, k.stage, "URLs are not stage locations"],
    ["traversal", { [k.base]: "@DB.S.ST/out/../../x" }, k.base, "the path contains '..'"],
    ["a location without @", { [k.stage]: "DB.S.ST/out/" }, k.stage, "a stage location starts with @"],
    ["a location that is not a string", { [k.stage]: 42 }, k.stage, "Expected string"]
  ]
  it.each(rejected)("rejects %s", (_, input, path, message) => {
    const e = failsWith(OutputSpec.decode(input, form), "InvalidSpec", message)
    expect(e.spec).toBe("OutputSpec")
    expect(e.problems.map((p) => p.path)).toContain(path)
  })

  it("an unknown field suggests the right spelling for the form", () => {
    const typo = form === "ts" ? "stageLocaton" : "stage_locaton"
    const e = failsWith(
      OutputSpec.decode({ [k.stage]: "@DB.S.ST/a/", [typo]: "@DB.S.ST/b/" }, form),
      "InvalidSpec",
      `${typo}: unknown field. Did you mean '${k.stage}'`
    )
    expect(e.problems).toHaveLength(1)
  })
})

describe("OutputSpec", () => {
  it("a snake_case key in the ts form is an unknown field pointing at the camelCase name", () => {
    failsWith(
      OutputSpec.decode({ stage_location: "@DB.S.ST/a/" }, "ts"),
      "InvalidSpec",
      "stage_location: unknown field. Did you mean 'stageLocation'"
    )
  })

  it("modeOf defaults to error", () => {
    expect(OutputSpec.modeOf({ stageLocation: "@DB.S.ST/a/" })).toBe("error")
    expect(OutputSpec.modeOf({ stageLocation: "@DB.S.ST/a/", mode: "overwrite" })).toBe("overwrite")
  })

  it("a non-object is refused", () => {
    failsWith(OutputSpec.decode("@DB.S.ST/a/"), "InvalidSpec", "Invalid OutputSpec: Expected object")
    failsWith(OutputSpec.decode(undefined), "InvalidSpec", "Invalid OutputSpec: Expected object")
  })
})
