import { describe, expect, it } from "@effect/vitest"
import { Arrow } from "@runbatch/plugin-api"
import { encoderConformance, MemoryStage } from "@runbatch/testkit"
import { Effect } from "effect"
import encoder from "../src/index.ts"

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])
const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1])
const text = new TextEncoder().encode("hello, world")
const files = new Map([
  ["@ML.PUBLIC.DOCS/a.png", png],
  ["@ML.PUBLIC.DOCS/photo.png", jpeg],
  ["@ML.PUBLIC.DOCS/note.txt", text],
  ["@ML.PUBLIC.DOCS/scan.dcm", new Uint8Array([1, 2, 3])],
  ["@ML.PUBLIC.DOCS/noext", new Uint8Array([9])]
])

encoderConformance({ packageJson: new URL("../package.json", import.meta.url), encoder, files })

const encode = (
  convertTo: string,
  rows: ReadonlyArray<string | null>,
  options: Record<string, unknown> = {}
) =>
  Effect.runPromise(
    Effect.result(
      Effect.scoped(
        Effect.flatMap(encoder.open({ options: options as never }), (instance) =>
          instance.encode(Arrow.vectorFromArray(rows, new Arrow.Utf8()), {
            column: "DOC",
            inputFormat: "full_stage_path",
            convertTo
          })
        )
      ).pipe(Effect.provide(MemoryStage.host(files)))
    )
  )

const values = async (
  convertTo: string,
  rows: ReadonlyArray<string | null>,
  options: Record<string, unknown> = {}
) => {
  const result = await encode(convertTo, rows, options)
  if (result._tag === "Failure") throw result.failure
  return [...result.success.vector]
}

describe("base64", () => {
  it("gives standard base64 of the file's bytes", async () => {
    expect(await values("base64", ["@ML.PUBLIC.DOCS/note.txt"])).toEqual([
      Buffer.from("hello, world").toString("base64")
    ])
  })

  it("gives data URLs whose type comes from the bytes, then the extension, then octet-stream", async () => {
    expect(
      await values("base64_data_url", [
        "@ML.PUBLIC.DOCS/a.png",
        "@ML.PUBLIC.DOCS/photo.png",
        "@ML.PUBLIC.DOCS/note.txt",
        "@ML.PUBLIC.DOCS/noext"
      ])
    ).toEqual([
      `data:image/png;base64,${Buffer.from(png).toString("base64")}`,
      `data:image/jpeg;base64,${Buffer.from(jpeg).toString("base64")}`,
      `data:text/plain;base64,${Buffer.from(text).toString("base64")}`,
      "data:application/octet-stream;base64,CQ=="
    ])
  })

  it("lets options override the type, for all files or by extension", async () => {
    expect(
      await values("base64_data_url", ["@ML.PUBLIC.DOCS/scan.dcm"], {
        mimeTypes: { ".DCM": "application/dicom" }
      })
    ).toEqual(["data:application/dicom;base64,AQID"])
    expect(
      await values("base64_data_url", ["@ML.PUBLIC.DOCS/a.png"], { mimeType: "image/x-custom" })
    ).toEqual([`data:image/x-custom;base64,${Buffer.from(png).toString("base64")}`])
  })

  it.each([
    [{ mimeType: "png" }, 'mimeType must be a type such as "image/png"'],
    [{ mimeTypes: ["image/png"] }, "mimeTypes must map extensions to types"],
    [{ maxFileBytes: 1.5 }, "maxFileBytes must be a whole number"]
  ])("refuses the bad option %j", async (options, fragment) => {
    const result = await encode("base64_data_url", ["@ML.PUBLIC.DOCS/a.png"], options)
    expect(result._tag === "Failure" && result.failure.message).toContain(fragment)
  })
})
