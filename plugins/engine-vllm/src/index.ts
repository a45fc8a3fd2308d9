/**
 * The `vllm` engine: chat LLMs behind an OpenAI-compatible `/v1/chat/completions` server — vLLM, or
 * llama.cpp's server, Ollama, a gateway in front of any of them.
 *
 * `prepare` (plan time, no request sent) checks the options (VllmOptions), the signature (a `messages`
 * input; outputs among the chat-completion fields), the params (`stream` must stay false) and the
 * `engine_args_override` (kept in the plan for launchers that start vLLM themselves). `open` reads the
 * API key from the environment variable the options name, asks the server for its model when the
 * options do not say, and keeps `concurrency` requests in flight over kept-alive connections. `infer`
 * sends one request per row — job params, then the row's own setting columns — retries what a busy or
 * failing server answers (429 and 503 with Retry-After, 5xx, timeouts, malformed JSON) within each
 * row's budget, and turns the answers into the chat-completion columns. A prompt the server refuses
 * (400, 413, 422) fails its row alone; a bad key (401, 403) or an unknown model or path (404) fails the
 * batch at once. Token counts feed the progress lines.
 */
import {
  type Arrow,
  defineEngine,
  type EngineSession,
  type OpenRequest,
  PluginLogger,
  type PrepareRequest,
  type RowError
} from "@runbatch/plugin-api"
import {
  fieldOf,
  type HttpEndpoint,
  httpEndpoint,
  httpSettings,
  jsonColumns,
  Retry,
  secretFromEnvironment
} from "@runbatch/plugin-http"
import {
  EnginePrepareError,
  InferenceEngineOptions,
  type Json,
  PluginBatchError,
  Signature
} from "@runbatch/spec"
import { Effect } from "effect"
import { isMessages, paramFields, requestBodies } from "./ChatRequest.ts"
import * as VllmOptions from "./VllmOptions.ts"

const ID = "vllm"

/** Top-level fields of a chat completion an output column may take. */
const COMPLETION_FIELDS = [
  "id",
  "object",
  "created",
  "model",
  "choices",
  "usage",
  "system_fingerprint",
  "service_tier",
  "prompt_logprobs",
  "kv_transfer_params"
]

const prepareError = (reason: string, fix?: string) =>
  new EnginePrepareError({ engine: ID, reason, ...(fix === undefined ? {} : { fix }) })

const checkModel = (request: PrepareRequest) =>
  Effect.gen(function* () {
    const { signature } = request
    const messages = signature.inputs.find(isMessages)
    if (messages === undefined) {
      return yield* prepareError(
        `the model needs an input feature "messages" (a list of {role, content} chat messages); its inputs are ${signature.inputs.map((f) => f.name).join(", ")}.`,
        "Log the model with an OpenAI chat signature (docs/plugins/engine-vllm.md shows one)."
      )
    }
    if (!Signature.isGroup(messages) && messages.dtype !== "STRING") {
      return yield* prepareError(
        `the feature "messages" is ${Signature.describeType(messages)}; it must be a list of chat messages (a group) or their JSON text (STRING).`
      )
    }
    const unknown = signature.outputs.filter((f) => !COMPLETION_FIELDS.includes(f.name.toLowerCase()))
    if (unknown.length > 0) {
      return yield* prepareError(
        `the output(s) ${unknown.map((f) => f.name).join(", ")} are not fields of a chat completion (${COMPLETION_FIELDS.join(", ")}).`,
        "Name the signature's outputs after the chat-completion fields; select the text later from choices[0].message.content."
      )
    }
    if (request.params["stream"] === true || request.params["STREAM"] === true) {
      return yield* prepareError(
        "the param stream is true; a batch job collects each answer whole.",
        "Leave stream at false."
      )
    }
    for (const arg of request.engineArgsOverride) {
      const problem = InferenceEngineOptions.engineArgProblem(arg)
      if (problem !== undefined) return yield* prepareError(problem)
    }
  })

interface Answer {
  readonly completion: Record<string, unknown> | null
  readonly error?: string
}

const interpret =
  (endpoint: HttpEndpoint, model: string) =>
  (reply: { readonly status: number; readonly body: Buffer }): Answer | Retry => {
    if (reply.status >= 200 && reply.status < 300) {
      let parsed: unknown
      try {
        parsed = JSON.parse(reply.body.toString("utf8"))
      } catch {
        return new Retry("the server's answer is not JSON")
      }
      if (
        typeof parsed !== "object" ||
        parsed === null ||
        !Array.isArray((parsed as { choices?: unknown }).choices)
      )
        return new Retry("the server's answer is not a chat completion (no choices)")
      return { completion: parsed as Record<string, unknown> }
    }
    const detail = endpoint.redactor.snippet(reply.body)
    if (reply.status === 401 || reply.status === 403) {
      throw new PluginBatchError({
        plugin: ID,
        reason: `the server at ${endpoint.origin} refused the request (${reply.status}): ${detail}. Check the API key in the variable api_key_env names.`,
        retryable: false
      })
    }
    if (reply.status === 404) {
      throw new PluginBatchError({
        plugin: ID,
        reason: `the server at ${endpoint.origin} answered 404: ${detail}. Check base_url and that it serves the model ${model}.`,
        retryable: false
      })
    }
    // 400, 413, 422 …: the server refused this prompt; the row fails alone.
    return { completion: null, error: `the server refused the row (${reply.status}): ${detail}` }
  }

/** The model the server serves, when the options do not name one. */
const servedModel = (endpoint: HttpEndpoint, root: string) =>
  endpoint.request({ method: "GET", path: `${root}/v1/models` }, (reply) => {
    if (reply.status !== 200) {
      throw new PluginBatchError({
        plugin: ID,
        reason: `listing the server's models (GET ${root}/v1/models) answered ${reply.status}: ${endpoint.redactor.snippet(reply.body)}. Set the model option.`,
        retryable: false
      })
    }
    let ids: Array<string> = []
    try {
      const parsed = JSON.parse(reply.body.toString("utf8")) as { data?: Array<{ id?: unknown }> }
      ids = (parsed.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === "string")
    } catch {
      return new Retry("the server's model list is not JSON")
    }
    if (ids.length !== 1) {
      throw new PluginBatchError({
        plugin: ID,
        reason:
          ids.length === 0
            ? "the server lists no model; set the model option."
            : `the server serves ${ids.length} models (${ids.join(", ")}); set the model option to one of them.`,
        retryable: false
      })
    }
    return ids[0]!
  })

const usageOf = (completion: Record<string, unknown> | null) => {
  const usage = completion?.["usage"] as { prompt_tokens?: unknown; completion_tokens?: unknown } | undefined
  return {
    prompt: typeof usage?.prompt_tokens === "number" ? usage.prompt_tokens : 0,
    completion: typeof usage?.completion_tokens === "number" ? usage.completion_tokens : 0
  }
}

const open = (request: OpenRequest) =>
  Effect.gen(function* () {
    const options = yield* VllmOptions.decode(request.options)
    const apiKey =
      options.api_key_env === undefined
        ? undefined
        : yield* secretFromEnvironment(ID, "api_key_env", options.api_key_env)
    const settings = httpSettings(options, VllmOptions.DEFAULTS)
    const endpoint = yield* httpEndpoint({
      plugin: ID,
      url: options.base_url,
      ...(apiKey === undefined ? {} : { headers: { authorization: `Bearer ${apiKey}` }, secrets: [apiKey] }),
      ...settings
    })
    const root = VllmOptions.rootPath(options.base_url)
    const search = new URL(options.base_url).search
    const model = options.model ?? (yield* servedModel(endpoint, root))
    const chatPath = `${root}/v1/chat/completions${search}`
    const logger = yield* PluginLogger
    yield* logger.info(
      `Sending chat completions to ${endpoint.origin}${root}/v1/chat/completions (model ${model}, up to ${settings.concurrency} requests in flight per worker).`
    )
    const read = interpret(endpoint, model)
    const paramsCache = new WeakMap<object, ReturnType<typeof paramFields>>()

    const infer: EngineSession["infer"] = (
      batch: Arrow.RecordBatch,
      params: Readonly<Record<string, Json>>
    ) =>
      Effect.gen(function* () {
        let fields = paramsCache.get(params)
        if (fields === undefined) {
          fields = paramFields(params)
          paramsCache.set(params, fields)
        }
        const bodies = requestBodies(request.signature.inputs, batch, fields, model)
        const tally = { retries: 0 }
        // Rows whose messages are null get no request, and null outputs.
        const sent: Array<number> = []
        for (let row = 0; row < batch.numRows; row++) if (bodies.has(row)) sent.push(row)
        const replies = yield* endpoint.requestAll(
          sent.length,
          (i) => ({ method: "POST", path: chatPath, body: bodies.body(sent[i]!) }),
          read,
          tally
        )
        const answers = new Array<Answer>(batch.numRows).fill({ completion: null })
        sent.forEach((row, i) => {
          answers[row] = replies[i]!
        })
        const rowErrors: Array<RowError> = []
        let promptTokens = 0
        let completionTokens = 0
        for (let row = 0; row < answers.length; row++) {
          const answer = answers[row]!
          if (answer.error !== undefined) rowErrors.push({ row, message: answer.error })
          const usage = usageOf(answer.completion)
          promptTokens += usage.prompt
          completionTokens += usage.completion
        }
        const columns = jsonColumns(
          request.outputSchema,
          answers.map((a) => a.completion),
          fieldOf,
          { redactor: endpoint.redactor }
        )
        rowErrors.push(...columns.rowErrors)
        rowErrors.sort((a, b) => a.row - b.row)
        return {
          outputs: columns.batch,
          rowErrors,
          metrics: {
            prompt_tokens: promptTokens,
            completion_tokens: completionTokens,
            http_retries: tally.retries
          }
        }
      })
    return { infer } satisfies EngineSession
  })

export default defineEngine({
  id: ID,
  prepare: (request) =>
    Effect.gen(function* () {
      const options = yield* VllmOptions.decode(request.options)
      yield* checkModel(request)
      const concurrency = options.concurrency ?? VllmOptions.DEFAULTS.concurrency
      return {
        outputSchema: request.signature.outputs,
        capabilities: {
          // Sixteen rounds of requests per batch, and two batches at once: while one batch's last
          // requests finish, the next one's fill the freed slots (the session's limit holds).
          preferredBatchRows: Math.min(4096, concurrency * 16),
          concurrentBatches: 2
        },
        options: {
          ...options,
          concurrency,
          timeout_seconds: options.timeout_seconds ?? VllmOptions.DEFAULTS.timeoutSeconds,
          max_retries: options.max_retries ?? VllmOptions.DEFAULTS.maxRetries
        }
      }
    }),
  open
})
