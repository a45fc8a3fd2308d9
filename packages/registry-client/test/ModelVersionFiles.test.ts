import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ModelRegistry, ModelVersionFiles, ModelVersionReader } from "@runbatch/registry-client"
import { DataType, LocalLayout, Signature, SignatureYaml } from "@runbatch/spec"
import { Effect } from "effect"
import * as Yaml from "yaml"
import { explain, irisOptions, predict, registryLayer, tempHome } from "./support.ts"

const IRIS = { database: "ML", schema: "PUBLIC", name: "IRIS" }

/** The top-level keys of Snowflake's ModelMetadataDict (`model_meta_schema.py`). */
const MODEL_SPEC_KEYS = [
  "creation_timestamp",
  "env",
  "explainability",
  "function_properties",
  "metadata",
  "method_options",
  "min_snowpark_ml_version",
  "model_type",
  "models",
  "name",
  "runtimes",
  "signatures",
  "task",
  "version"
]
const REQUIRED_MODEL_SPEC_KEYS = [
  "creation_timestamp",
  "env",
  "min_snowpark_ml_version",
  "model_type",
  "models",
  "name",
  "signatures",
  "task",
  "version"
]

const logAndRead = (home: string, options: Parameters<typeof irisOptions>[1]) =>
  Effect.gen(function* () {
    yield* ModelRegistry.use((r) => r.logModel(irisOptions(home, options)))
    const dir = LocalLayout.versionDir(home, IRIS, "V1")
    return {
      dir,
      modelSpec: readFileSync(join(dir, "model/model.yaml"), "utf8"),
      manifest: readFileSync(join(dir, "MANIFEST.yml"), "utf8")
    }
  }).pipe(Effect.provide(registryLayer(home)))

describe("ModelVersionFiles", () => {
  it.effect("writes a model.yaml with Snowflake's keys that the signature reader parses exactly", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const { modelSpec } = yield* logAndRead(home, {
        signatures: { predict, explain },
        functionKinds: { explain: "TABLE_FUNCTION" }
      })
      expect(yield* SignatureYaml.parse(modelSpec)).toEqual({ predict, explain })
      const spec = Yaml.parse(modelSpec) as Record<string, unknown>
      const keys = Object.keys(spec)
      expect(keys).toEqual([...keys].sort())
      expect(keys.filter((k) => !MODEL_SPEC_KEYS.includes(k))).toEqual([])
      expect(REQUIRED_MODEL_SPEC_KEYS.filter((k) => !keys.includes(k))).toEqual([])
      expect(spec).toMatchObject({
        version: "2023-12-01",
        name: "IRIS",
        model_type: "runbatch",
        task: "UNKNOWN",
        min_snowpark_ml_version: "1.0.12",
        function_properties: { explain: { PARTITIONED: false } },
        models: {
          IRIS: {
            name: "IRIS",
            model_type: "runbatch",
            handler_version: "2023-12-01",
            artifacts: { "model.onnx": "artifacts/model.onnx" }
          }
        }
      })
      // Python's str(datetime): "2026-11-25 23:40:12.123000".
      expect(spec["creation_timestamp"]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/)
      // The signatures are Snowflake's wire form, key for key.
      expect((spec["signatures"] as Record<string, unknown>)["predict"]).toEqual({
        inputs: [
          { name: "sepal_length", nullable: true, type: "DOUBLE" },
          { name: "sepal_width", nullable: true, type: "DOUBLE" }
        ],
        outputs: [
          { name: "label", nullable: true, type: "INT64" },
          { name: "probabilities", nullable: true, shape: [3], type: "FLOAT" }
        ],
        params: [{ default_value: 0.5, dtype: "DOUBLE", name: "threshold" }]
      })
    })
  })

  it.effect("writes a MANIFEST.yml shaped like Snowflake's own (fixture MANIFEST_4)", () => {
    const home = tempHome()
    // The signature of snowflake-ml-python's manifest tests, logged as a table function.
    const dummy = Signature.signature(
      [
        Signature.feature("input_1", "FLOAT"),
        Signature.feature("input_2", "FLOAT", { shape: [-1] }),
        Signature.feature("input_3", "FLOAT", { shape: [-1] }),
        Signature.feature("input_4", "FLOAT", { shape: [-1] })
      ],
      [
        Signature.feature("output_1", "FLOAT"),
        Signature.feature("output_2", "FLOAT", { shape: [2, 2] }),
        Signature.feature("output_3", "FLOAT", { shape: [2, 2] }),
        Signature.feature("output_4", "FLOAT", { shape: [2, 2] })
      ]
    )
    return Effect.gen(function* () {
      const { manifest } = yield* logAndRead(home, {
        signatures: { predict: dummy },
        functionKinds: { predict: "TABLE_FUNCTION" }
      })
      const parsed = Yaml.parse(manifest) as Record<string, unknown>
      expect(Object.keys(parsed)).toEqual(["manifest_version", "methods", "runtimes", "user_data"])
      expect(parsed["manifest_version"]).toBe("1.0")
      expect(parsed["methods"]).toEqual([
        {
          handler: "functions.predict.infer",
          inputs: [
            { name: "INPUT_1", type: "FLOAT" },
            { name: "INPUT_2", type: "ARRAY" },
            { name: "INPUT_3", type: "ARRAY" },
            { name: "INPUT_4", type: "ARRAY" }
          ],
          name: "PREDICT",
          outputs: [
            { name: "OUTPUT_1", type: "FLOAT" },
            { name: "OUTPUT_2", type: "ARRAY" },
            { name: "OUTPUT_3", type: "ARRAY" },
            { name: "OUTPUT_4", type: "ARRAY" }
          ],
          runtime: "python_runtime",
          type: "TABLE_FUNCTION"
        }
      ])
      expect(parsed["runtimes"]).toEqual({
        python_runtime: { dependencies: {}, imports: ["model/"], language: "PYTHON", version: "3.10" }
      })
    })
  })

  it.effect("gives a FUNCTION one OBJECT output and writes params with SQL defaults", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const { manifest } = yield* logAndRead(home, {})
      const method = (Yaml.parse(manifest) as { methods: Array<Record<string, unknown>> }).methods[0]!
      expect(method["outputs"]).toEqual([{ type: "OBJECT" }])
      expect(method["params"]).toEqual([{ default: "0.5", name: "THRESHOLD", type: "DOUBLE" }])
      expect(method["inputs"]).toEqual([
        { name: "SEPAL_LENGTH", type: "DOUBLE" },
        { name: "SEPAL_WIDTH", type: "DOUBLE" }
      ])
    })
  })

  it("maps every DataType to the SQL type Snowpark gives it", () => {
    const expected: Record<DataType.DataType, string> = {
      INT8: "BYTEINT",
      INT16: "SMALLINT",
      INT32: "INT",
      INT64: "BIGINT",
      UINT8: "BYTEINT",
      UINT16: "SMALLINT",
      UINT32: "INT",
      UINT64: "BIGINT",
      FLOAT: "FLOAT",
      DOUBLE: "DOUBLE",
      BOOL: "BOOLEAN",
      STRING: "STRING",
      BYTES: "BINARY",
      TIMESTAMP_NTZ: "TIMESTAMP",
      OBJECT: "OBJECT"
    }
    for (const type of DataType.DATA_TYPES) {
      expect([type, ModelVersionFiles.sqlType(Signature.feature("f", type))]).toEqual([type, expected[type]])
    }
    expect(ModelVersionFiles.sqlType(Signature.feature("f", "INT8", { shape: [2, 2] }))).toBe("ARRAY")
    const struct = Signature.group("g", [Signature.feature("a", "STRING")])
    expect(ModelVersionFiles.sqlType(struct)).toBe("OBJECT")
    expect(ModelVersionFiles.sqlType(Signature.group("g", struct.specs, { shape: [-1] }))).toBe("ARRAY")
    expect(ModelVersionFiles.sqlType(Signature.paramGroup("p", [Signature.param("t", "DOUBLE", 1)]))).toBe(
      "OBJECT"
    )
  })

  it("writes param defaults as the SQL literals snowflake-ml-python writes", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [null, "NULL"],
      [true, "true"],
      [false, "false"],
      [0.5, "0.5"],
      [100, "100"],
      ["it's", "'it\\'s'"],
      // A backslash is an escape in Snowflake literals: doubled, so no text can end the literal early.
      ["\\'); DROP TABLE t; --", "'\\\\\\'); DROP TABLE t; --'"],
      [[1, 2, 3], "[1, 2, 3]"],
      [["a", "b"], "['a', 'b']"],
      [[], "[]"],
      [{ temperature: 1, top_k: 50 }, "OBJECT_CONSTRUCT_KEEP_NULL('temperature', 1, 'top_k', 50)"],
      [{ a: { b: null } }, "OBJECT_CONSTRUCT_KEEP_NULL('a', OBJECT_CONSTRUCT_KEEP_NULL('b', NULL))"],
      [{ "k'": 1 }, "OBJECT_CONSTRUCT_KEEP_NULL('k\\'', 1)"]
    ]
    for (const [value, literal] of cases) expect(ModelVersionFiles.sqlLiteral(value)).toBe(literal)
  })

  it.effect("reads back through the one reader, from the manifest's methods as Snowflake would", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const { dir, modelSpec, manifest } = yield* logAndRead(home, {
        signatures: { predict, explain },
        functionKinds: { explain: "TABLE_FUNCTION" }
      })
      // What the Snowflake backend would get: model_spec, the manifest's user_data as JSON, no SHOW
      // FUNCTIONS rows (so the manifest's methods).
      const userData = (Yaml.parse(manifest) as { user_data: unknown }).user_data
      const parsed = yield* ModelVersionReader.read(
        { modelSpecYaml: modelSpec, userDataJson: JSON.stringify(userData), manifestYaml: manifest },
        "ML.PUBLIC.IRIS",
        "V1"
      )
      expect(parsed.functions.map((f) => [f.name, f.targetMethod, f.kind, f.partitioned])).toEqual([
        ["PREDICT", "predict", "FUNCTION", false],
        ["EXPLAIN", "explain", "TABLE_FUNCTION", false]
      ])
      expect(parsed.engine).toBe("onnx")
      expect(parsed.artifacts.map((a) => a.path)).toEqual(["model/artifacts/model.onnx"])
      expect(parsed.userData).toEqual(JSON.parse(readFileSync(join(dir, "user_data.json"), "utf8")))
    })
  })
})
