/**
 * The local account on real folders: where it is (options, RUNBATCH_HOME, defaults), where stage
 * locations and model version files lie under its home, and the links it refuses to follow.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalFileError, LocalLayout, StageFileError, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { onTestFinished } from "vitest"
import {
  DEFAULT_DATABASE,
  DEFAULT_HOME,
  DEFAULT_SCHEMA,
  ensureDir,
  LocalAccount,
  make
} from "../src/index.ts"

const tempDir = (): string => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "runbatch-account-")))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const stage = (text: string) => StageLocation.parse(text, { database: "ML", schema: "PUBLIC" })

const model = { database: "ML", schema: "PUBLIC", model: "IRIS", version: "V1" }

describe("LocalAccount", () => {
  it("takes its home from the options, else RUNBATCH_HOME, else ./.runbatch", () => {
    const saved = process.env["RUNBATCH_HOME"]
    onTestFinished(() => {
      if (saved === undefined) delete process.env["RUNBATCH_HOME"]
      else process.env["RUNBATCH_HOME"] = saved
    })
    process.env["RUNBATCH_HOME"] = "from-env"
    expect(make({ home: "given" }).home).toBe(resolve("given"))
    expect(make().home).toBe(resolve("from-env"))
    delete process.env["RUNBATCH_HOME"]
    const fallback = make()
    expect(fallback).toMatchObject({
      home: resolve(DEFAULT_HOME),
      database: DEFAULT_DATABASE,
      schema: DEFAULT_SCHEMA
    })
    expect(make({ database: "ML", schema: "S" })).toMatchObject({ database: "ML", schema: "S" })
  })

  it.effect("is a service its layer provides", () =>
    Effect.gen(function* () {
      const account = yield* LocalAccount
      expect(account).toMatchObject({ home: resolve("h"), database: "ML", schema: "PUBLIC" })
    }).pipe(Effect.provide(LocalAccount.layer({ home: "h", database: "ML", schema: "PUBLIC" })))
  )

  it.effect("maps a stage location under the home, whether the path exists yet or not", () =>
    Effect.gen(function* () {
      const home = tempDir()
      const account = make({ home, database: "ML", schema: "PUBLIC" })
      const folder = LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "S" })
      expect(yield* account.stagePath(yield* stage("@S/a/b.txt"))).toBe(join(folder, "a", "b.txt"))
      mkdirSync(join(folder, "a"), { recursive: true })
      writeFileSync(join(folder, "a", "b.txt"), "b")
      expect(yield* account.stagePath(yield* stage("@ML.PUBLIC.S/a/b.txt"))).toBe(join(folder, "a", "b.txt"))
    })
  )

  it.effect("follows links that stay in their stage, and refuses links out of it or above it", () =>
    Effect.gen(function* () {
      const home = tempDir()
      const outside = tempDir()
      const account = make({ home, database: "ML", schema: "PUBLIC" })
      const folder = LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "S" })
      mkdirSync(join(folder, "real"), { recursive: true })
      writeFileSync(join(folder, "real", "x.txt"), "x")
      symlinkSync(join(folder, "real"), join(folder, "alias"))
      symlinkSync(outside, join(folder, "away"))
      // A link inside the stage is kept in the path: removing it removes the link, not its target.
      expect(yield* account.stagePath(yield* stage("@S/alias/x.txt"))).toBe(join(folder, "alias", "x.txt"))
      const away = yield* Effect.flip(account.stagePath(yield* stage("@S/away/new.txt")))
      expect(away).toBeInstanceOf(StageFileError)
      expect(away).toMatchObject({ problem: "escapes_stage", location: "@ML.PUBLIC.S/away/new.txt" })

      // The stage folder itself a link (even to a real stage elsewhere): refused, naming the link.
      const other = LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "T" })
      symlinkSync(folder, other)
      const linked = yield* Effect.flip(account.stagePath(yield* stage("@T/real/x.txt")))
      expect(linked).toMatchObject({ problem: "escapes_stage" })
      expect(linked.detail).toContain(join("stages", "ML", "PUBLIC", "T"))
    })
  )

  it.effect("maps a model version file inside its version folder, and nowhere else", () =>
    Effect.gen(function* () {
      const home = tempDir()
      const account = make({ home, database: "ML", schema: "PUBLIC" })
      const version = LocalLayout.versionDir(home, { database: "ML", schema: "PUBLIC", name: "IRIS" }, "V1")
      expect(yield* account.modelFilePath({ ...model, path: "model/artifacts/iris.onnx" })).toBe(
        join(version, "model", "artifacts", "iris.onnx")
      )
      const outside = tempDir()
      mkdirSync(join(version, "model"), { recursive: true })
      symlinkSync(outside, join(version, "model", "artifacts"))
      const escaped = yield* Effect.flip(
        account.modelFilePath({ ...model, path: "model/artifacts/iris.onnx" })
      )
      expect(escaped).toMatchObject({ problem: "escapes_stage" })
    })
  )

  it.effect("ensureDir creates a folder and its parents, and says when a file is in the way", () =>
    Effect.gen(function* () {
      const home = tempDir()
      yield* ensureDir(join(home, "a", "b", "c"))
      yield* ensureDir(join(home, "a", "b", "c"))
      writeFileSync(join(home, "file"), "")
      const blocked = yield* Effect.flip(ensureDir(join(home, "file", "d")))
      expect(blocked).toBeInstanceOf(LocalFileError)
      expect(blocked.path).toBe(join(home, "file", "d"))
    })
  )
})
