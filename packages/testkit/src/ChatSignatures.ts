/**
 * The OpenAI chat signatures Snowflake logs LLMs with (`snowflake.ml.model.openai_signatures`), for
 * tests of chat engines: `messages` as a list of structs with content parts, the chat-completion
 * outputs, and generation settings either as per-row columns or as params.
 */
import { Signature } from "@runbatch/spec"

const { feature, group, param, paramGroup } = Signature

const contentParts = group(
  "content",
  [
    feature("type", "STRING"),
    feature("text", "STRING"),
    group("image_url", [feature("url", "STRING"), feature("detail", "STRING")]),
    group("video_url", [feature("url", "STRING")]),
    group("input_audio", [feature("data", "STRING"), feature("format", "STRING")])
  ],
  { shape: [-1] }
)

/** `messages`: content as parts (text, image_url, video_url, input_audio), or as one string. */
export const messages = (content: "parts" | "string" = "parts"): Signature.Feature =>
  group(
    "messages",
    [
      content === "parts" ? contentParts : feature("content", "STRING"),
      feature("name", "STRING"),
      feature("role", "STRING"),
      feature("title", "STRING")
    ],
    { shape: [-1] }
  )

export const outputs: ReadonlyArray<Signature.Feature> = [
  feature("id", "STRING"),
  feature("object", "STRING"),
  feature("created", "FLOAT"),
  feature("model", "STRING"),
  group(
    "choices",
    [
      feature("index", "INT32"),
      group("message", [feature("content", "STRING"), feature("name", "STRING"), feature("role", "STRING")]),
      feature("logprobs", "STRING"),
      feature("finish_reason", "STRING")
    ],
    { shape: [-1] }
  ),
  group("usage", [
    feature("completion_tokens", "INT32"),
    feature("prompt_tokens", "INT32"),
    feature("total_tokens", "INT32")
  ])
]

const responseFormatFeature = group("response_format", [
  feature("type", "STRING"),
  group("json_schema", [
    feature("name", "STRING"),
    feature("description", "STRING"),
    feature("schema", "OBJECT"),
    feature("strict", "BOOL")
  ])
])

/** Per-row generation settings (OPENAI_CHAT_SIGNATURE's other inputs). */
export const rowSettings: ReadonlyArray<Signature.Feature> = [
  feature("temperature", "DOUBLE"),
  feature("max_completion_tokens", "INT64"),
  feature("stop", "STRING", { shape: [-1] }),
  feature("n", "INT32"),
  feature("stream", "BOOL"),
  feature("top_p", "DOUBLE"),
  feature("frequency_penalty", "DOUBLE"),
  feature("presence_penalty", "DOUBLE"),
  responseFormatFeature
]

/**
 * The same settings as params (OPENAI_CHAT_WITH_PARAMS_SIGNATURE), with Snowflake's defaults. The
 * response_format group has no default of its own (Snowflake writes `default_value: None`, which
 * runbatch reads as "built from its fields"); a json_schema without a schema means "none".
 */
export const params: ReadonlyArray<Signature.Param> = [
  param("temperature", "DOUBLE", 1.0),
  param("max_completion_tokens", "INT64", 250),
  param("stop", "STRING", [], { shape: [-1] }),
  param("n", "INT32", 1),
  param("stream", "BOOL", false),
  param("top_p", "DOUBLE", 1.0),
  param("frequency_penalty", "DOUBLE", 0.0),
  param("presence_penalty", "DOUBLE", 0.0),
  paramGroup("response_format", [
    param("type", "STRING", "json_schema"),
    paramGroup("json_schema", [
      param("name", "STRING", ""),
      param("description", "STRING", null),
      param("schema", "OBJECT", null),
      param("strict", "BOOL", null)
    ])
  ])
]

/** OPENAI_CHAT_SIGNATURE: messages plus per-row settings. */
export const chat = (content: "parts" | "string" = "parts"): Signature.ModelSignature =>
  Signature.signature([messages(content), ...rowSettings], outputs)

/** OPENAI_CHAT_WITH_PARAMS_SIGNATURE: messages only, settings as params. */
export const chatWithParams = (content: "parts" | "string" = "parts"): Signature.ModelSignature =>
  Signature.signature([messages(content)], outputs, params)
