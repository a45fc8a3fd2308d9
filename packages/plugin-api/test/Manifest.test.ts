import { describe, expect, it } from "@effect/vitest"
import { Manifest } from "@runbatch/plugin-api"
import { Effect } from "effect"

const decode = (runbatch: unknown, name = "some-plugin") =>
  Effect.runSync(Effect.result(Manifest.fromPackageJson({ name, runbatch })))

const encoder = {
  kind: "encoder",
  id: "base64",
  apiVersion: 1,
  handles: [{ inputFormat: "full_stage_path", convertTo: "base64", outputType: "STRING" }]
}
const engine = {
  kind: "engine",
  id: "vllm",
  apiVersion: 1,
  handles: {
    functionKinds: ["FUNCTION"],
    requires: [{ feature: "messages", inputFormat: "openai_chat", convertTo: "chat_messages" }]
  }
}

describe("Manifest.fromPackageJson", () => {
  it.each([
    ["an encoder", encoder, "encoder"],
    ["an engine with a required encoder", engine, "engine"],
    [
      "an engine without requirements",
      { ...engine, handles: { functionKinds: ["FUNCTION", "TABLE_FUNCTION"] } },
      "engine"
    ],
    [
      "a third-party convertTo",
      {
        ...encoder,
        id: "spectrogram",
        handles: [{ ...encoder.handles[0], convertTo: "mel_spectrogram", outputType: "BYTES" }]
      },
      "encoder"
    ]
  ])("accepts %s", (_name, manifest, kind) => {
    const result = decode(manifest)
    expect(result._tag).toBe("Success")
    if (result._tag === "Success") expect(result.success.kind).toBe(kind)
  })

  it.each([
    ["no runbatch field", undefined, 'no "runbatch" field'],
    ["an unknown kind", { ...encoder, kind: "decoder" }, "runbatch.kind"],
    ["an upper-case id", { ...encoder, id: "Base64" }, "runbatch.id"],
    ["an empty id", { ...encoder, id: "" }, "runbatch.id"],
    ["no handles", { ...encoder, handles: [] }, "runbatch.handles"],
    [
      "a handle without outputType",
      { ...encoder, handles: [{ inputFormat: "full_stage_path", convertTo: "x" }] },
      "outputType"
    ],
    [
      "an unknown output type",
      { ...encoder, handles: [{ ...encoder.handles[0], outputType: "TEXT" }] },
      "outputType"
    ],
    ["a string apiVersion", { ...encoder, apiVersion: "1" }, "runbatch.apiVersion"],
    ["an engine without function kinds", { ...engine, handles: { functionKinds: [] } }, "functionKinds"],
    [
      "an engine with a bad function kind",
      { ...engine, handles: { functionKinds: ["PROCEDURE"] } },
      "functionKinds"
    ]
  ])("rejects %s", (_name, manifest, fragment) => {
    const result = decode(manifest, "bad-plugin")
    expect(result._tag).toBe("Failure")
    if (result._tag === "Failure") {
      expect(result.failure._tag).toBe("InvalidPluginManifest")
      expect(result.failure.message).toContain("bad-plugin")
      expect(result.failure.message).toContain(fragment)
    }
  })
})
