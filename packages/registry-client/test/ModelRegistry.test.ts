import { createHash } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ModelRegistry, ModelVersionFiles, RegistryPromise } from "@runbatch/registry-client"
import { LocalAccount } from "@runbatch/session"
import { LocalLayout, Signature, SignatureYaml } from "@runbatch/spec"
import { Effect, Layer } from "effect"
import { onTestFinished } from "vitest"
import * as Yaml from "yaml"

const tempHome = () => {
  const home = mkdtempSync(join(tmpdir(), "runbatch-registry-"))
  onTestFinished(() => rmSync(home, { recursive: true, force: true }))
  return home
}

const layer = (home: string) =>
  ModelRegistry.layerLocal().pipe(
    Layer.provide(LocalAccount.layer({ home, database: "ML", schema: "PUBLIC" }))
  )

const run = <A, E>(home: string, effect: Effect.Effect<A, E, ModelRegistry>) =>
  Effect.runPromise(Effect.result(effect.pipe(Effect.provide(layer(home)))))

const ok = async <A, E>(home: string, effect: Effect.Effect<A, E, ModelRegistry>): Promise<A> => {
  const result = await run(home, effect)
  if (result._tag === "Failure") throw result.failure
  return result.success
}

const fails = async <A, E>(home: string, effect: Effect.Effect<A, E, ModelRegistry>) => {
  const result = await run(home, effect)
  if (result._tag === "Success") throw new Error("expected a failure")
  return result.failure as { readonly _tag: string; readonly message: string }
}

const predict = Signature.signature(
  [Signature.feature("sepal_length", "DOUBLE"), Signature.feature("sepal_width", "DOUBLE")],
  [Signature.feature("label", "INT64"), Signature.feature("probabilities", "FLOAT", { shape: [3] })],
  [Signature.param("threshold", "DOUBLE", 0.5)]
)
const explain = Signature.signature(
  [Signature.feature("sepal_length", "DOUBLE")],
  [Signature.feature("shap", "DOUBLE")]
)

const artifact = (home: string, name: string, content: string) => {
  const dir = join(home, "local")
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, name), content)
  return join(dir, name)
}

const log = (home: string, overrides: Partial<Parameters<ModelRegistry["Service"]["logModel"]>[0]> = {}) =>
  ok(
    home,
    ModelRegistry.use((r) =>
      r.logModel({
        name: "iris",
        version: "v1",
        engine: "onnx",
        engineOptions: { inputs: "auto" },
        artifacts: [artifact(home, "model.onnx", "ONNX-BYTES")],
        signatures: { predict },
        comment: "first",
        metadata: { accuracy: 0.97 },
        ...overrides
      })
    )
  )

describe("ModelRegistry (local)", () => {
  it("logs a version in Snowflake's layout and reads it back", async () => {
    const home = tempHome()
    const logged = await log(home)
    expect(logged.model).toEqual({ database: "ML", schema: "PUBLIC", name: "IRIS" })
    expect(logged.version).toBe("V1")
    expect(logged.isDefault).toBe(true)
    expect(logged.engine).toBe("onnx")
    expect(logged.engineOptions).toEqual({ inputs: "auto" })
    expect(logged.functions).toEqual([
      { name: "PREDICT", targetMethod: "predict", kind: "FUNCTION", signature: predict }
    ])
    expect(logged.artifacts).toEqual([
      {
        name: "model.onnx",
        location: "snow://model/ML.PUBLIC.IRIS/versions/V1/model/artifacts/model.onnx",
        bytes: 10,
        sha256: createHash("sha256").update("ONNX-BYTES").digest("hex")
      }
    ])
    const dir = LocalLayout.versionDir(home, { database: "ML", schema: "PUBLIC", name: "IRIS" }, "V1")
    expect(readdirSync(dir).sort()).toEqual(["MANIFEST.yml", "model", "user_data.json", "version.json"])
    expect(readFileSync(join(dir, "model/artifacts/model.onnx"), "utf8")).toBe("ONNX-BYTES")
    // model.yaml: Snowflake's keys, signatures readable by the signature reader.
    const spec = Yaml.parse(readFileSync(join(dir, "model/model.yaml"), "utf8")) as Record<string, unknown>
    expect(Object.keys(spec)).toEqual(
      expect.arrayContaining(["version", "creation_timestamp", "model_type", "models", "name", "signatures"])
    )
    const signatures = await Effect.runPromise(SignatureYaml.fromWire(spec))
    expect(signatures["predict"]).toEqual(predict)
    const manifest = Yaml.parse(readFileSync(join(dir, "MANIFEST.yml"), "utf8")) as {
      methods: Array<Record<string, unknown>>
    }
    expect(manifest.methods[0]).toMatchObject({
      name: "PREDICT",
      type: "FUNCTION",
      handler: "functions.predict.infer"
    })
    expect(JSON.parse(readFileSync(join(dir, "user_data.json"), "utf8")).runbatch.engine).toBe("onnx")
  })

  it("logs an HTTP-engine model with no artifact", async () => {
    const home = tempHome()
    const logged = await log(home, {
      name: "chat",
      engine: "custom-http",
      artifacts: [],
      engineOptions: { url: "http://127.0.0.1:9/predict" }
    })
    expect(logged.artifacts).toEqual([])
    expect(
      (
        await ok(
          home,
          ModelRegistry.use((r) => r.getVersion("CHAT"))
        )
      ).engine
    ).toBe("custom-http")
  })

  it("keeps the first version as the default; getVersion without a version gives it", async () => {
    const home = tempHome()
    await log(home)
    await log(home, { version: "v2", comment: "second" })
    const model = await ok(
      home,
      ModelRegistry.use((r) => r.getModel("IRIS"))
    )
    expect(model.defaultVersion).toBe("V1")
    expect(model.versions).toEqual(["V1", "V2"])
    expect(
      (
        await ok(
          home,
          ModelRegistry.use((r) => r.getVersion("iris"))
        )
      ).version
    ).toBe("V1")
    await ok(
      home,
      ModelRegistry.use((r) => r.setDefaultVersion("iris", "v2"))
    )
    expect(
      (
        await ok(
          home,
          ModelRegistry.use((r) => r.getVersion("iris"))
        )
      ).version
    ).toBe("V2")
  })

  it("lists models and shows versions and functions (FUNCTION and TABLE_FUNCTION)", async () => {
    const home = tempHome()
    await log(home, { signatures: { predict, explain }, functionKinds: { explain: "TABLE_FUNCTION" } })
    await log(home, { name: "wine", artifacts: [] })
    const models = await ok(
      home,
      ModelRegistry.use((r) => r.listModels)
    )
    expect(models.map((m) => m.name)).toEqual(["IRIS", "WINE"])
    expect(models[0]).toMatchObject({ database: "ML", schema: "PUBLIC", defaultVersion: "V1" })
    const versions = await ok(
      home,
      ModelRegistry.use((r) => r.showVersions("iris"))
    )
    expect(versions).toHaveLength(1)
    expect(versions[0]).toMatchObject({
      name: "V1",
      comment: "first",
      isDefaultVersion: true,
      functions: ["PREDICT", "EXPLAIN"],
      metadata: { accuracy: 0.97 }
    })
    expect((versions[0]!.userData["runbatch"] as Record<string, unknown>)["engine"]).toBe("onnx")
    const functions = await ok(
      home,
      ModelRegistry.use((r) => r.showFunctions("iris", "v1"))
    )
    expect(functions.map((f) => [f.name, f.targetMethod, f.kind])).toEqual([
      ["PREDICT", "predict", "FUNCTION"],
      ["EXPLAIN", "explain", "TABLE_FUNCTION"]
    ])
  })

  it("resolves the function as the original: by name case-insensitively, or the only one", async () => {
    const home = tempHome()
    await log(home)
    await log(home, { name: "multi", signatures: { predict, explain }, artifacts: [] })
    expect(
      (
        await ok(
          home,
          ModelRegistry.use((r) => r.resolveFunction("iris", undefined, undefined))
        )
      ).targetMethod
    ).toBe("predict")
    expect(
      (
        await ok(
          home,
          ModelRegistry.use((r) => r.resolveFunction("multi", "v1", "EXPLAIN"))
        )
      ).targetMethod
    ).toBe("explain")
    expect(
      (
        await ok(
          home,
          ModelRegistry.use((r) => r.resolveFunction("multi", "v1", "explain"))
        )
      ).name
    ).toBe("EXPLAIN")
    const notFound = await fails(
      home,
      ModelRegistry.use((r) => r.resolveFunction("iris", "v1", "transform"))
    )
    expect(notFound._tag).toBe("FunctionNotFound")
    expect(notFound.message).toContain(
      "There is no method with name transform available in the model ML.PUBLIC.IRIS version V1"
    )
    const ambiguous = await fails(
      home,
      ModelRegistry.use((r) => r.resolveFunction("multi", undefined, undefined))
    )
    expect(ambiguous._tag).toBe("FunctionNotSpecified")
    expect(ambiguous.message).toContain(
      "There are more than 1 target methods available in the model ML.PUBLIC.MULTI version V1"
    )
  })

  it("names what is missing: models (with the closest names) and versions", async () => {
    const home = tempHome()
    await log(home)
    const model = await fails(
      home,
      ModelRegistry.use((r) => r.getVersion("IRSI"))
    )
    expect(model._tag).toBe("ModelNotFound")
    expect(model.message).toContain("The model ML.PUBLIC.IRSI does not exist. Did you mean ML.PUBLIC.IRIS?")
    const version = await fails(
      home,
      ModelRegistry.use((r) => r.getVersion("IRIS", "v9"))
    )
    expect(version._tag).toBe("ModelVersionNotFound")
    expect(version.message).toContain("has no version V9. Versions: V1.")
  })

  it("never changes a logged version", async () => {
    const home = tempHome()
    await log(home)
    const dir = LocalLayout.versionDir(home, { database: "ML", schema: "PUBLIC", name: "IRIS" }, "V1")
    const before = readFileSync(join(dir, "user_data.json"), "utf8")
    const again = await fails(
      home,
      ModelRegistry.use((r) =>
        r.logModel({ name: "IRIS", version: "V1", engine: "vllm", signatures: { predict } })
      )
    )
    expect(again._tag).toBe("ModelVersionExists")
    expect(again.message).toContain("versions never change once logged")
    expect(readFileSync(join(dir, "user_data.json"), "utf8")).toBe(before)
  })

  it("refuses bad input before writing anything", async () => {
    const home = tempHome()
    const cases: Array<[string, Parameters<ModelRegistry["Service"]["logModel"]>[0], string, string]> = [
      [
        "a missing artifact",
        {
          name: "m",
          version: "v1",
          engine: "onnx",
          signatures: { predict },
          artifacts: [join(home, "nope.onnx")]
        },
        "LocalFileError",
        "does not exist"
      ],
      [
        "an invalid signature",
        { name: "m", version: "v1", engine: "onnx", signatures: { predict: Signature.signature([], []) } },
        "InvalidSignature",
        "at least one input"
      ],
      [
        "a bad name",
        { name: "1model", version: "v1", engine: "onnx", signatures: { predict } },
        "InvalidIdentifier",
        "1model"
      ],
      [
        "a bad engine id",
        { name: "m", version: "v1", engine: "ONNX Runtime", signatures: { predict } },
        "InvalidModelVersion",
        "not a plugin id"
      ],
      [
        "no signature",
        { name: "m", version: "v1", engine: "onnx", signatures: {} },
        "InvalidModelVersion",
        "at least one method"
      ]
    ]
    for (const [, options, tag, fragment] of cases) {
      const error = await fails(
        home,
        ModelRegistry.use((r) => r.logModel(options))
      )
      expect(error._tag).toBe(tag)
      expect(error.message).toContain(fragment)
    }
    expect(
      existsSync(LocalLayout.registryDir(home)) ? readdirSync(join(LocalLayout.registryDir(home))).length : 0
    ).toBe(0)
  })

  it("ignores a version left half-written by a crash, which does not block logging it", async () => {
    const home = tempHome()
    const versions = join(
      LocalLayout.modelDir(home, { database: "ML", schema: "PUBLIC", name: "IRIS" }),
      "versions"
    )
    mkdirSync(join(versions, ".tmp-crashed", "model"), { recursive: true })
    writeFileSync(join(versions, ".tmp-crashed", "MANIFEST.yml"), "manifest_version: '1.0'\n")
    expect(
      (
        await fails(
          home,
          ModelRegistry.use((r) => r.getModel("IRIS"))
        )
      )._tag
    ).toBe("ModelNotFound")
    await log(home)
    expect(
      (
        await ok(
          home,
          ModelRegistry.use((r) => r.getModel("IRIS"))
        )
      ).versions
    ).toEqual(["V1"])
  })

  it("round-trips quoted names with spaces and lower case", async () => {
    const home = tempHome()
    const logged = await log(home, { name: '"My Models"."iris v2"', version: '"beta 1"', artifacts: [] })
    expect(logged.model).toEqual({ database: "ML", schema: "My Models", name: "iris v2" })
    expect(logged.version).toBe("beta 1")
    const again = await ok(
      home,
      ModelRegistry.use((r) => r.getVersion('"My Models"."iris v2"', '"beta 1"'))
    )
    expect(again.version).toBe("beta 1")
  })

  it("deletes versions: not the default while others remain; the last one takes the model with it", async () => {
    const home = tempHome()
    await log(home)
    await log(home, { version: "v2" })
    const refused = await fails(
      home,
      ModelRegistry.use((r) => r.deleteVersion("iris", "v1"))
    )
    expect(refused.message).toContain("set another default version before deleting it")
    await ok(
      home,
      ModelRegistry.use((r) => r.deleteVersion("iris", "v2"))
    )
    await ok(
      home,
      ModelRegistry.use((r) => r.deleteVersion("iris", "v1"))
    )
    expect(
      (
        await fails(
          home,
          ModelRegistry.use((r) => r.getModel("iris"))
        )
      )._tag
    ).toBe("ModelNotFound")
  })

  it("reads a version from raw Snowflake-style inputs, as the Snowflake backend will", async () => {
    const modelSpecYaml = `
version: '2023-12-01'
name: WINE
model_type: runbatch
signatures:
  predict:
    inputs:
      - {name: feature_1, type: DOUBLE, nullable: true}
    outputs:
      - {name: output_feature_0, type: INT64}
`
    const manifestYaml = `
manifest_version: '1.0'
methods:
  - {name: PREDICT, runtime: python_runtime, type: FUNCTION, handler: functions.predict.infer, inputs: [{name: FEATURE_1, type: FLOAT}], outputs: [{type: OBJECT}]}
`
    const userDataJson = JSON.stringify({ runbatch: { engine: "onnx", engine_options: {}, artifacts: [] } })
    const parsed = await Effect.runPromise(
      ModelVersionFiles.readVersion({ modelSpecYaml, manifestYaml, userDataJson }, "ML.PUBLIC.WINE", "V1")
    )
    expect(parsed.functions).toHaveLength(1)
    expect(parsed.functions[0]!.signature.outputs[0]).toEqual({
      name: "output_feature_0",
      dtype: "INT64",
      nullable: false
    })
    const broken = await Effect.runPromise(
      Effect.flip(
        ModelVersionFiles.readVersion(
          { modelSpecYaml, manifestYaml, userDataJson: "{}" },
          "ML.PUBLIC.WINE",
          "V1"
        )
      )
    )
    expect(broken.message).toContain("its user data has no runbatch engine")
  })

  it("has a Promise face that rejects with the typed errors", async () => {
    const home = tempHome()
    await using registry = RegistryPromise.local({ home, database: "ML", schema: "PUBLIC" })
    await registry.logModel({ name: "iris", version: "v1", engine: "onnx", signatures: { predict } })
    expect((await registry.getVersion("IRIS")).version).toBe("V1")
    await expect(registry.getModel("none")).rejects.toMatchObject({ _tag: "ModelNotFound" })
  })
})
