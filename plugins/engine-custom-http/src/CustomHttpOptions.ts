/**
 * The engine options of a model served over HTTP in Snowflake's external-function format (in the
 * version's user data, overridable per job):
 *
 * ```yaml
 * url: https://models.internal:8443/v1/score   # POSTed to; the only host requests go to
 * headers:
 *   Authorization: { env: SCORER_TOKEN, prefix: "Bearer " }   # the value comes from the environment
 *   X-Tenant: acme                                              # a plain value (never a credential)
 * rows_per_request: 100          # at most this many rows in one request …
 * max_request_bytes: 4194304     # … and at most this many bytes of JSON
 * concurrency: 8                 # requests in flight per worker
 * timeout_seconds: 60            # one request's limit
 * max_retries: 6                 # per request: 429, 5xx, timeouts, malformed answers
 * backoff_initial_seconds: 0.25
 * backoff_max_seconds: 30
 * binary_format: hex             # BYTES arguments as hex (Snowflake's default) or base64
 * ```
 *
 * Header values that carry credentials (Authorization, Cookie, or a name with key, token, secret,
 * password, auth, session or signature in it) must come from an environment variable: options are
 * stored with the model version and in every job's plan, environment variables are not.
 */
import {
  decodeEngineOptions,
  EnvironmentVariableName,
  endpointUrlProblem,
  headerNameProblem,
  httpOptionFields,
  isCredentialHeader
} from "@runbatch/plugin-http"
import { EnginePrepareError } from "@runbatch/spec"
import { Effect, Schema } from "effect"

export const DEFAULTS = {
  concurrency: 8,
  timeoutSeconds: 60,
  maxRetries: 6,
  rowsPerRequest: 100,
  maxRequestBytes: 4 * 1024 * 1024
} as const

const FromEnvironment = Schema.Struct({
  env: EnvironmentVariableName,
  prefix: Schema.optionalKey(Schema.String)
})

export const CustomHttpOptions = Schema.Struct({
  url: Schema.String,
  headers: Schema.optionalKey(Schema.Record(Schema.String, Schema.Union([Schema.String, FromEnvironment]))),
  rows_per_request: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThan(0))),
  max_request_bytes: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThan(0))),
  binary_format: Schema.optionalKey(Schema.Literals(["hex", "base64"])),
  ...httpOptionFields
})
export type CustomHttpOptions = typeof CustomHttpOptions.Type

const refuse = (reason: string, fix?: string) =>
  Effect.fail(
    new EnginePrepareError({ engine: "custom-http", reason, ...(fix === undefined ? {} : { fix }) })
  )

export const decode = (options: unknown): Effect.Effect<CustomHttpOptions, EnginePrepareError> =>
  Effect.gen(function* () {
    // Header values are checked here, before decoding, so no message can ever quote one.
    const raw = (typeof options === "object" && options !== null ? options : {}) as Record<string, unknown>
    const headers = raw["headers"]
    if (headers !== undefined && (typeof headers !== "object" || headers === null || Array.isArray(headers)))
      return yield* refuse("headers: must map header names to values or to {env: NAME}.")
    for (const [name, value] of Object.entries((headers ?? {}) as Record<string, unknown>)) {
      const problem = headerNameProblem(name)
      if (problem !== undefined) return yield* refuse(`headers: ${problem}`)
      if (typeof value === "string" && isCredentialHeader(name)) {
        return yield* refuse(
          `headers: the header ${name} carries credentials, and options are stored with the model version and in every job's plan.`,
          `Put the value in an environment variable and write ${name}: {env: VARIABLE} (with prefix: "Bearer " if the server wants one).`
        )
      }
      if (typeof value !== "string" && (typeof value !== "object" || value === null || !("env" in value)))
        return yield* refuse(`headers: the header ${name} must be text or {env: NAME, prefix?: text}.`)
    }
    const decoded = yield* decodeEngineOptions("custom-http", CustomHttpOptions, options, {
      endpoint: "The server's address is the url option.",
      base_url: "The server's address is the url option."
    })
    const problem = endpointUrlProblem(decoded.url)
    if (problem !== undefined)
      return yield* refuse(`url: ${problem}`, "Set url to the address requests are POSTed to.")
    return decoded
  })
