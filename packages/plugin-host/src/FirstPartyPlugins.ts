/**
 * The first-party plugins: ids the host looks for without being told, and what to tell users to
 * install when one is missing. They are ordinary plugins — the host reads their manifests like any
 * other's — and `@runbatch/runbatch` depends on them so a normal install has them all.
 */

export interface FirstPartyPlugin {
  readonly kind: "encoder" | "engine"
  readonly id: string
  readonly packageName: string
  /** For encoders, the column-handling pairs it serves, for "install X" hints when it is missing. */
  readonly handles?: ReadonlyArray<{ readonly inputFormat: string; readonly convertTo: string }>
}

export const FIRST_PARTY_PLUGINS: ReadonlyArray<FirstPartyPlugin> = [
  {
    kind: "encoder",
    id: "raw-bytes",
    packageName: "@runbatch/encoder-raw-bytes",
    handles: [{ inputFormat: "full_stage_path", convertTo: "raw_bytes" }]
  },
  {
    kind: "encoder",
    id: "base64",
    packageName: "@runbatch/encoder-base64",
    handles: [
      { inputFormat: "full_stage_path", convertTo: "base64" },
      { inputFormat: "full_stage_path", convertTo: "base64_data_url" }
    ]
  },
  {
    kind: "encoder",
    id: "chat-messages",
    packageName: "@runbatch/encoder-chat-messages",
    handles: [{ inputFormat: "openai_chat", convertTo: "chat_messages" }]
  },
  { kind: "engine", id: "onnx", packageName: "@runbatch/engine-onnx" },
  { kind: "engine", id: "vllm", packageName: "@runbatch/engine-vllm" },
  { kind: "engine", id: "custom-http", packageName: "@runbatch/engine-custom-http" }
]
