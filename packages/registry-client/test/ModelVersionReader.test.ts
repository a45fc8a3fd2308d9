import { describe, expect, it } from "@effect/vitest"
import { ModelVersionReader } from "@runbatch/registry-client"
import { Effect } from "effect"

// A version as Snowflake returns it: `model_spec` from SHOW VERSIONS (shaped like snowflake-ml-python's
// sample_model_spec.yaml, with PyYAML's layout), `user_data` from SHOW VERSIONS, rows of SHOW FUNCTIONS.
const modelSpecYaml = `
version: '2023-12-01'
method_options:
  predict:
    case_sensitive: true
min_snowpark_ml_version: 1.0.12
creation_timestamp: '2025-07-24 18:31:40.087360'
env:
  conda: env/conda.yml
  cuda_version:
  pip: env/requirements.txt
  python_version: '3.9'
  snowpark_ml_version: 1.7.5
model_type: sklearn
models:
  MODEL:
    artifacts: {}
    function_properties: {}
    handler_version: '2023-12-01'
    model_type: sklearn
    name: MODEL
    options: {}
    path: model.pkl
name: MODEL
function_properties: {}
metadata:
task: TABULAR_MULTI_CLASSIFICATION
signatures:
  explain:
    inputs:
      - name: feature_1
        nullable: true
        type: DOUBLE
    outputs:
      - name: feature_1_explanation
        nullable: true
        type: STRING
  predict:
    inputs:
      - name: feature_1
        nullable: true
        type: DOUBLE
    outputs:
      - name: output_feature_0
        nullable: false
        type: INT64
  predict_proba:
    inputs:
      - name: feature_1
        type: DOUBLE
    outputs:
      - name: output_feature_0
        nullable: false
        type: DOUBLE
    params:
      - name: temperature
        dtype: DOUBLE
        default_value: 0.7
`

const userDataJson = JSON.stringify({
  runbatch: {
    engine: "onnx",
    engine_options: { providers: ["cpu"] },
    artifacts: [{ name: "model.onnx", path: "model/artifacts/model.onnx", bytes: 10, sha256: "ab" }]
  },
  snowpark_ml_data: { schema_version: "2024-02-01", functions: [] }
})

const functionRows = [
  { name: "EXPLAIN", return_type: "TABLE (FEATURE_1_EXPLANATION VARCHAR)" },
  { name: "PREDICT", return_type: "OBJECT" },
  { name: "PREDICT_PROBA", return_type: "OBJECT" }
]

const read = (raw: Partial<ModelVersionReader.RawVersion>) =>
  ModelVersionReader.read({ modelSpecYaml, userDataJson, functionRows, ...raw }, "ML.PUBLIC.IRIS", "V1")

describe("ModelVersionReader.read", () => {
  it.effect("reads a version from the documents SQL returns", () =>
    Effect.gen(function* () {
      const version = yield* read({})
      expect(version.engine).toBe("onnx")
      expect(version.engineOptions).toEqual({ providers: ["cpu"] })
      expect(version.modelType).toBe("sklearn")
      expect(version.artifacts).toEqual([
        { name: "model.onnx", path: "model/artifacts/model.onnx", bytes: 10, sha256: "ab" }
      ])
      expect((version.userData as { snowpark_ml_data: unknown }).snowpark_ml_data).toBeDefined()
      // SHOW FUNCTIONS order; a TABLE (…) return type is a table function, partitioned unless
      // function_properties says otherwise; nullable defaults to false when absent (old manifests).
      expect(version.functions.map((f) => [f.name, f.targetMethod, f.kind, f.partitioned])).toEqual([
        ["EXPLAIN", "explain", "TABLE_FUNCTION", true],
        ["PREDICT", "predict", "FUNCTION", false],
        ["PREDICT_PROBA", "predict_proba", "FUNCTION", false]
      ])
      const proba = version.functions[2]!.signature
      expect(proba.inputs[0]).toEqual({ name: "feature_1", dtype: "DOUBLE", nullable: false })
      expect(proba.params).toEqual([{ name: "temperature", dtype: "DOUBLE", defaultValue: 0.7 }])
    })
  )

  it.effect("reads PARTITIONED from function_properties", () =>
    Effect.gen(function* () {
      const spec = modelSpecYaml.replace(
        "function_properties: {}\nmetadata:",
        "function_properties:\n  explain:\n    PARTITIONED: false\nmetadata:"
      )
      expect(spec).not.toBe(modelSpecYaml)
      const version = yield* read({ modelSpecYaml: spec })
      expect(version.functions[0]!.partitioned).toBe(false)
    })
  )

  it.effect('matches a method `abc` to the function "abc" before ABC, as the original does', () =>
    Effect.gen(function* () {
      const spec = `
version: '2023-12-01'
model_type: custom
signatures:
  abc:
    inputs: [{name: x, type: DOUBLE}]
    outputs: [{name: y, type: DOUBLE}]
  aBc:
    inputs: [{name: x, type: DOUBLE}]
    outputs: [{name: z, type: DOUBLE}]
`
      const version = yield* read({
        modelSpecYaml: spec,
        functionRows: [{ name: "ABC" }, { name: "abc", return_type: "OBJECT" }]
      })
      expect(version.functions.map((f) => [f.name, f.targetMethod, f.signature.outputs[0]!.name])).toEqual([
        ["ABC", "aBc", "z"],
        ["abc", "abc", "y"]
      ])
    })
  )

  it.effect("falls back to the manifest's methods when SHOW FUNCTIONS lists none", () =>
    Effect.gen(function* () {
      const manifestYaml = `
manifest_version: '1.0'
methods:
- {handler: functions.predict.infer, inputs: [], name: PREDICT, outputs: [{type: OBJECT}], runtime: python_runtime, type: FUNCTION}
- {handler: functions.explain.infer, inputs: [], name: EXPLAIN, outputs: [], runtime: python_runtime, type: TABLE_FUNCTION}
- {handler: functions.predict_proba.infer, inputs: [], name: '"predict_proba"', outputs: [], runtime: python_runtime, type: FUNCTION}
runtimes: {}
`
      const version = yield* read({ functionRows: [], manifestYaml })
      expect(version.functions.map((f) => [f.name, f.targetMethod, f.kind])).toEqual([
        ["PREDICT", "predict", "FUNCTION"],
        ["EXPLAIN", "explain", "TABLE_FUNCTION"],
        ["predict_proba", "predict_proba", "FUNCTION"]
      ])
    })
  )

  it.effect("refuses documents it cannot trust, naming the model, the version and the problem", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [Partial<ModelVersionReader.RawVersion>, string]> = [
        [
          { userDataJson: '{"runbatch": {}}' },
          'does not say which runbatch engine runs it ({"runbatch": {"engine": …}})'
        ],
        [{ userDataJson: "not json" }, "its user data is not JSON"],
        [{ modelSpecYaml: "signatures: [unclosed" }, "its model spec (model.yaml) is not valid YAML"],
        [{ modelSpecYaml: "- a list" }, "is not a mapping"],
        [
          { modelSpecYaml: "a: &a [*a]" },
          "its model spec (model.yaml): a[0] is an alias inside its own anchor, a value that contains itself."
        ],
        [
          {
            functionRows: [],
            manifestYaml: `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${Array(11).fill("*a").join(", ")}]\nc: [${Array(11).fill("*b").join(", ")}]`
          },
          "its MANIFEST.yml: its aliases expand more than 100 times"
        ],
        [
          { functionRows: [...functionRows, { name: "TRANSFORM" }] },
          "the function TRANSFORM has no signature"
        ],
        [{ functionRows: functionRows.slice(1) }, "the method explain of its model spec has no SQL function"],
        [{ functionRows: [] }, "there is no MANIFEST.yml to read them from"],
        [
          { functionRows: [], manifestYaml: "methods: [{name: PREDICT, type: PROCEDURE}]" },
          "its MANIFEST.yml"
        ],
        [
          {
            userDataJson: JSON.stringify({
              runbatch: { engine: "onnx", artifacts: [{ name: "x", path: "../../x", bytes: 1, sha256: "" }] }
            })
          },
          "the artifact x: the path contains '..'"
        ]
      ]
      for (const [raw, fragment] of cases) {
        const error = yield* Effect.flip(read(raw))
        expect(error._tag).toBe("InvalidModelVersion")
        expect(error.message).toContain("The model ML.PUBLIC.IRIS version V1 cannot be read: ")
        expect(error.message).toContain(fragment)
      }
    })
  )
})
