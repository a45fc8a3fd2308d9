import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { PluginHost } from "@runbatch/plugin-host"
import { Effect } from "effect"

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

// An app folder with two plugins installed in its node_modules, neither of them listed.
const app = mkdtempSync(join(tmpdir(), "runbatch-unlisted-"))
mkdirSync(join(app, "node_modules"))
for (const name of ["runbatch-engine-echo", "runbatch-encoder-spectrogram"])
  cpSync(fixture(name), join(app, "node_modules", name), { recursive: true })
afterAll(() => rmSync(app, { recursive: true, force: true }))

const failures = (plugins: ReadonlyArray<string>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const host = yield* PluginHost
      return [
        yield* Effect.flip(host.engine("echo")),
        yield* Effect.flip(host.encoder("full_stage_path", "mel_spectrogram")),
        yield* Effect.flip(host.engine("strlen"))
      ] as const
    }).pipe(Effect.provide(PluginHost.layer({ plugins, firstParty: false, searchFrom: [app] })))
  )

describe("PluginNotFound for a plugin that is installed but not listed", () => {
  it("names the package and says how to list it, on the command line and in the API", async () => {
    const [engine, encoder] = await failures([])
    expect(engine._tag).toBe("PluginNotFound")
    expect(engine.message).toBe(
      "No listed plugin has the engine id 'echo', but the installed package runbatch-engine-echo does: " +
        "runbatch uses a plugin package only when it is listed. List it: --plugin runbatch-engine-echo on the " +
        'command line, or plugins: ["runbatch-engine-echo"] in runBatch\'s options.'
    )
    expect(encoder.message).toContain(
      "No listed plugin handles input_format full_stage_path with convert_to mel_spectrogram, but the installed package runbatch-encoder-spectrogram does"
    )
    expect(encoder.message).toContain("--plugin runbatch-encoder-spectrogram")
  })

  it("says how to list a plugin package when none installed serves the request", async () => {
    const [, , unknown] = await failures([join(app, "node_modules", "runbatch-engine-echo")])
    expect(unknown.message).toBe(
      "No installed engine has the id 'strlen'. If a plugin package provides it, install it and list it: " +
        '--plugin <package> on the command line, or plugins: ["<package>"] in runBatch\'s options. Installed engines: echo.'
    )
  })
})
