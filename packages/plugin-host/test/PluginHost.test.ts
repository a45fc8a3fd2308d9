import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { Arrow, FileReader, PluginLogger } from "@runbatch/plugin-api"
import { makePluginHost, PluginHost } from "@runbatch/plugin-host"
import { StageFileError } from "@runbatch/spec"
import { Effect, Layer, Stream } from "effect"

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

const files = new Map([
  ["@ML.PUBLIC.AUDIO/a.wav", new Uint8Array([10, 20, 30])],
  ["@ML.PUBLIC.AUDIO/b.wav", new Uint8Array([1])]
])
const capabilities = Layer.mergeAll(
  Layer.succeed(FileReader, {
    read: (location) => {
      const bytes = files.get(location)
      return bytes === undefined
        ? Effect.fail(new StageFileError({ location, problem: "not_found" }))
        : Effect.succeed(bytes)
    },
    stream: (location) => Stream.fromIterable([files.get(location) ?? new Uint8Array()]),
    size: (location) => Effect.succeed(files.get(location)?.length ?? 0)
  }),
  Layer.succeed(PluginLogger, { debug: () => Effect.void, info: () => Effect.void, warn: () => Effect.void })
)

describe("PluginHost", () => {
  it("runs a third-party encoder for a convert_to runbatch has never heard of, with no change to core", async () => {
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const plugins = yield* PluginHost
        const loaded = yield* plugins.encoder("FULL_STAGE_PATH", "mel_spectrogram")
        expect(loaded.record.packageName).toBe("runbatch-encoder-spectrogram")
        expect(loaded.handle.outputType).toBe("DOUBLE")
        const column = Arrow.vectorFromArray(
          ["@ML.PUBLIC.AUDIO/a.wav", null, "@ML.PUBLIC.AUDIO/none.wav"],
          new Arrow.Utf8()
        )
        return yield* Effect.scoped(
          Effect.flatMap(loaded.encoder.open({ options: {} }), (instance) =>
            instance.encode(column, {
              column: "AUDIO",
              inputFormat: "full_stage_path",
              convertTo: "mel_spectrogram"
            })
          )
        )
      }).pipe(
        Effect.provide(
          PluginHost.layer({ plugins: [fixture("runbatch-encoder-spectrogram")], firstParty: false })
        ),
        Effect.provide(capabilities)
      )
    )
    expect([...result.vector]).toEqual([20, null, null])
    expect(result.rowErrors).toEqual([
      { row: 2, message: expect.stringContaining("none.wav does not exist") }
    ])
  })

  it("loads an engine by id, case-insensitively, and only imports its code when asked", async () => {
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        const plugins = yield* PluginHost
        expect(plugins.records.map((r) => r.manifest.id).sort()).toEqual(["echo", "spectrogram"])
        const loaded = yield* plugins.engine("ECHO")
        return loaded.engine.kind
      }).pipe(
        Effect.provide(
          PluginHost.layer({
            plugins: [fixture("runbatch-engine-echo"), fixture("runbatch-encoder-spectrogram")],
            firstParty: false
          })
        )
      )
    )
    expect(outcome).toBe("engine")
  })

  it.each([
    [
      "a package that is not installed",
      ["runbatch-engine-nowhere"],
      "PluginNotFound",
      "npm install runbatch-engine-nowhere"
    ],
    [
      "a package without a manifest",
      [fixture("no-manifest")],
      "InvalidPluginManifest",
      'no "runbatch" field'
    ],
    [
      "a plugin for a newer plugin API",
      [fixture("api-v2")],
      "IncompatiblePlugin",
      "written for plugin API 2"
    ],
    [
      "a plugin needing another plugin-api",
      [fixture("wrong-peer")],
      "IncompatiblePlugin",
      "needs @runbatch/plugin-api ^9.0.0"
    ],
    [
      "two plugins with one id",
      [fixture("runbatch-engine-echo"), fixture("echo-twin")],
      "DuplicatePluginId",
      "'echo' is claimed by more than one package: runbatch-engine-echo, echo-twin"
    ],
    [
      "two encoders for one pair",
      [fixture("runbatch-encoder-spectrogram"), fixture("spectrogram-rival")],
      "DuplicatePluginId",
      "both handle full_stage_path → mel_spectrogram"
    ]
  ])("refuses %s before running any plugin code", async (_name, plugins, tag, fragment) => {
    const result = await Effect.runPromise(
      Effect.result(Effect.provide(PluginHost, PluginHost.layer({ plugins, firstParty: false })))
    )
    expect(result._tag).toBe("Failure")
    if (result._tag === "Failure") {
      expect(result.failure._tag).toBe(tag)
      expect(result.failure.message).toContain(fragment)
    }
  })

  it.each([
    [
      "its code names another id",
      "lying-export",
      "liar",
      "its manifest id is 'liar' but its code says 'truth'"
    ],
    [
      "its code throws on load",
      "broken-code",
      "broken",
      "loading its code failed: this plugin fails to load"
    ],
    ["its entry point is missing", "no-entry", "ghost", "names no entry point that exists"]
  ])("refuses an engine whose %s", async (_name, dir, id, fragment) => {
    const result = await Effect.runPromise(
      Effect.result(
        Effect.flatMap(PluginHost, (plugins) => plugins.engine(id)).pipe(
          Effect.provide(PluginHost.layer({ plugins: [fixture(dir)], firstParty: false }))
        )
      )
    )
    expect(result._tag === "Failure" && result.failure._tag).toBe("IncompatiblePlugin")
    if (result._tag === "Failure") expect(result.failure.message).toContain(fragment)
  })

  it("names the first-party package to install when a first-party id or pair is missing", async () => {
    const [engine, encoder, unknown] = await Effect.runPromise(
      Effect.gen(function* () {
        const plugins = yield* PluginHost
        return [
          yield* Effect.flip(plugins.engine("onnx")),
          yield* Effect.flip(plugins.encoder("full_stage_path", "base64_data_url")),
          yield* Effect.flip(plugins.encoder("full_stage_path", "hologram"))
        ] as const
      }).pipe(
        Effect.provide(PluginHost.layer({ plugins: [fixture("runbatch-engine-echo")], firstParty: false }))
      )
    )
    expect(engine.message).toContain(
      "No installed engine has the id 'onnx'. Install it: npm install @runbatch/engine-onnx"
    )
    expect(engine.message).toContain("Installed engines: echo.")
    expect(encoder.message).toContain("input_format full_stage_path with convert_to base64_data_url")
    expect(encoder.message).toContain("npm install @runbatch/encoder-base64")
    expect(unknown.message).not.toContain("npm install")
  })

  it("records plugins for the plan and refuses a machine whose plugin files differ", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "runbatch-host-"))
    try {
      const copy = join(scratch, "runbatch-engine-echo")
      cpSync(fixture("runbatch-engine-echo"), copy, { recursive: true })
      const layer = () => PluginHost.layer({ plugins: [copy], firstParty: false })
      const planned = await Effect.runPromise(
        Effect.gen(function* () {
          const plugins = yield* PluginHost
          const entry = yield* plugins.plan(plugins.records[0]!)
          yield* plugins.verify([entry])
          return entry
        }).pipe(Effect.provide(layer()))
      )
      expect(planned).toMatchObject({
        kind: "engine",
        id: "echo",
        packageName: "runbatch-engine-echo",
        version: "0.3.0"
      })
      expect(planned.integrity).toMatch(/^sha256-[A-Za-z0-9+/]+=*$/)
      writeFileSync(join(copy, "index.js"), "// edited after the plan was made\n", { flag: "a" })
      const error = await Effect.runPromise(
        Effect.flip(Effect.flatMap(PluginHost, (plugins) => plugins.verify([planned]))).pipe(
          Effect.provide(layer())
        )
      )
      expect(error._tag).toBe("IncompatiblePlugin")
      expect(error.message).toContain("the job was planned with runbatch-engine-echo@0.3.0")
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  })

  it("records what replicas load each plugin by: its package name, or the absolute folder of one given by path", async () => {
    const folder = fixture("runbatch-engine-echo")
    const planned = await Effect.runPromise(
      Effect.gen(function* () {
        // Given by a relative path, a name (a first-party plugin listed anyway), and not at all.
        const host = yield* makePluginHost({
          plugins: [`./${relative(process.cwd(), folder)}`, "@runbatch/encoder-base64"]
        })
        const echo = yield* host.engine("echo")
        const base64 = yield* host.encoder("full_stage_path", "base64")
        const onnx = yield* host.engine("onnx")
        return yield* Effect.forEach([echo, base64, onnx], (loaded) => host.plan(loaded.record))
      })
    )
    expect(planned.map((p) => [p.packageName, p.specifier])).toStrictEqual([
      ["runbatch-engine-echo", folder],
      ["@runbatch/encoder-base64", "@runbatch/encoder-base64"],
      ["@runbatch/engine-onnx", "@runbatch/engine-onnx"]
    ])
  })
})
