/**
 * A fake OpenAI-compatible server (what vLLM, llama.cpp's server and Ollama speak) on 127.0.0.1, for
 * tests and benchmarks of chat engines: `POST …/v1/chat/completions` and `GET …/v1/models`, real HTTP,
 * with the latency and faults of FakeHttp.
 *
 * Answers are deterministic, so a test can predict them: the content is `echo: ` and the text of the
 * last user message, then for each media part what it carried (`[image/png 1234 bytes]` for a data
 * URL, `[audio mp3 77 bytes]`, `[image url https://…]` for a link). With a `json_schema`
 * response_format the content is a JSON object with every property of the schema (strings get the
 * echo, numbers the count of words, booleans true). Token counts are words. An `apiKey` makes it answer
 * 401 to requests without `Authorization: Bearer <key>` — quoting the header it got, as careless
 * servers do, so tests can check that clients never print it.
 */
import { createHash } from "node:crypto"
import { type FakeServer, type FakeServerOptions, json, type Reply, startFakeServer } from "./FakeHttp.ts"

export interface FakeOpenAiOptions extends FakeServerOptions {
  /** Served model names (default `["fake-model"]`); requests for another model get 404. */
  readonly models?: ReadonlyArray<string>
  /** Require `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string
}

interface Part {
  readonly type?: string
  readonly text?: string
  readonly image_url?: { readonly url?: string }
  readonly video_url?: { readonly url?: string }
  readonly input_audio?: { readonly data?: string; readonly format?: string }
}

interface Message {
  readonly role?: string
  readonly content?: string | ReadonlyArray<Part> | null
}

const words = (text: string) => text.split(/\s+/).filter((w) => w !== "").length

const describeUrl = (kind: string, url: string | undefined): string => {
  if (url === undefined) return `[${kind} missing]`
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url)
  if (data !== null) return `[${data[1]} ${Buffer.from(data[2]!, "base64").length} bytes]`
  return `[${kind} url ${url}]`
}

const describePart = (part: Part): string => {
  switch (part.type) {
    case "text":
      return part.text ?? ""
    case "image_url":
      return describeUrl("image", part.image_url?.url)
    case "video_url":
      return describeUrl("video", part.video_url?.url)
    case "input_audio":
      return `[audio ${part.input_audio?.format ?? "?"} ${Buffer.from(part.input_audio?.data ?? "", "base64").length} bytes]`
    default:
      return `[${String(part.type)}]`
  }
}

/** What the server makes of a message's content: its text and media descriptions. */
export const contentText = (content: Message["content"]): string =>
  content === null || content === undefined
    ? ""
    : typeof content === "string"
      ? content
      : content.map(describePart).join(" ")

/** The content the server answers for these messages (without a response_format). */
export const echoOf = (messages: ReadonlyArray<Message>): string => {
  const user = [...messages].reverse().find((m) => m.role === "user") ?? messages[messages.length - 1]
  return `echo: ${contentText(user?.content)}`
}

interface JsonSchema {
  readonly properties?: Readonly<Record<string, { readonly type?: string }>>
}

const structured = (schema: JsonSchema | undefined, echo: string): string => {
  const out: Record<string, unknown> = {}
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    out[name] =
      prop.type === "number" || prop.type === "integer"
        ? words(echo)
        : prop.type === "boolean"
          ? true
          : prop.type === "array"
            ? []
            : prop.type === "object"
              ? {}
              : `${name}: ${echo}`
  }
  return JSON.stringify(out)
}

const completion = (body: string, models: ReadonlyArray<string>): Reply => {
  let request: {
    model?: unknown
    messages?: unknown
    n?: unknown
    response_format?: { type?: string; json_schema?: { schema?: JsonSchema } }
  }
  try {
    request = JSON.parse(body) as typeof request
  } catch {
    return json(400, { error: { message: "the body is not JSON", type: "BadRequestError" } })
  }
  if (typeof request.model !== "string" || !models.includes(request.model)) {
    return json(404, {
      error: { message: `The model \`${String(request.model)}\` does not exist.`, type: "NotFoundError" }
    })
  }
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    return json(400, { error: { message: "messages must be a non-empty list", type: "BadRequestError" } })
  }
  const messages = request.messages as ReadonlyArray<Message>
  const refused = messages.some((m) => contentText(m.content).includes("REFUSE"))
  if (refused) return json(400, { error: { message: "this prompt is refused", type: "BadRequestError" } })
  const echo = echoOf(messages)
  const content =
    request.response_format?.type === "json_schema"
      ? structured(request.response_format.json_schema?.schema, echo)
      : request.response_format?.type === "json_object"
        ? JSON.stringify({ echo })
        : echo
  const n = typeof request.n === "number" && request.n > 0 ? request.n : 1
  const prompt = messages.reduce((sum, m) => sum + words(contentText(m.content)), 0)
  const completionTokens = words(content)
  return json(200, {
    id: `chatcmpl-${createHash("sha256").update(body).digest("hex").slice(0, 16)}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model: request.model,
    choices: Array.from({ length: n }, (_, index) => ({
      index,
      message: { role: "assistant", content },
      logprobs: null,
      finish_reason: "stop"
    })),
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completionTokens * n,
      total_tokens: prompt + completionTokens * n
    }
  })
}

/** Start the server; `close()` it when done. */
export const start = (options: FakeOpenAiOptions = {}): Promise<FakeServer> => {
  const models = options.models ?? ["fake-model"]
  return startFakeServer(options, (request) => {
    if (options.apiKey !== undefined) {
      const got = request.headers["authorization"]
      if (got !== `Bearer ${options.apiKey}`) {
        return json(401, {
          error: { message: `Invalid API key in header: ${String(got)}`, type: "AuthenticationError" }
        })
      }
    }
    const path = request.path.split("?")[0]!
    if (request.method === "GET" && path.endsWith("/v1/models")) {
      return json(200, {
        object: "list",
        data: models.map((id) => ({ id, object: "model", owned_by: "runbatch-testkit" }))
      })
    }
    if (request.method === "POST" && path.endsWith("/v1/chat/completions"))
      return completion(request.body, models)
    return json(404, { error: { message: `no route ${request.method} ${path}`, type: "NotFoundError" } })
  })
}
