/**
 * Security: plugin code runs only from the declared list — runbatch's first-party ids and the packages
 * a job names — and only from inside the package that declares it. Every fixture's code leaves a marker
 * file when it runs, so "never loaded" is seen, not assumed.
 */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { makePluginHost } from "@runbatch/plugin-host"
import { Effect, Result } from "effect"
import { onTestFinished } from "vitest"

const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "runbatch-declared-"))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A module that leaves `<markers>/<name>` when imported, then exports a valid engine of id `id`. */
const engineCode = (markers: string, name: string, id: string): string =>
  [
    `import { writeFileSync } from "node:fs"`,
    `writeFileSync(${JSON.stringify(join(markers, name))}, "ran")`,
    `export default { kind: "engine", id: ${JSON.stringify(id)}, apiVersion: 1, prepare: () => undefined, open: () => undefined }`,
    ""
  ].join("\n")

const manifest = (id: string) => ({
  kind: "engine",
  id,
  apiVersion: 1,
  handles: { functionKinds: ["FUNCTION"] }
})

/** Write a package folder: package.json (`fields` over a valid engine manifest) and index.js. */
const writePackage = (
  dir: string,
  markers: string,
  name: string,
  fields: Record<string, unknown> = {},
  id = name.replace(/^.*[/-]/, "")
): string => {
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name,
      version: "1.0.0",
      type: "module",
      exports: "./index.js",
      runbatch: manifest(id),
      ...fields
    })
  )
  writeFileSync(join(dir, "index.js"), engineCode(markers, name.replace(/\//g, "+"), id))
  return dir
}

const ran = (markers: string, name: string): boolean => existsSync(join(markers, name.replace(/\//g, "+")))

describe("plugins load only from the declared list", () => {
  it("never loads a package that looks like a plugin in node_modules but is not declared", async () => {
    const project = tempDir()
    const markers = join(project, "markers")
    mkdirSync(markers)
    for (const name of ["runbatch-engine-evil", "@runbatch/engine-evil", "runbatch-plugin-evil"]) {
      writePackage(join(project, "node_modules", ...name.split("/")), markers, name, {}, "evil")
    }
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        const host = yield* makePluginHost({ searchFrom: [project] })
        const engine = yield* Effect.result(host.engine("evil"))
        return { ids: host.records.map((r) => r.manifest.id), engine }
      })
    )
    expect(outcome.ids).not.toContain("evil")
    expect(Result.isFailure(outcome.engine) && outcome.engine.failure._tag).toBe("PluginNotFound")
    for (const name of ["runbatch-engine-evil", "@runbatch/engine-evil", "runbatch-plugin-evil"]) {
      expect(ran(markers, name), name).toBe(false)
    }
  })

  it("imports a declared plugin's code only when a job asks for its id, never a neighbour's", async () => {
    const root = tempDir()
    const markers = join(root, "markers")
    mkdirSync(markers)
    const wanted = writePackage(join(root, "wanted"), markers, "runbatch-engine-wanted")
    const other = writePackage(join(root, "other"), markers, "runbatch-engine-other")
    await Effect.runPromise(
      Effect.gen(function* () {
        const host = yield* makePluginHost({ plugins: [wanted, other], firstParty: false })
        expect(ran(markers, "runbatch-engine-wanted")).toBe(false)
        yield* host.engine("wanted")
      })
    )
    expect(ran(markers, "runbatch-engine-wanted")).toBe(true)
    expect(ran(markers, "runbatch-engine-other")).toBe(false)
  })

  it.each([
    ["a package without a manifest", { runbatch: undefined }, "InvalidPluginManifest"],
    [
      "a manifest of another kind",
      { runbatch: { ...manifest("bad"), kind: "decoder" } },
      "InvalidPluginManifest"
    ],
    [
      "a plugin for plugin API 99",
      { runbatch: { ...manifest("bad"), apiVersion: 99 } },
      "IncompatiblePlugin"
    ],
    [
      "a plugin needing another plugin-api",
      { peerDependencies: { "@runbatch/plugin-api": "^9.0.0" } },
      "IncompatiblePlugin"
    ]
  ])("refuses %s without running any of its code", async (_, fields, tag) => {
    const root = tempDir()
    const markers = join(root, "markers")
    mkdirSync(markers)
    const dir = writePackage(join(root, "bad"), markers, "runbatch-engine-bad", fields, "bad")
    const result = await Effect.runPromise(
      Effect.result(makePluginHost({ plugins: [dir], firstParty: false }))
    )
    expect(Result.isFailure(result) && result.failure._tag).toBe(tag)
    expect(ran(markers, "runbatch-engine-bad")).toBe(false)
  })

  it("refuses a plugin that would load its own copy of effect, naming both copies, without running it", async () => {
    const root = tempDir()
    const markers = join(root, "markers")
    mkdirSync(markers)
    const dir = writePackage(join(root, "nested"), markers, "runbatch-engine-nested", {
      dependencies: { effect: "4.0.0" }
    })
    const nested = join(dir, "node_modules", "effect")
    mkdirSync(nested, { recursive: true })
    writeFileSync(join(nested, "package.json"), JSON.stringify({ name: "effect", version: "4.0.0" }))
    const result = await Effect.runPromise(
      Effect.result(makePluginHost({ plugins: [dir], firstParty: false }))
    )
    const failure = Result.isFailure(result) ? result.failure : undefined
    expect(failure?._tag).toBe("DuplicateDependency")
    expect(failure?.message).toContain(`4.0.0 at ${realpathSync(nested)} (used by runbatch-engine-nested)`)
    expect(failure?.message).toContain("npm dedupe")
    expect(ran(markers, "runbatch-engine-nested")).toBe(false)
  })

  it("refuses two declared packages claiming one id without running either", async () => {
    const root = tempDir()
    const markers = join(root, "markers")
    mkdirSync(markers)
    const first = writePackage(join(root, "a"), markers, "runbatch-engine-a", {}, "same")
    const second = writePackage(join(root, "b"), markers, "runbatch-engine-b", {}, "same")
    const result = await Effect.runPromise(
      Effect.result(makePluginHost({ plugins: [first, second], firstParty: false }))
    )
    expect(Result.isFailure(result) && result.failure._tag).toBe("DuplicatePluginId")
    expect(ran(markers, "runbatch-engine-a") || ran(markers, "runbatch-engine-b")).toBe(false)
  })
})

describe("a plugin's entry point must lie inside its package", () => {
  /** A package whose entry is `entry` (set up by `arrange`), and code outside it that must never run. */
  const outside = (arrange: (pkg: string, evil: string) => Record<string, unknown>) => {
    const root = tempDir()
    const markers = join(root, "markers")
    mkdirSync(markers)
    mkdirSync(join(root, "elsewhere"))
    const evil = join(root, "elsewhere", "evil.js")
    writeFileSync(evil, engineCode(markers, "evil", "sneaky"))
    const pkg = join(root, "pkg")
    writePackage(pkg, markers, "runbatch-engine-sneaky", {}, "sneaky")
    writeFileSync(
      join(pkg, "package.json"),
      JSON.stringify({
        name: "runbatch-engine-sneaky",
        version: "1.0.0",
        type: "module",
        runbatch: manifest("sneaky"),
        ...arrange(pkg, evil)
      })
    )
    return { pkg, markers }
  }

  it.each([
    ["exports climbing out with ../", () => ({ exports: "../elsewhere/evil.js" })],
    ["a conditional export climbing out", () => ({ exports: { ".": { import: "./../elsewhere/evil.js" } } })],
    ["main as an absolute path", (_: string, evil: string) => ({ main: evil })],
    [
      "exports naming a symbolic link that leads out of the package",
      (pkg: string, evil: string) => {
        symlinkSync(evil, join(pkg, "link.js"))
        return { exports: "./link.js" }
      }
    ],
    [
      "exports inside a linked folder that leads out of the package",
      (pkg: string, evil: string) => {
        symlinkSync(join(evil, ".."), join(pkg, "lib"))
        return { exports: "./lib/evil.js" }
      }
    ]
  ])("refuses %s, and the outside code never runs", async (_, arrange) => {
    const { pkg, markers } = outside(arrange)
    const result = await Effect.runPromise(
      Effect.result(
        Effect.flatMap(makePluginHost({ plugins: [pkg], firstParty: false }), (host) => host.engine("sneaky"))
      )
    )
    expect(Result.isFailure(result) && result.failure._tag).toBe("IncompatiblePlugin")
    if (Result.isFailure(result)) expect(result.failure.message).toContain("inside its package")
    expect(ran(markers, "evil")).toBe(false)
  })
})
