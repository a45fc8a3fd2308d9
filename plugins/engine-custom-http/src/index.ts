/**
 * The `custom-http` engine: any model server that speaks Snowflake's external-function JSON batch
 * format — "bring your own model" when the model already runs behind HTTP. A version for it is logged
 * with no artifact: its engine options say where the model runs (CustomHttpOptions).
 *
 * `prepare` checks the options (the URL, the headers — credentials only from environment variables)
 * and the signature. `open` reads header secrets from the environment and opens one endpoint per
 * worker. `infer` splits the batch into requests (by rows and bytes), keeps `concurrency` of them in
 * flight, retries what a busy or failing server answers (429 and 503 with Retry-After, 5xx, timeouts,
 * malformed JSON) within each request's budget, checks that every row number comes back exactly once,
 * and turns the values into the signature's outputs: the value itself for one output, an object's
 * fields (by output name) for several.
 */
import { randomUUID } from "node:crypto"
import {
  defineEngine,
  type EngineSession,
  type OpenRequest,
  PluginLogger,
  type RowError
} from "@runbatch/plugin-api"
import {
  fieldOf,
  type HttpEndpoint,
  type HttpReply,
  httpEndpoint,
  httpSettings,
  jsonColumns,
  Retry,
  secretFromEnvironment
} from "@runbatch/plugin-http"
import { EnginePrepareError, PluginBatchError } from "@runbatch/spec"
import { Effect } from "effect"
import * as CustomHttpOptions from "./CustomHttpOptions.ts"
import { chunk, readReply, spread } from "./ExternalFunctionBatch.ts"

const ID = "custom-http"

const batchError = (reason: string) => new PluginBatchError({ plugin: ID, reason, retryable: false })

const interpret =
  (endpoint: HttpEndpoint, count: number) =>
  (reply: HttpReply): ReadonlyArray<unknown> | Retry => {
    if (reply.status === 200) {
      let parsed: unknown
      try {
        parsed = JSON.parse(reply.body.toString("utf8"))
      } catch {
        return new Retry("the server's answer is not JSON")
      }
      const values = readReply(parsed, count, endpoint.origin, endpoint.redactor)
      return values === "malformed" ? new Retry('the server\'s answer has no "data" list') : values
    }
    const detail = endpoint.redactor.snippet(reply.body)
    if (reply.status === 202)
      throw batchError(
        `the server at ${endpoint.origin} answered 202 (accepted, answer later); runbatch does not poll asynchronous external functions. Answer each request with 200 and its results.`
      )
    if (reply.status === 401 || reply.status === 403)
      throw batchError(
        `the server at ${endpoint.origin} refused the request (${reply.status}): ${detail}. Check the headers and the environment variables they name.`
      )
    if (reply.status === 413)
      throw batchError(
        `the server at ${endpoint.origin} found a request of ${count} rows too large (413). Lower rows_per_request or max_request_bytes.`
      )
    throw batchError(
      `the server at ${endpoint.origin} answered ${reply.status} to a request of ${count} rows: ${detail}`
    )
  }

const open = (request: OpenRequest) =>
  Effect.gen(function* () {
    const options = yield* CustomHttpOptions.decode(request.options)
    const headers: Record<string, string> = {}
    const secrets: Array<string> = []
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (typeof value === "string") {
        headers[name.toLowerCase()] = value
        continue
      }
      const secret = yield* secretFromEnvironment(ID, `headers.${name}`, value.env)
      headers[name.toLowerCase()] = `${value.prefix ?? ""}${secret}`
      secrets.push(secret, `${value.prefix ?? ""}${secret}`)
    }
    const settings = httpSettings(options, CustomHttpOptions.DEFAULTS)
    const queryId = randomUUID()
    const endpoint = yield* httpEndpoint({
      plugin: ID,
      url: options.url,
      headers: {
        ...headers,
        "sf-external-function-format": "json",
        "sf-external-function-format-version": "1.0",
        "sf-external-function-current-query-id": queryId,
        "sf-external-function-name": request.function.name
      },
      secrets,
      ...settings
    })
    const limits = {
      rowsPerRequest: options.rows_per_request ?? CustomHttpOptions.DEFAULTS.rowsPerRequest,
      maxBytes: options.max_request_bytes ?? CustomHttpOptions.DEFAULTS.maxRequestBytes,
      binary: options.binary_format ?? "hex"
    }
    const logger = yield* PluginLogger
    yield* logger.info(
      `Sending batches of up to ${limits.rowsPerRequest} rows to ${endpoint.origin}${new URL(options.url).pathname} (up to ${settings.concurrency} requests in flight per worker).`
    )
    const outputs = request.outputSchema
    const single = outputs.length === 1
    const pick = single ? (value: unknown) => value : fieldOf

    const infer: EngineSession["infer"] = (batch) =>
      Effect.gen(function* () {
        const { chunks, rowErrors: tooLarge } = chunk(request.signature.inputs, batch, limits)
        const tally = { retries: 0 }
        // One id per request, the same on every attempt of it: the key a handler dedupes retries on.
        const batchIds = chunks.map(() => randomUUID())
        const replies = yield* endpoint.requestAll(
          chunks.length,
          (k) => ({
            method: "POST",
            body: chunks[k]!.body,
            headers: { "sf-external-function-query-batch-id": batchIds[k]! }
          }),
          (reply, k) => interpret(endpoint, chunks[k]!.rows.length)(reply),
          tally
        )
        const values = spread(batch.numRows, chunks, replies)
        const columns = jsonColumns(outputs, values, pick, { redactor: endpoint.redactor })
        const rowErrors: Array<RowError> = [...tooLarge, ...columns.rowErrors].sort((a, b) => a.row - b.row)
        return {
          outputs: columns.batch,
          rowErrors,
          metrics: { http_requests: chunks.length, http_retries: tally.retries }
        }
      })
    return { infer } satisfies EngineSession
  })

export default defineEngine({
  id: ID,
  prepare: (request) =>
    Effect.gen(function* () {
      const options = yield* CustomHttpOptions.decode(request.options)
      if (request.signature.inputs.length === 0) {
        return yield* new EnginePrepareError({
          engine: ID,
          reason: "the function has no inputs to send.",
          fix: "Log the model with the arguments the server expects as input features, in order."
        })
      }
      const rows = options.rows_per_request ?? CustomHttpOptions.DEFAULTS.rowsPerRequest
      const concurrency = options.concurrency ?? CustomHttpOptions.DEFAULTS.concurrency
      return {
        outputSchema: request.signature.outputs,
        // Sixteen rounds of requests per batch (the runtime hands an engine one batch at a time).
        // Two batches at once: the next batch's requests fill slots the previous one's stragglers free.
        capabilities: { preferredBatchRows: Math.min(65_536, rows * concurrency * 16), concurrentBatches: 2 },
        options: {
          ...options,
          rows_per_request: rows,
          max_request_bytes: options.max_request_bytes ?? CustomHttpOptions.DEFAULTS.maxRequestBytes,
          concurrency,
          timeout_seconds: options.timeout_seconds ?? CustomHttpOptions.DEFAULTS.timeoutSeconds,
          max_retries: options.max_retries ?? CustomHttpOptions.DEFAULTS.maxRetries
        }
      }
    }),
  open
})
