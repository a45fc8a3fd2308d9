/** File media types for data URLs: sniffed from the first bytes, else by extension, else octet-stream. */
import { describe, expect, it } from "@effect/vitest"
import { MediaType } from "../src/index.ts"

describe("MediaType", () => {
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
    expect(MediaType.sniff(new Uint8Array(bytes))).toBe(type)
  })

  it("falls back to the extension for formats without a signature", () => {
    expect(MediaType.of("@S/a.svg", new TextEncoder().encode("<svg/>"))).toBe("image/svg+xml")
    expect(MediaType.of("@S/dir.v2/file", new Uint8Array([1]))).toBe("application/octet-stream")
  })

  it("an explicit choice wins: one type, or types by extension", () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    expect(MediaType.of("@S/a.png", png, { override: "image/x-custom" })).toBe("image/x-custom")
    expect(MediaType.of("@S/a.dcm", png, { byExtension: { dcm: "application/dicom" } })).toBe(
      "application/dicom"
    )
    expect(MediaType.of("@S/a.jpg", png)).toBe("image/png")
  })

  it("names the audio format OpenAI's input_audio wants", () => {
    expect(MediaType.audioFormatOf("@S/a.mp3", new Uint8Array([0x49, 0x44, 0x33, 4]))).toBe("mp3")
    expect(MediaType.audioFormatOf("@S/a.flac", new Uint8Array([1, 2]))).toBe("flac")
    expect(MediaType.audioFormatOf("@S/a.png", new Uint8Array([1, 2]))).toBeUndefined()
  })
})
