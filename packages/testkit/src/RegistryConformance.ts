/**
 * The behaviour every `ModelRegistry` backend shares, as vitest tests: the local registry defines it and
 * the Snowflake registry (through the emulator with the real snowflake-sdk) must pass the same tests.
 * Call it from a test file with a factory giving a fresh registry scoped to ML.PUBLIC, and the local
 * account home whose `registry/` holds its models (the local account's own, or the emulator's), so a
 * test can spoil a stored file the way a bad upload would. The layer also gives the account's StageStore:
 * a job reads a version's files through it at the locations the registry names (`snow://model/…`).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type LogModelOptions, ModelRegistry, ModelVersionFiles } from "@runbatch/registry-client"
import { Identifier, LocalLayout, Signature } from "@runbatch/spec"
import { StageStore } from "@runbatch/stage-io"
import { Effect, type Layer } from "effect"
import { describe, expect, it, onTestFinished } from "vitest"

export interface RegistryConformanceOptions {
  /** Names the describe block: "local", "snowflake (emulator)"… */
  readonly backend: string
  /**
   * A fresh registry whose scope holds no models, and the local home its models are stored under
   * (none on a real account: the test that spoils a stored file is skipped).
   */
  readonly registry: () => {
    readonly layer: Layer.Layer<ModelRegistry | StageStore, unknown>
    readonly home?: string
  }
}

const predict = Signature.signature(
  [Signature.feature("sepal_length", "DOUBLE"), Signature.feature("sepal_width", "DOUBLE")],
  [Signature.feature("label", "INT64")],
  [Signature.param("threshold", "DOUBLE", 0.5)]
)
const explain = Signature.signature(
  [Signature.feature("sepal_length", "DOUBLE")],
  [Signature.feature("shap", "DOUBLE")]
)

/** A folder for a test's local files, removed when it ends. */
const localFolder = (): string => {
  const folder = mkdtempSync(join(tmpdir(), "runbatch-registry-files-"))
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }))
  return folder
}

/** IRIS V1 run by onnx with one artifact and one method; `overrides` replace options. */
const iris = (
  overrides: { readonly [K in keyof LogModelOptions]?: LogModelOptions[K] | undefined } = {}
): LogModelOptions => {
  const folder = localFolder()
  writeFileSync(join(folder, "model.onnx"), "ONNX-BYTES")
  const options: Record<string, unknown> = {
    name: "iris",
    version: "v1",
    engine: "onnx",
    engineOptions: { inputs: "auto" },
    artifacts: [join(folder, "model.onnx")],
    signatures: { predict },
    comment: "first",
    metadata: { accuracy: 0.97 },
    ...overrides
  }
  // An override of `undefined` leaves the option out.
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key]
  return options as unknown as LogModelOptions
}

export const registryConformance = (options: RegistryConformanceOptions): void => {
  /** Run `body` on a fresh registry; `home` is where its models are stored. */
  const withRegistry = <A, E>(
    body: (home: string | undefined) => Effect.Effect<A, E, ModelRegistry | StageStore>
  ): Promise<A> => {
    const { layer, home } = options.registry()
    return Effect.runPromise(Effect.scoped(body(home)).pipe(Effect.provide(layer)) as Effect.Effect<A, E>)
  }

  describe(`ModelRegistry conformance: ${options.backend}`, () => {
    it("logs a version and reads it back: engine, functions with signatures, artifacts, comment, metadata", async () => {
      const version = await withRegistry(() =>
        Effect.gen(function* () {
          const r = yield* ModelRegistry
          yield* r.logModel(iris())
          return { ...(yield* r.getVersion("iris", "v1")), scope: r.scope }
        })
      )
      expect(version.model).toEqual({ ...version.scope, name: "IRIS" })
      expect(version.version).toBe("V1")
      expect(version.engine).toBe("onnx")
      expect(version.engineOptions).toEqual({ inputs: "auto" })
      expect(version.functions.map((f) => [f.name, f.targetMethod, f.kind])).toEqual([
        ["PREDICT", "predict", "FUNCTION"]
      ])
      expect(version.functions[0]!.signature).toEqual(predict)
      expect(version.artifacts.map((a) => [a.name, a.bytes, a.location])).toEqual([
        [
          "model.onnx",
          10,
          `snow://model/${Identifier.formatQualified({ ...version.scope, name: "IRIS" })}/versions/V1/model/artifacts/model.onnx`
        ]
      ])
      expect(version.comment).toBe("first")
      expect(version.metadata).toEqual({ accuracy: 0.97 })
      expect(version.isDefault).toBe(true)
      expect([...version.aliases].sort()).toEqual(["DEFAULT", "FIRST", "LAST"])
    })

    it("serves a version's files read-only through the account's StageStore, at the locations it names", async () => {
      const seen = await withRegistry(() =>
        Effect.gen(function* () {
          const r = yield* ModelRegistry
          const store = yield* StageStore
          yield* r.logModel(iris())
          const [artifact] = (yield* r.getVersion("iris", "v1")).artifacts
          const location = artifact!.location
          const folder = location.slice(0, location.lastIndexOf("/") + 1)
          const missing = `${folder}absent.onnx`
          return {
            listed: (yield* store.list(folder)).map((e) => [e.path, e.size, e.location === location]),
            bytes: new TextDecoder().decode(yield* store.readBytes(location)),
            size: yield* store.size(location),
            exists: [yield* store.exists(location), yield* store.exists(missing)],
            missing: yield* Effect.flip(store.readBytes(missing)),
            write: yield* Effect.flip(store.write(missing, new TextEncoder().encode("x"))),
            remove: yield* Effect.flip(store.remove(location)),
            still: new TextDecoder().decode(yield* store.readBytes(location))
          }
        })
      )
      expect(seen.listed).toEqual([["model/artifacts/model.onnx", 10, true]])
      expect(seen.bytes).toBe("ONNX-BYTES")
      expect(seen.size).toBe(10)
      expect(seen.exists).toEqual([true, false])
      expect([seen.missing._tag, seen.missing._tag === "StageFileError" && seen.missing.problem]).toEqual([
        "StageFileError",
        "not_found"
      ])
      expect(seen.write._tag).toBe("InvalidStageLocation")
      expect(seen.remove._tag).toBe("InvalidStageLocation")
      expect(seen.still).toBe("ONNX-BYTES")
    })

    it("lists models and versions, shows functions of each kind, and moves the default version", async () => {
      const seen = await withRegistry(() =>
        Effect.gen(function* () {
          const r = yield* ModelRegistry
          yield* r.logModel(iris())
          yield* r.logModel(
            iris({
              version: "v2",
              signatures: { predict, explain },
              functionKinds: { explain: "TABLE_FUNCTION" },
              comment: undefined,
              metadata: {}
            })
          )
          yield* r.logModel(iris({ name: "other" }))
          const before = yield* r.getModel("iris")
          yield* r.setDefaultVersion("iris", "v2")
          return {
            models: (yield* r.listModels).map((m) => [m.name, [...m.versions].sort(), m.defaultVersion]),
            before: before.defaultVersion,
            versions: (yield* r.showVersions("iris"))
              .map((v) => [
                v.name,
                v.isDefaultVersion,
                [...v.functions].sort(),
                v.comment,
                v.userData["runbatch"] !== undefined
              ])
              .sort(),
            functions: (yield* r.showFunctions("iris", "v2"))
              .map((f) => [f.name, f.targetMethod, f.kind])
              .sort(),
            defaultVersion: (yield* r.getVersion("iris")).version,
            byAlias: (yield* r.getVersion("iris", "first")).version
          }
        })
      )
      expect(seen.models).toEqual([
        ["IRIS", ["V1", "V2"], "V2"],
        ["OTHER", ["V1"], "V1"]
      ])
      expect(seen.before).toBe("V1")
      expect(seen.versions).toEqual([
        ["V1", false, ["PREDICT"], "first", true],
        ["V2", true, ["EXPLAIN", "PREDICT"], undefined, true]
      ])
      expect(seen.functions).toEqual([
        ["EXPLAIN", "explain", "TABLE_FUNCTION"],
        ["PREDICT", "predict", "FUNCTION"]
      ])
      expect(seen.defaultVersion).toBe("V2")
      expect(seen.byAlias).toBe("V1")
    })

    it("resolves the only function, and fails with FunctionNotFound and FunctionNotSpecified", async () => {
      const outcome = await withRegistry(() =>
        Effect.gen(function* () {
          const r = yield* ModelRegistry
          yield* r.logModel(iris())
          yield* r.logModel(iris({ version: "v2", signatures: { predict, explain } }))
          return {
            only: (yield* r.resolveFunction("iris", "v1")).name,
            named: (yield* r.resolveFunction("iris", "v2", "explain")).name,
            notFound: yield* Effect.flip(r.resolveFunction("iris", "v1", "score")),
            notSpecified: yield* Effect.flip(r.resolveFunction("iris", "v2"))
          }
        })
      )
      expect(outcome.only).toBe("PREDICT")
      expect(outcome.named).toBe("EXPLAIN")
      expect(outcome.notFound._tag).toBe("FunctionNotFound")
      expect(outcome.notFound.message).toContain("score")
      expect(outcome.notFound.message).toContain("predict")
      expect(outcome.notSpecified._tag).toBe("FunctionNotSpecified")
      expect(outcome.notSpecified.message).toMatch(/explain/i)
    })

    it("refuses a version logged twice, and names what is not there", async () => {
      const outcome = await withRegistry(() =>
        Effect.gen(function* () {
          const r = yield* ModelRegistry
          yield* r.logModel(iris())
          return {
            twice: yield* Effect.flip(r.logModel(iris())),
            model: yield* Effect.flip(r.getModel("irsi")),
            version: yield* Effect.flip(r.getVersion("iris", "v9"))
          }
        })
      )
      expect(outcome.twice._tag).toBe("ModelVersionExists")
      expect(outcome.model._tag).toBe("ModelNotFound")
      expect(outcome.model.message).toContain("IRIS")
      expect(outcome.version._tag).toBe("ModelVersionNotFound")
      expect(outcome.version.message).toContain("V1")
    })

    it("deletes a version, never the default one while others remain, and the model with its last version", async () => {
      const outcome = await withRegistry(() =>
        Effect.gen(function* () {
          const r = yield* ModelRegistry
          yield* r.logModel(iris())
          yield* r.logModel(iris({ version: "v2" }))
          yield* r.logModel(iris({ version: "v3" }))
          const refused = yield* Effect.flip(r.deleteVersion("iris", "v1"))
          yield* r.deleteVersion("iris", "v2")
          const afterOne = [...(yield* r.getModel("iris")).versions].sort()
          yield* r.setDefaultVersion("iris", "v3")
          yield* r.deleteVersion("iris", "v1")
          yield* r.deleteVersion("iris", "v3")
          return {
            refused,
            afterOne,
            gone: yield* Effect.flip(r.getModel("iris")),
            left: yield* r.listModels
          }
        })
      )
      expect(outcome.refused._tag).toBe("InvalidSpec")
      expect(outcome.refused.message).toContain("default version")
      expect(outcome.afterOne).toEqual(["V1", "V3"])
      expect(outcome.gone._tag).toBe("ModelNotFound")
      expect(outcome.left).toEqual([])
    })

    it("leaves nothing behind when a log fails", async () => {
      const outcome = await withRegistry((home) =>
        Effect.gen(function* () {
          const r = yield* ModelRegistry
          const missing = yield* Effect.flip(r.logModel(iris({ artifacts: ["/nonexistent/model.onnx"] })))
          const badEngine = yield* Effect.flip(r.logModel(iris({ engine: "Not An Engine!" })))
          return {
            missing,
            badEngine,
            left: yield* r.listModels,
            files: home === undefined ? undefined : registryFiles(home)
          }
        })
      )
      expect(outcome.missing._tag).toBe("LocalFileError")
      expect(outcome.missing.message).toContain("/nonexistent/model.onnx")
      expect(outcome.badEngine._tag).toBe("InvalidSpec")
      expect(outcome.left).toEqual([])
      if (outcome.files !== undefined) expect(outcome.files).toEqual([])
    })

    it("refuses a version whose model spec is not valid YAML, saying so", async (test) => {
      const outcome = await withRegistry((home) =>
        Effect.gen(function* () {
          const r = yield* ModelRegistry
          if (home === undefined) return undefined
          yield* r.logModel(iris())
          // The stored model.yaml spoilt, as a broken upload would leave it.
          const folder = LocalLayout.versionDir(home, { ...r.scope, name: "IRIS" }, "V1")
          writeFileSync(join(folder, ModelVersionFiles.MODEL_SPEC), "signatures: [unclosed\n")
          return {
            error: yield* Effect.flip(r.getVersion("iris", "v1")),
            listed: (yield* r.showVersions("iris")).map((v) => v.name)
          }
        })
      )
      // A real account's stored files cannot be spoilt from here.
      if (outcome === undefined) return test.skip()
      expect(outcome.error._tag).toBe("InvalidModelVersion")
      expect(outcome.error.message).toContain("not valid YAML")
      // Still listed: only reading the version needs its spec.
      expect(outcome.listed).toEqual(["V1"])
    })
  })
}

/** The files a local home holds under `registry/` (for checks that nothing was left behind). */
export const registryFiles = (home: string): ReadonlyArray<string> => {
  try {
    return readdirSync(LocalLayout.registryDir(home), { recursive: true }).map(String).sort()
  } catch {
    return []
  }
}
