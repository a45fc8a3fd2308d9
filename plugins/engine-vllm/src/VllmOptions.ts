/**
 * The engine options of an LLM model version (in its user data, overridable per job with
 * `inference_engine_options.options` or `--engine-option k=v`):
 *
 * ```yaml
 * base_url: http://127.0.0.1:8000   # the server (its /v1 path may be included)
 * model: Qwen/Qwen2.5-0.5B-Instruct  # the served model name (default: the only one the server lists)
 * api_key_env: VLLM_API_KEY          # sent as "Authorization: Bearer …"; the key itself is never stored
 * concurrency: 64                    # requests in flight per worker
 * timeout_seconds: 600               # one request's limit
 * max_retries: 8                     # per row: 429, 5xx, timeouts, malformed answers
 * backoff_initial_seconds: 0.25      # first retry's wait, doubled each time (jittered) …
 * backoff_max_seconds: 30            # … up to this; never sooner than the server's Retry-After
 * max_response_bytes: 67108864       # a larger answer fails the batch
 * ```
 */
import {
  decodeEngineOptions,
  EnvironmentVariableName,
  endpointUrlProblem,
  httpOptionFields
} from "@runbatch/plugin-http"
import { EnginePrepareError } from "@runbatch/spec"
import { Effect, Schema } from "effect"

export const DEFAULTS = { concurrency: 64, timeoutSeconds: 600, maxRetries: 8 } as const

export const VllmOptions = Schema.Struct({
  base_url: Schema.String,
  model: Schema.optionalKey(Schema.String.check(Schema.isNonEmpty())),
  api_key_env: Schema.optionalKey(EnvironmentVariableName),
  ...httpOptionFields
})
export type VllmOptions = typeof VllmOptions.Type

const SECRET_HINT =
  "Never put a key in engine options (they are stored with the model version and in every job's plan): set it in an environment variable and name the variable in api_key_env."

export const decode = (options: unknown): Effect.Effect<VllmOptions, EnginePrepareError> =>
  decodeEngineOptions("vllm", VllmOptions, options, {
    api_key: SECRET_HINT,
    apiKey: SECRET_HINT,
    key: SECRET_HINT,
    headers:
      "The vllm engine sends only the API key header (api_key_env); use the custom-http engine for other headers."
  }).pipe(
    Effect.flatMap((decoded) => {
      const problem = endpointUrlProblem(decoded.base_url)
      return problem === undefined
        ? Effect.succeed(decoded)
        : Effect.fail(
            new EnginePrepareError({
              engine: "vllm",
              reason: `base_url: ${problem}`,
              fix: "Set base_url to the server's address, e.g. http://127.0.0.1:8000."
            })
          )
    })
  )

/** The server's root: base_url without a trailing `/` or `/v1`, so `…/v1/chat/completions` follows. */
export const rootPath = (baseUrl: string): string =>
  new URL(baseUrl).pathname.replace(/\/+$/, "").replace(/\/v1$/, "")
