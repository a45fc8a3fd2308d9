import { execFileSync } from "node:child_process"
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"

// npm workspaces hoist every package into one node_modules and resolve them to their sources, which
// hides packaging bugs (a file left out of the package, an export that points nowhere). Here the plugin
// and runbatch's packages are packed with `npm pack` and unpacked into an application outside the
// workspace, and a plain Node process loads and runs the plugin through the host.
const root = fileURLToPath(new URL("../../../..", import.meta.url))
const npm = process.platform === "win32" ? "npm.cmd" : "npm"
let scratch = ""
let app = ""

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "runbatch-packed-"))
  app = join(scratch, "app")
  mkdirSync(app)
  const tarballs = join(scratch, "tarballs")
  mkdirSync(tarballs)
  for (const dir of [
    "packages/spec",
    "packages/plugin-api",
    "packages/plugin-host",
    "packages/plugin-host/test/fixtures/runbatch-encoder-spectrogram"
  ]) {
    execFileSync(npm, ["pack", "--silent", "--pack-destination", tarballs], {
      cwd: join(root, dir),
      stdio: "pipe"
    })
  }
  // The tarballs are unpacked where npm would place them. Their third-party dependencies are linked
  // from the workspace: tests may not reach the registry, and those packages are not under test.
  const modules = join(app, "node_modules")
  const unpacked: Array<string> = []
  for (const file of readdirSync(tarballs)) {
    const name = file.startsWith("runbatch-encoder")
      ? "runbatch-encoder-spectrogram"
      : `@runbatch/${file.replace(/^runbatch-/, "").replace(/-\d+\.\d+\.\d+\.tgz$/, "")}`
    unpacked.push(name)
    const target = join(modules, ...name.split("/"))
    mkdirSync(target, { recursive: true })
    execFileSync("tar", ["-xzf", join(tarballs, file), "-C", target, "--strip-components=1"])
  }
  // Which ones is read from the unpacked manifests, so a dependency added to a package is linked too.
  const thirdParty = new Set<string>()
  for (const name of unpacked) {
    const manifest = JSON.parse(readFileSync(join(modules, ...name.split("/"), "package.json"), "utf8"))
    for (const field of ["dependencies", "peerDependencies"]) {
      for (const dependency of Object.keys(manifest[field] ?? {})) {
        if (!dependency.startsWith("@runbatch/")) thirdParty.add(dependency)
      }
    }
  }
  for (const name of thirdParty) {
    const target = join(modules, ...name.split("/"))
    mkdirSync(dirname(target), { recursive: true })
    symlinkSync(join(root, "node_modules", ...name.split("/")), target, "dir")
  }
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }))
}, 180_000)

afterAll(() => {
  if (scratch !== "") rmSync(scratch, { recursive: true, force: true })
})

describe("a plugin packed with npm pack and installed outside the workspace", () => {
  it("is found, checked and run by the host", () => {
    writeFileSync(
      join(app, "run.mjs"),
      `
import { Arrow, FileReader, PluginLogger } from "@runbatch/plugin-api"
import { PluginHost } from "@runbatch/plugin-host"
import { StageFileError } from "@runbatch/spec"
import { Effect, Layer, Stream } from "effect"

const files = new Map([["@ML.PUBLIC.AUDIO/a.wav", new Uint8Array([2, 4, 6])]])
const capabilities = Layer.mergeAll(
  Layer.succeed(FileReader, {
    read: (location) => files.has(location) ? Effect.succeed(files.get(location)) : Effect.fail(new StageFileError({ location, problem: "not_found" })),
    stream: () => Stream.empty,
    size: () => Effect.succeed(0)
  }),
  Layer.succeed(PluginLogger, { debug: () => Effect.void, info: () => Effect.void, warn: () => Effect.void })
)
const program = Effect.gen(function* () {
  const host = yield* PluginHost
  const loaded = yield* host.encoder("full_stage_path", "mel_spectrogram")
  const planned = yield* host.plan(loaded.record)
  const column = Arrow.vectorFromArray(["@ML.PUBLIC.AUDIO/a.wav", "@ML.PUBLIC.AUDIO/b.wav"], new Arrow.Utf8())
  const encoded = yield* Effect.scoped(Effect.flatMap(loaded.encoder.open({ options: {} }), (i) => i.encode(column, { column: "A", inputFormat: "full_stage_path", convertTo: "mel_spectrogram" })))
  return { planned, values: [...encoded.vector], rowErrors: encoded.rowErrors, directory: loaded.record.directory }
})
const result = await Effect.runPromise(program.pipe(
  Effect.provide(PluginHost.layer({ plugins: ["runbatch-encoder-spectrogram"], firstParty: false })),
  Effect.provide(capabilities)
))
console.log(JSON.stringify(result))
`
    )
    const output = execFileSync(process.execPath, ["run.mjs"], { cwd: app, encoding: "utf8" })
    const result = JSON.parse(output.trim().split("\n").at(-1)!)
    expect(result.values).toEqual([4, null])
    expect(result.rowErrors[0].message).toContain("b.wav does not exist")
    expect(result.directory).toBe(join(app, "node_modules", "runbatch-encoder-spectrogram"))
    expect(result.planned).toMatchObject({
      kind: "encoder",
      id: "spectrogram",
      packageName: "runbatch-encoder-spectrogram",
      version: "1.2.3"
    })
  })
})
