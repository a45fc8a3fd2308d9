import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalAccount } from "@runbatch/account"
import { ModelRegistry, resolveVersionFunction } from "@runbatch/registry-client"
import { LocalLayout, ModelFileLocation, Signature } from "@runbatch/spec"
import { Effect } from "effect"
import * as Yaml from "yaml"
import {
  explain,
  irisOptions,
  localFile,
  type Overrides,
  predict,
  registryLayer,
  sha256,
  snapshot,
  tempHome
} from "./support.ts"

const IRIS = { database: "ML", schema: "PUBLIC", name: "IRIS" }

describe("ModelRegistry.layerLocal", () => {
  it.effect("a log that fails while copying leaves no folder behind, and keeps a model's others", () => {
    const home = tempHome()
    // A file the kernel says is a regular file but cannot be read: the copy fails part way.
    const unreadable = { artifacts: [{ name: "model.onnx", path: "/proc/self/mem" }] }
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      const failure = yield* Effect.flip(registry.logModel(irisOptions(home, unreadable)))
      expect(failure._tag).toBe("LocalFileError")
      expect(readdirSync(LocalLayout.registryDir(home))).toEqual([])
      expect(yield* registry.listModels).toEqual([])
      // A model that has a version keeps it, and its folders, when a later log fails.
      yield* registry.logModel(irisOptions(home))
      yield* Effect.flip(registry.logModel(irisOptions(home, { ...unreadable, version: "v2" })))
      expect(readdirSync(LocalLayout.modelDir(home, IRIS)).sort()).toEqual(["model.json", "versions"])
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("logs a version in Snowflake's layout and reads it back", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      const logged = yield* registry.logModel(irisOptions(home))
      expect(logged.model).toEqual(IRIS)
      expect(logged.version).toBe("V1")
      expect(logged.engine).toBe("onnx")
      expect(logged.engineOptions).toEqual({ inputs: "auto" })
      expect(logged.modelType).toBe("runbatch")
      expect(logged.comment).toBe("first")
      expect(logged.metadata).toEqual({ accuracy: 0.97 })
      expect(logged.isDefault).toBe(true)
      expect(logged.aliases).toEqual(["DEFAULT", "FIRST", "LAST"])
      expect(logged.functions).toEqual([
        { name: "PREDICT", targetMethod: "predict", kind: "FUNCTION", signature: predict, partitioned: false }
      ])
      expect(logged.artifacts).toEqual([
        {
          name: "model.onnx",
          location: "snow://model/ML.PUBLIC.IRIS/versions/V1/model/artifacts/model.onnx",
          bytes: 10,
          sha256: sha256("ONNX-BYTES")
        }
      ])

      const dir = LocalLayout.versionDir(home, IRIS, "V1")
      expect(readdirSync(dir).sort()).toEqual(["MANIFEST.yml", "model", "user_data.json", "version.json"])
      expect(readdirSync(join(dir, "model")).sort()).toEqual(["artifacts", "model.yaml"])
      expect(readFileSync(join(dir, "model/artifacts/model.onnx"), "utf8")).toBe("ONNX-BYTES")
      // The user data Snowflake would show is the manifest's user_data section; user_data.json holds
      // the same object for the local reader.
      const manifest = Yaml.parse(readFileSync(join(dir, "MANIFEST.yml"), "utf8")) as { user_data: unknown }
      const userData = JSON.parse(readFileSync(join(dir, "user_data.json"), "utf8")) as unknown
      expect(manifest.user_data).toEqual(userData)
      expect(userData).toEqual({
        runbatch: {
          engine: "onnx",
          engine_options: { inputs: "auto" },
          artifacts: [
            {
              name: "model.onnx",
              path: "model/artifacts/model.onnx",
              bytes: 10,
              sha256: sha256("ONNX-BYTES")
            }
          ]
        }
      })
      const record = JSON.parse(readFileSync(join(LocalLayout.modelDir(home, IRIS), "model.json"), "utf8"))
      expect(record).toEqual({ created_on: logged.createdOn, default_version_name: "V1" })
      // Nothing is left behind in the staging folders.
      expect(readdirSync(join(LocalLayout.modelDir(home, IRIS), ".incoming"))).toEqual([])
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("addresses artifacts as snow://model locations the account resolves to the logged files", () => {
    const home = tempHome()
    const weights = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7919) % 251)
    return Effect.gen(function* () {
      const logged = yield* ModelRegistry.use((r) =>
        r.logModel(
          irisOptions(home, {
            artifacts: [
              localFile(home, "weights.bin", weights),
              { name: "vocab.txt", path: localFile(home, "v", "a b c") }
            ]
          })
        )
      )
      const account = yield* LocalAccount
      for (const artifact of logged.artifacts) {
        const location = yield* ModelFileLocation.parse(artifact.location)
        const bytes = readFileSync(yield* account.modelFilePath(location))
        expect(bytes.byteLength).toBe(artifact.bytes)
        expect(sha256(bytes)).toBe(artifact.sha256)
      }
      expect(logged.artifacts.map((a) => [a.name, a.bytes])).toEqual([
        ["weights.bin", weights.byteLength],
        ["vocab.txt", 5]
      ])
      expect(logged.artifacts[0]!.sha256).toBe(sha256(weights))
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("logs an HTTP-engine model, which has no artifact; engine ids are lower-cased", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      const logged = yield* registry.logModel({
        name: "chat",
        version: "v1",
        engine: " Custom-HTTP ",
        engineOptions: { url: "http://127.0.0.1:9/predict", concurrency: 4 },
        signatures: { predict }
      })
      expect(logged.artifacts).toEqual([])
      const read = yield* registry.getVersion("CHAT", "V1")
      expect(read.engine).toBe("custom-http")
      expect(read.engineOptions).toEqual({ url: "http://127.0.0.1:9/predict", concurrency: 4 })
      expect(
        readdirSync(join(LocalLayout.versionDir(home, { ...IRIS, name: "CHAT" }, "V1"), "model"))
      ).toEqual(["model.yaml"])
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("takes methods named as Object's properties (constructor, toString, __proto__) as data", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      // Built as YAML parses it: `__proto__` an own key, not the object's prototype.
      const signatures = Object.fromEntries(["constructor", "toString", "__proto__"].map((m) => [m, predict]))
      yield* registry.logModel({ name: "odd", version: "v1", engine: "custom-http", signatures })
      const read = yield* registry.getVersion("ODD", "V1")
      expect(read.functions.map((f) => [f.name, f.targetMethod, f.kind, f.signature])).toEqual([
        ["CONSTRUCTOR", "constructor", "FUNCTION", predict],
        ["TOSTRING", "toString", "FUNCTION", predict],
        ["__PROTO__", "__proto__", "FUNCTION", predict]
      ])
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("makes the first version the default, and finds versions by name or system alias", () => {
    const home = tempHome()
    let clock = Date.parse("2026-01-01T00:00:00Z")
    const layer = ModelRegistry.layerLocalAccount({
      home,
      database: "ML",
      schema: "PUBLIC",
      now: () => {
        clock += 1000
        return new Date(clock)
      }
    })
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      yield* registry.logModel(irisOptions(home, { version: "v2" }))
      yield* registry.logModel(irisOptions(home, { version: "v10", artifacts: [] }))
      yield* registry.logModel(irisOptions(home, { version: "v3", artifacts: [] }))
      const model = yield* registry.getModel("iris")
      expect(model.defaultVersion).toBe("V2")
      expect(model.versions).toEqual(["V10", "V2", "V3"])
      expect((yield* registry.getVersion("iris")).version).toBe("V2")
      expect((yield* registry.getVersion("iris", "default")).version).toBe("V2")
      expect((yield* registry.getVersion("iris", "FIRST")).version).toBe("V2")
      expect((yield* registry.getVersion("iris", "last")).version).toBe("V3")

      yield* registry.setDefaultVersion("IRIS", "v10")
      expect((yield* registry.getModel("iris")).defaultVersion).toBe("V10")
      const v10 = yield* registry.getVersion("iris")
      expect([v10.version, v10.isDefault, v10.aliases]).toEqual(["V10", true, ["DEFAULT"]])
      const missing = yield* Effect.flip(registry.setDefaultVersion("iris", "v9"))
      expect(missing._tag).toBe("ModelVersionNotFound")
    }).pipe(Effect.provide(layer))
  })

  it.effect("lists the models of its schema; databases and schemas come into being on first log", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      expect(yield* registry.listModels).toEqual([])
      expect(existsSync(LocalLayout.registryDir(home))).toBe(false)
      yield* registry.logModel(irisOptions(home))
      yield* registry.logModel(irisOptions(home, { name: "wine", artifacts: [] }))
      yield* registry.logModel(irisOptions(home, { name: "OTHER_DB.STAGING.WINE", artifacts: [] }))
      const models = yield* registry.listModels
      expect(models.map((m) => m.name)).toEqual(["IRIS", "WINE"])
      expect(models[0]).toMatchObject({
        database: "ML",
        schema: "PUBLIC",
        comment: undefined,
        defaultVersion: "V1",
        versions: ["V1"]
      })
      const staging = registry.forSchema({ database: "OTHER_DB", schema: "STAGING" })
      expect(staging.scope).toEqual({ database: "OTHER_DB", schema: "STAGING" })
      expect((yield* staging.listModels).map((m) => [m.database, m.schema, m.name])).toEqual([
        ["OTHER_DB", "STAGING", "WINE"]
      ])
      expect((yield* staging.getVersion("wine")).model).toEqual({
        database: "OTHER_DB",
        schema: "STAGING",
        name: "WINE"
      })
      expect((yield* registry.getVersion("other_db.staging.wine")).model.database).toBe("OTHER_DB")
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("shows versions and functions (FUNCTION and TABLE_FUNCTION) as Snowflake's SHOW commands", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      yield* registry.logModel(
        irisOptions(home, { signatures: { predict, explain }, functionKinds: { explain: "TABLE_FUNCTION" } })
      )
      yield* registry.logModel(
        irisOptions(home, { version: "v2", artifacts: [], comment: undefined, metadata: undefined })
      )
      const rows = yield* registry.showVersions("iris")
      expect(rows).toHaveLength(2)
      expect(rows[0]).toMatchObject({
        name: "V1",
        databaseName: "ML",
        schemaName: "PUBLIC",
        modelName: "IRIS",
        comment: "first",
        isDefaultVersion: true,
        functions: ["PREDICT", "EXPLAIN"],
        metadata: { accuracy: 0.97 }
      })
      expect(rows[0]!.aliases).toContain("DEFAULT")
      expect((rows[0]!.userData["runbatch"] as { engine: string }).engine).toBe("onnx")
      expect(rows[1]).toMatchObject({ name: "V2", comment: undefined, isDefaultVersion: false, metadata: {} })

      const functions = yield* registry.showFunctions("iris", "v1")
      expect(functions).toEqual([
        { name: "PREDICT", targetMethod: "predict", kind: "FUNCTION", signature: predict },
        { name: "EXPLAIN", targetMethod: "explain", kind: "TABLE_FUNCTION", signature: explain }
      ])
      // runbatch logs table functions unpartitioned, and says so in function_properties.
      const v1 = yield* registry.getVersion("iris", "v1")
      expect(v1.functions.map((f) => [f.name, f.partitioned])).toEqual([
        ["PREDICT", false],
        ["EXPLAIN", false]
      ])
      expect((yield* registry.showFunctions("iris", "last")).map((f) => f.name)).toEqual(["PREDICT"])
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("resolves the function as the original: by name, case-insensitively, or the only one", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      yield* registry.logModel(irisOptions(home))
      yield* registry.logModel(
        irisOptions(home, { name: "multi", signatures: { predict, explain }, artifacts: [] })
      )
      expect((yield* registry.resolveFunction("iris")).targetMethod).toBe("predict")
      expect((yield* registry.resolveFunction("multi", "v1", "EXPLAIN")).targetMethod).toBe("explain")
      expect((yield* registry.resolveFunction("multi", undefined, "explain")).name).toBe("EXPLAIN")
      expect((yield* registry.resolveFunction("multi", undefined, "Predict")).name).toBe("PREDICT")

      const notFound = yield* Effect.flip(registry.resolveFunction("iris", "v1", "transform"))
      expect(notFound._tag).toBe("FunctionNotFound")
      expect(notFound.message).toBe(
        "There is no method with name transform available in the model ML.PUBLIC.IRIS version V1. Available methods: predict."
      )
      const unspecified = yield* Effect.flip(registry.resolveFunction("multi"))
      expect(unspecified._tag).toBe("FunctionNotSpecified")
      expect(unspecified.message).toContain(
        "There are more than 1 target methods available in the model ML.PUBLIC.MULTI version V1 (predict, explain)."
      )
      // The same rules on a version already read.
      const multi = yield* registry.getVersion("multi")
      expect((yield* resolveVersionFunction(multi, "explain")).kind).toBe("FUNCTION")
      expect((yield* Effect.flip(resolveVersionFunction(multi)))._tag).toBe("FunctionNotSpecified")
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("names what is missing: models with the closest names, versions with those there are", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      yield* registry.logModel(irisOptions(home))
      yield* registry.logModel(irisOptions(home, { version: "v2", artifacts: [] }))
      const model = yield* Effect.flip(registry.getVersion("IRSI"))
      expect(model._tag).toBe("ModelNotFound")
      expect(model.message).toContain("The model ML.PUBLIC.IRSI does not exist. Did you mean ML.PUBLIC.IRIS?")
      const far = yield* Effect.flip(registry.getModel("completely_different"))
      expect(far).toMatchObject({ _tag: "ModelNotFound", closest: [] })
      const version = yield* Effect.flip(registry.getVersion("IRIS", "v9"))
      expect(version._tag).toBe("ModelVersionNotFound")
      expect(version.message).toBe("The model ML.PUBLIC.IRIS has no version V9. Versions: V1, V2.")
      const badName = yield* Effect.flip(registry.getModel("1iris"))
      expect(badName._tag).toBe("InvalidIdentifier")
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("never changes a logged version", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      yield* registry.logModel(irisOptions(home))
      const dir = LocalLayout.versionDir(home, IRIS, "V1")
      const before = snapshot(dir)
      const again = yield* Effect.flip(
        registry.logModel({
          name: "IRIS",
          version: '"V1"',
          engine: "vllm",
          artifacts: [localFile(home, "other.onnx", "OTHER")],
          signatures: { predict: explain }
        })
      )
      expect(again._tag).toBe("ModelVersionExists")
      expect(again.message).toContain("already has a version V1, and versions never change once logged")
      expect(snapshot(dir)).toEqual(before)
      expect((yield* registry.getVersion("iris", "v1")).engine).toBe("onnx")
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("lets exactly one of two concurrent logs of a version win", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      const attempts = yield* Effect.all(
        ["onnx", "vllm", "custom-http"].map((engine) =>
          Effect.result(registry.logModel(irisOptions(home, { engine, artifacts: [] })))
        ),
        { concurrency: "unbounded" }
      )
      const won = attempts.filter((r) => r._tag === "Success")
      const lost = attempts.filter((r) => r._tag === "Failure")
      expect(won).toHaveLength(1)
      expect(lost.map((r) => r._tag === "Failure" && r.failure._tag)).toEqual([
        "ModelVersionExists",
        "ModelVersionExists"
      ])
      const winner = won[0]!._tag === "Success" ? won[0]!.success.engine : ""
      expect((yield* registry.getVersion("iris")).engine).toBe(winner)
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("refuses bad input before writing anything", () => {
    const home = tempHome()
    const cases: ReadonlyArray<readonly [Overrides, string, string]> = [
      [{ artifacts: [join(home, "nope.onnx")] }, "LocalFileError", "does not exist"],
      [{ artifacts: [home] }, "LocalFileError", "not a file"],
      [{ signatures: { predict: Signature.signature([], []) } }, "InvalidSignature", "at least one input"],
      [
        { signatures: { predict, PREDICT: explain } },
        "InvalidSignature",
        "Found duplicate method named resolved as PREDICT"
      ],
      [{ signatures: { "predict-proba": predict } }, "InvalidSignature", "Python-style identifier"],
      [{ signatures: {} }, "InvalidSpec", "signatures: a version needs at least one method signature"],
      [{ name: "1model" }, "InvalidIdentifier", "1model"],
      [{ version: "v 1" }, "InvalidIdentifier", "v 1"],
      [{ engine: "ONNX Runtime" }, "InvalidSpec", 'engine: "ONNX Runtime" is not an engine plugin id'],
      [{ functionKinds: { transform: "TABLE_FUNCTION" } }, "InvalidSpec", "functionKinds.transform"],
      [
        {
          artifacts: [
            { name: "model.onnx", path: localFile(home, "a", "a") },
            { name: "model.onnx", path: localFile(home, "b", "b") }
          ]
        },
        "InvalidSpec",
        'two artifacts are named "model.onnx"'
      ],
      [
        { artifacts: [{ name: "../escape", path: localFile(home, "c", "c") }] },
        "InvalidSpec",
        "plain file name"
      ]
    ]
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      for (const [overrides, tag, fragment] of cases) {
        const error = yield* Effect.flip(registry.logModel(irisOptions(home, overrides)))
        expect([error._tag, error.message]).toEqual([tag, expect.stringContaining(fragment)])
      }
      expect(existsSync(LocalLayout.registryDir(home))).toBe(false)
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("reports every option problem at once", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const error = yield* Effect.flip(
        ModelRegistry.use((r) =>
          r.logModel(
            irisOptions(home, { engine: "", signatures: {}, functionKinds: { explain: "FUNCTION" } })
          )
        )
      )
      expect(error._tag).toBe("InvalidSpec")
      if (error._tag === "InvalidSpec") {
        expect(error.problems.map((p) => p.path)).toEqual(["engine", "signatures", "functionKinds.explain"])
      }
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("ignores what a crashed log left, which blocks nothing", () => {
    const home = tempHome()
    const modelDir = LocalLayout.modelDir(home, IRIS)
    // A log that died while copying: its staging folder.
    mkdirSync(join(modelDir, ".incoming", "crashed", "model"), { recursive: true })
    writeFileSync(join(modelDir, ".incoming", "crashed", "MANIFEST.yml"), "manifest_version: '1.0'\n")
    const old = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000)
    utimesSync(join(modelDir, ".incoming", "crashed"), old, old)
    // A version folder without its record (interrupted outside runbatch): not a version.
    const half = LocalLayout.versionDir(home, IRIS, "V1")
    mkdirSync(join(half, "model"), { recursive: true })
    writeFileSync(join(half, "MANIFEST.yml"), "manifest_version: '1.0'\n")
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      // Folders runbatch did not name are not models or versions either.
      mkdirSync(join(LocalLayout.registryDir(home), "ML", "PUBLIC", "stray%zz"), { recursive: true })
      mkdirSync(join(LocalLayout.modelDir(home, IRIS), "versions", "bad%zz"), { recursive: true })
      expect((yield* Effect.flip(registry.getModel("IRIS")))._tag).toBe("ModelNotFound")
      expect(yield* registry.listModels).toEqual([])
      const logged = yield* registry.logModel(irisOptions(home))
      expect(logged.version).toBe("V1")
      expect((yield* registry.getModel("IRIS")).versions).toEqual(["V1"])
      // The stale staging folder is swept away by the next log.
      expect(readdirSync(join(modelDir, ".incoming"))).toEqual([])
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("still finds a model whose model.json a crash never wrote", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      yield* registry.logModel(irisOptions(home))
      yield* registry.logModel(irisOptions(home, { version: "v2", artifacts: [] }))
      rmSync(join(LocalLayout.modelDir(home, IRIS), "model.json"))
      const model = yield* registry.getModel("iris")
      expect([model.defaultVersion, model.versions]).toEqual(["V1", ["V1", "V2"]])
      // The next log writes it, with the first version as the default.
      yield* registry.logModel(irisOptions(home, { version: "v3", artifacts: [] }))
      const record = JSON.parse(readFileSync(join(LocalLayout.modelDir(home, IRIS), "model.json"), "utf8"))
      expect(record.default_version_name).toBe("V1")
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("round-trips quoted names with spaces, quotes and lower case", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      const logged = yield* registry.logModel(
        irisOptions(home, { name: '"My Models"."iris ""v2"""', version: '"beta 1"' })
      )
      const model = { database: "ML", schema: "My Models", name: 'iris "v2"' }
      expect(logged.model).toEqual(model)
      expect(logged.version).toBe("beta 1")
      expect(logged.artifacts[0]!.location).toBe(
        'snow://model/ML."My Models"."iris ""v2"""/versions/"beta 1"/model/artifacts/model.onnx'
      )
      const location = yield* ModelFileLocation.parse(logged.artifacts[0]!.location)
      expect(location).toMatchObject({ schema: "My Models", model: 'iris "v2"', version: "beta 1" })
      expect(readFileSync(yield* (yield* LocalAccount).modelFilePath(location), "utf8")).toBe("ONNX-BYTES")
      expect(existsSync(LocalLayout.versionDir(home, model, "beta 1"))).toBe(true)

      const again = yield* registry.getVersion('"My Models"."iris ""v2"""', '"beta 1"')
      expect(again.version).toBe("beta 1")
      expect((yield* Effect.flip(registry.getVersion('"My Models"."iris ""v2"""', "beta_1")))._tag).toBe(
        "ModelVersionNotFound"
      )
      const mine = registry.forSchema({ database: "ML", schema: "My Models" })
      expect((yield* mine.listModels).map((m) => m.name)).toEqual(['iris "v2"'])
      expect((yield* mine.showVersions('"iris ""v2"""')).map((v) => v.name)).toEqual(["beta 1"])
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("deletes versions as Snowflake does: never the default while others remain", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      yield* registry.logModel(irisOptions(home))
      yield* registry.logModel(irisOptions(home, { version: "v2", artifacts: [] }))
      const refused = yield* Effect.flip(registry.deleteVersion("iris", "v1"))
      expect(refused._tag).toBe("InvalidSpec")
      expect(refused.message).toContain("V1 is the default version of ML.PUBLIC.IRIS")
      expect((yield* Effect.flip(registry.deleteVersion("iris", "v7")))._tag).toBe("ModelVersionNotFound")

      yield* registry.deleteVersion("iris", "v2")
      expect((yield* registry.getModel("iris")).versions).toEqual(["V1"])
      expect(existsSync(LocalLayout.versionDir(home, IRIS, "V2"))).toBe(false)
      // A deleted version's name can be logged again.
      yield* registry.logModel(irisOptions(home, { version: "v2", engine: "vllm", artifacts: [] }))
      expect((yield* registry.getVersion("iris", "v2")).engine).toBe("vllm")
      yield* registry.setDefaultVersion("iris", "v2")
      yield* registry.deleteVersion("iris", "v1")
      // The only version left goes with its model.
      yield* registry.deleteVersion("iris", "v2")
      expect((yield* Effect.flip(registry.getModel("iris")))._tag).toBe("ModelNotFound")
      expect(existsSync(LocalLayout.modelDir(home, IRIS))).toBe(false)

      yield* registry.logModel(irisOptions(home, { name: "wine", artifacts: [] }))
      yield* registry.deleteModel("WINE")
      expect(yield* registry.listModels).toEqual([])
      expect((yield* Effect.flip(registry.deleteModel("wine")))._tag).toBe("ModelNotFound")
    }).pipe(Effect.provide(registryLayer(home)))
  })

  it.effect("reports a damaged version instead of guessing", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      yield* registry.logModel(irisOptions(home))
      const dir = LocalLayout.versionDir(home, IRIS, "V1")
      // A runbatch section without an engine (none at all is a version another tool logged).
      writeFileSync(join(dir, "user_data.json"), '{"runbatch": {}}')
      const damaged = yield* Effect.flip(registry.getVersion("iris"))
      expect(damaged._tag).toBe("InvalidModelVersion")
      expect(damaged.message).toContain("The model ML.PUBLIC.IRIS version V1 cannot be read")
      rmSync(join(dir, "model", "model.yaml"))
      expect((yield* Effect.flip(registry.getVersion("iris"))).message).toContain(
        "model/model.yaml is missing"
      )
    }).pipe(Effect.provide(registryLayer(home)))
  })
})
