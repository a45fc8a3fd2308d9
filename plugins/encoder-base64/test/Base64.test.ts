import { describe, expect, it } from "@effect/vitest"
import { Arrow } from "@runbatch/plugin-api"
import { encoderConformance, MemoryStage } from "@runbatch/testkit"
import { Effect } from "effect"
import encoder from "../src/index.ts"
import { mimeTypeOf, sniff } from "../src/Mime.ts"

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

  it.each([
    [[0x47, 0x49, 0x46, 0x38, 0x39, 0x61], "image/gif"],
    [[0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50], "image/webp"],
    [[0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x41, 0x56, 0x45], "audio/wav"],
    [[0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x41, 0x56, 0x49, 0x20], "video/x-msvideo"],
    [[0x49, 0x44, 0x33, 4], "audio/mpeg"],
    [[0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70], "video/mp4"],
    [[0x25, 0x50, 0x44, 0x46, 0x2d], "application/pdf"],
    [[0x1a, 0x45, 0xdf, 0xa3], "video/webm"]
  ])("sniffs %j as %s", (bytes, type) => {
    expect(sniff(new Uint8Array(bytes))).toBe(type)
  })

  it("falls back to the extension for formats without a signature", () => {
    expect(mimeTypeOf("@S/a.svg", new TextEncoder().encode("<svg/>"))).toBe("image/svg+xml")
    expect(mimeTypeOf("@S/dir.v2/file", new Uint8Array([1]))).toBe("application/octet-stream")
  })
})
