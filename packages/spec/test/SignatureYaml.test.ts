import { describe, expect, it } from "@effect/vitest"
import { Signature as S, SignatureYaml } from "@runbatch/spec"
import { failsWith, ok } from "./support.ts"

const OUT_ONLY = [S.feature("o", "DOUBLE")]

// A model.yaml in the style Snowflake writes (snowflake-platform §B2): other top-level keys are ignored.
const MODEL_YAML = `
version: '2023-12-01'
creation_timestamp: '2026-01-31 12:00:00.000000'
env:
  conda: env/conda.yml
  pip: env/requirements.txt
  python_version: '3.11'
model_type: custom
models:
  MY_MODEL:
    name: MY_MODEL
    model_type: custom
    path: model.pkl
    handler_version: '2023-12-01'
name: MY_MODEL
signatures:
  predict:
    inputs:
      - {name: feature_1, type: DOUBLE, nullable: true}
      - {name: feature_2, type: INT64}
      - {name: embedding, type: FLOAT, nullable: true, shape: [384]}
      - name: grp
        specs:
          - {name: a, type: INT64, nullable: true}
          - {name: b, type: STRING, nullable: false}
        shape: [-1]
    outputs:
      - {name: output_feature_0, type: INT64, nullable: true}
    params:
      - {name: temperature, dtype: DOUBLE, default_value: 0.7}
      - {name: stop, dtype: STRING, default_value: null, shape: [-1]}
  predict_proba:
    inputs:
      - {name: feature_1, type: DOUBLE, nullable: true}
    outputs:
      - {name: output_feature_0, type: DOUBLE, nullable: true}
      - {name: output_feature_1, type: DOUBLE, nullable: true}
function_properties: {}
runtimes:
  cpu:
    imports: []
`

describe("SignatureYaml.parse", () => {
  it("keeps a method named __proto__ as a method, not the object's prototype", () => {
    const one = "  inputs:\n    - {name: x, type: DOUBLE}\n  outputs:\n    - {name: y, type: DOUBLE}\n"
    const signatures = ok(SignatureYaml.parse(`__proto__:\n${one}constructor:\n${one}`))
    expect(Object.keys(signatures)).toStrictEqual(["__proto__", "constructor"])
    expect(Object.getPrototypeOf(signatures)).toBe(Object.prototype)
    expect(Object.hasOwn(signatures, "__proto__")).toBe(true)
  })

  it("reads the signatures of a whole model.yaml", () => {
    const signatures = ok(SignatureYaml.parse(MODEL_YAML))
    expect(Object.keys(signatures)).toStrictEqual(["predict", "predict_proba"])
    expect(signatures["predict"]).toStrictEqual(
      S.signature(
        [
          S.feature("feature_1", "DOUBLE"),
          S.feature("feature_2", "INT64", { nullable: false }),
          S.feature("embedding", "FLOAT", { shape: [384] }),
          S.group("grp", [S.feature("a", "INT64"), S.feature("b", "STRING", { nullable: false })], {
            shape: [-1]
          })
        ],
        [S.feature("output_feature_0", "INT64")],
        [S.param("temperature", "DOUBLE", 0.7), S.param("stop", "STRING", null, { shape: [-1] })]
      )
    )
    expect(signatures["predict_proba"]?.outputs.map((o) => o.name)).toStrictEqual([
      "output_feature_0",
      "output_feature_1"
    ])
    expect(signatures["predict_proba"]?.params).toStrictEqual([])
  })

  it("reads a bare map of method to signature, and JSON", () => {
    const bare = "predict:\n  inputs: [{name: x, type: STRING}]\n  outputs: [{name: y, type: BOOL}]\n"
    expect(ok(SignatureYaml.parse(bare))["predict"]).toStrictEqual(
      S.signature(
        [S.feature("x", "STRING", { nullable: false })],
        [S.feature("y", "BOOL", { nullable: false })]
      )
    )
    const json = JSON.stringify({
      signatures: { run: { inputs: [{ name: "x", type: "INT8" }], outputs: [{ name: "y", type: "INT8" }] } }
    })
    expect(Object.keys(ok(SignatureYaml.parse(json)))).toStrictEqual(["run"])
  })

  const rejected: ReadonlyArray<readonly [string, string, ReadonlyArray<string>]> = [
    ["a YAML syntax error", "signatures:\n  predict:\n    inputs: [\n", ["not valid YAML", "(line 4)"]],
    ["a duplicate key", "signatures:\n  predict: {}\n  predict: {}\n", ["not valid YAML", "(line 3)"]],
    ["an empty map", "signatures: {}\n", ["expected a map of method name to signature"]],
    ["a list", "signatures: [a, b]\n", ["expected a map of method name to signature"]],
    ["a scalar document", "hello\n", ["expected a map of method name to signature"]],
    [
      "a bad entry",
      "predict_proba:\n  inputs: [{name: x, typ: DOUBLE}]\n  outputs: [{name: y, type: DOUBLE}]\n",
      ["at predict_proba.inputs[0]", "type"]
    ],
    [
      "an invalid signature",
      "predict:\n  inputs: [{name: x, type: DOUBLE}]\n  outputs: []\n",
      ["at predict:", "at least one output"]
    ]
  ]
  it.each(rejected)("rejects %s", (_, text, fragments) => {
    failsWith(SignatureYaml.parse(text), "InvalidSignature", ...fragments)
  })
})

describe("SignatureYaml.stringify", () => {
  const signatures: SignatureYaml.Signatures = {
    predict: S.signature(
      [
        S.feature("feature_1", "DOUBLE"),
        S.feature("img", "BYTES", { nullable: false }),
        S.group("messages", [S.feature("role", "STRING"), S.feature("content", "STRING")], { shape: [-1] })
      ],
      [S.feature("output", "STRING")],
      [
        S.param("temperature", "DOUBLE", 0.7),
        S.param("when", "TIMESTAMP_NTZ", "2024-01-01 12:00:00"),
        S.paramGroup("cfg", [S.param("k", "INT64", 1)], { defaultValue: { k: 2 } })
      ]
    ),
    explain: S.signature([S.feature("feature_1", "DOUBLE")], [S.feature("feature_1_explanation", "DOUBLE")])
  }

  it("stringify → parse round-trips", () => {
    expect(ok(SignatureYaml.parse(SignatureYaml.stringify(signatures)))).toStrictEqual(signatures)
  })

  it("stringify bare → parse round-trips, and bare text has no signatures key", () => {
    const text = SignatureYaml.stringify(signatures, { bare: true })
    expect(text.startsWith("predict:")).toBe(true)
    expect(ok(SignatureYaml.parse(text))).toStrictEqual(signatures)
  })

  it("writes Snowflake's wire keys", () => {
    const text = SignatureYaml.stringify({ predict: S.signature([S.feature("a", "DOUBLE")], OUT_ONLY) })
    expect(text).toContain(
      "signatures:\n  predict:\n    inputs:\n      - name: a\n        nullable: true\n        type: DOUBLE"
    )
    expect(SignatureYaml.toWire(signatures)["predict"]?.params?.[0]).toStrictEqual({
      default_value: 0.7,
      dtype: "DOUBLE",
      name: "temperature"
    })
  })
})

describe("nullability defaults, as snowflake-ml-python's", () => {
  it("FeatureSpec(...) is nullable by default; a feature read from YAML or a dict without nullable is not", () => {
    expect(S.feature("x", "DOUBLE").nullable).toBe(true)
    const read = ok(
      SignatureYaml.parse(`predict:
  inputs:
    - {name: x, type: DOUBLE}
    - {name: z, type: DOUBLE, nullable: true}
  outputs:
    - {name: y, type: DOUBLE}
`)
    )
    const inputs = read["predict"]!.inputs as ReadonlyArray<S.FeatureSpec>
    expect(inputs.map((f) => [f.name, f.nullable])).toEqual([
      ["x", false],
      ["z", true]
    ])
    // And written back as read: the stored signature keeps nullable: false.
    expect(SignatureYaml.stringify(read)).toContain("nullable: false")
  })
})
