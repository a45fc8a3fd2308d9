/**
 * The local registry follows no symbolic link below the home: whichever folder of a model version's
 * path is the link — the home's `registry/` folder, the database, the schema, the model, its
 * `versions/` folder or the version itself — nothing the link points to is read, written or removed.
 * The target is a real registry (model IRIS, versions V1 and V2) in a folder outside the home.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalAccount } from "@runbatch/account"
import { ModelRegistry } from "@runbatch/registry-client"
import { LocalFileError, ModelNotFound, ModelVersionNotFound, StageFileError } from "@runbatch/spec"
import { Effect } from "effect"
import { onTestFinished } from "vitest"
import { irisOptions, registryLayer, snapshot, tempHome } from "./support.ts"

const CHAIN = ["registry", "ML", "PUBLIC", "IRIS", "versions", "V1"] as const
const levels = [
  { level: "the home's registry/ folder", depth: 1 },
  { level: "the database folder", depth: 2 },
  { level: "the schema folder", depth: 3 },
  { level: "the model folder", depth: 4 },
  { level: "the model's versions/ folder", depth: 5 },
  { level: "a version folder", depth: 6 }
] as const

/** A registry with IRIS V1 (the default) and V2 outside the home, and a link to it at `depth`. */
const linkedHome = async (depth: number) => {
  const outside = mkdtempSync(join(tmpdir(), "runbatch-outside-"))
  onTestFinished(() => rmSync(outside, { recursive: true, force: true }))
  await Effect.runPromise(
    Effect.gen(function* () {
      const registry = yield* ModelRegistry
      yield* registry.logModel(irisOptions(outside))
      yield* registry.logModel(irisOptions(outside, { version: "v2" }))
    }).pipe(Effect.provide(registryLayer(outside)))
  )
  const home = tempHome()
  const link = join(home, ...CHAIN.slice(0, depth))
  mkdirSync(dirname(link), { recursive: true })
  symlinkSync(join(outside, ...CHAIN.slice(0, depth)), link)
  return { home, outside, before: snapshot(outside) }
}

describe.each(levels)("a symbolic link out of the home at $level", ({ depth }) => {
  it("no registry operation reads, writes or removes through it", async () => {
    const { home, outside, before } = await linkedHome(depth)
    const outcomes = await Effect.runPromise(
      Effect.gen(function* () {
        const registry = yield* ModelRegistry
        const account = yield* LocalAccount
        const attempt = <A, E>(effect: Effect.Effect<A, E>) =>
          Effect.match(effect, { onFailure: (error): unknown => error, onSuccess: (value): unknown => value })
        // What the runtime reads a version's files through, first: the deletions below go last.
        return {
          modelFile: yield* attempt(
            account.modelFilePath({
              database: "ML",
              schema: "PUBLIC",
              model: "IRIS",
              version: "V1",
              path: "model/model.yaml"
            })
          ),
          listModels: yield* attempt(registry.listModels),
          getModel: yield* attempt(registry.getModel("IRIS")),
          getVersion: yield* attempt(registry.getVersion("IRIS", "V1")),
          showVersions: yield* attempt(registry.showVersions("IRIS")),
          showFunctions: yield* attempt(registry.showFunctions("IRIS", "V1")),
          setDefaultVersion: yield* attempt(registry.setDefaultVersion("IRIS", "V2")),
          logModel: yield* attempt(registry.logModel(irisOptions(home, { version: "v3" }))),
          logModelV1: yield* attempt(registry.logModel(irisOptions(home))),
          deleteVersion: yield* attempt(registry.deleteVersion("IRIS", "V2")),
          deleteVersionV1: yield* attempt(registry.deleteVersion("IRIS", "V1")),
          deleteModel: yield* attempt(registry.deleteModel("IRIS"))
        }
      }).pipe(Effect.provide(registryLayer(home)))
    )
    expect(snapshot(outside)).toStrictEqual(before)

    const refused = (what: keyof typeof outcomes) => {
      expect(outcomes[what], what).toBeInstanceOf(LocalFileError)
      expect((outcomes[what] as LocalFileError).message, what).toContain("is a symbolic link")
    }
    expect(outcomes.modelFile, "modelFile").toBeInstanceOf(StageFileError)
    expect((outcomes.modelFile as StageFileError).problem).toBe("escapes_stage")
    if (depth <= 5) {
      for (const what of Object.keys(outcomes) as Array<keyof typeof outcomes>) {
        if (what === "modelFile") continue
        // A model folder that is a link is not a model: listing skips it.
        if (what === "listModels" && depth === 4) expect(outcomes.listModels).toStrictEqual([])
        else refused(what)
      }
    } else {
      // A version folder that is a link is not a version: IRIS has none until V3 is logged, and V1
      // cannot be logged over the link.
      expect(outcomes.getVersion).toBeInstanceOf(ModelNotFound)
      expect((outcomes.logModel as { version: string }).version).toBe("V3")
      expect(outcomes.deleteVersionV1).toBeInstanceOf(ModelVersionNotFound)
      refused("logModelV1")
    }
  })
})

it("a home that is itself a symbolic link works", async () => {
  const real = tempHome()
  const home = join(tempHome(), "home")
  symlinkSync(real, home)
  const versions = await Effect.runPromise(
    Effect.gen(function* () {
      const registry = yield* ModelRegistry
      yield* registry.logModel(irisOptions(home))
      yield* registry.logModel(irisOptions(home, { version: "v2" }))
      yield* registry.deleteVersion("IRIS", "V2")
      return (yield* registry.getModel("IRIS")).versions
    }).pipe(Effect.provide(registryLayer(home)))
  )
  expect(versions).toStrictEqual(["V1"])
  expect(Object.keys(snapshot(join(real, "registry")))).toContain(join("ML", "PUBLIC", "IRIS", "model.json"))
})
