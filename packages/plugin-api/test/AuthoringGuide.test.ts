import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { Arrow, FileReader, Manifest, PLUGIN_API_VERSION, PluginLogger } from "@runbatch/plugin-api"
import { StageFileError } from "@runbatch/spec"
import { Effect, Layer, Stream } from "effect"
import example from "./fixtures/runbatch-encoder-utf8-text/src/index.ts"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const guide = readFileSync(here("../../../docs/plugins/authoring.md"), "utf8")
const fixture = (path: string) =>
  readFileSync(here(`./fixtures/runbatch-encoder-utf8-text/${path}`), "utf8").trimEnd()

const files = new Map<string, Uint8Array>([
  ["@DOCS.PUBLIC.FILES/a.txt", new TextEncoder().encode("first document")],
  ["@DOCS.PUBLIC.FILES/big.txt", new Uint8Array(64)],
  ["@DOCS.PUBLIC.FILES/binary.bin", new Uint8Array([0xff, 0xfe, 0x00])]
])
const host = Layer.mergeAll(
  Layer.succeed(FileReader, {
    read: (location, options) => {
      const bytes = files.get(location)
      if (bytes === undefined) return Effect.fail(new StageFileError({ location, problem: "not_found" }))
      if (options?.maxBytes !== undefined && bytes.length > options.maxBytes) {
        return Effect.fail(
          new StageFileError({ location, problem: "too_large", limitBytes: options.maxBytes })
        )
      }
      return Effect.succeed(bytes)
    },
    stream: (location) => Stream.fromIterable([files.get(location) ?? new Uint8Array()]),
    size: (location) => Effect.succeed(files.get(location)?.length ?? 0)
  }),
  Layer.succeed(PluginLogger, { debug: () => Effect.void, info: () => Effect.void, warn: () => Effect.void })
)

describe("docs/plugins/authoring.md", () => {
  it("shows the example plugin's files exactly as they are in the tested fixture", () => {
    expect(guide).toContain(`\`\`\`json\n${fixture("package.json")}\n\`\`\``)
    expect(guide).toContain(`\`\`\`ts\n${fixture("src/index.ts")}\n\`\`\``)
  })

  it("has a valid manifest that matches its default export", () => {
    const manifest = Effect.runSync(Manifest.fromPackageJson(JSON.parse(fixture("package.json"))))
    expect(manifest.kind).toBe("encoder")
    expect(manifest.id).toBe(example.id)
    expect(manifest.apiVersion).toBe(PLUGIN_API_VERSION)
    expect(example.kind).toBe("encoder")
  })

  it("encodes text files, keeping nulls and reporting bad rows by index", async () => {
    const column = Arrow.vectorFromArray(
      [
        "@DOCS.PUBLIC.FILES/a.txt",
        null,
        "@DOCS.PUBLIC.FILES/missing.txt",
        "@DOCS.PUBLIC.FILES/big.txt",
        "@DOCS.PUBLIC.FILES/binary.bin"
      ],
      new Arrow.Utf8()
    )
    const result = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const instance = yield* example.open({ options: { maxBytes: 16 } })
          return yield* instance.encode(column, {
            column: "PATH",
            inputFormat: "full_stage_path",
            convertTo: "utf8_text"
          })
        })
      ).pipe(Effect.provide(host))
    )
    expect(result.vector.toArray()).toEqual(["first document", null, null, null, null])
    expect(result.rowErrors.map((e) => e.row).sort()).toEqual([2, 3, 4])
    const byRow = new Map(result.rowErrors.map((e) => [e.row, e.message]))
    expect(byRow.get(2)).toContain("does not exist")
    expect(byRow.get(3)).toContain("larger than the 16-byte limit")
    expect(byRow.get(4)).toContain("is not UTF-8 text")
  })
})
