/**
 * The options every HTTP engine takes (snake_case, as users write them in YAML), what they give an
 * endpoint, and decoding an engine's options at plan time without ever quoting a value.
 */
import { EnginePrepareError } from "@runbatch/spec"
import { Effect, Schema, SchemaIssue } from "effect"
import { MAX_TIMER_MILLIS } from "./Backoff.ts"
import type { HttpEndpointOptions } from "./HttpEndpoint.ts"

const positive = Schema.Number.check(Schema.isGreaterThan(0))

/** Seconds a timer can wait, at most (MAX_TIMER_MILLIS): timeouts and backoffs beyond it are refused. */
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MILLIS / 1000)

/** Positive seconds a timer can wait. */
const timerSeconds = positive.check(
  Schema.makeFilter((seconds: number) =>
    seconds <= MAX_TIMER_SECONDS
      ? undefined
      : `must be at most ${MAX_TIMER_SECONDS} (about 24 days: the longest a timer waits)`
  )
)

/**
 * The options every HTTP engine takes (snake_case, as users write them in YAML), all optional:
 * `concurrency` (requests in flight per worker), `timeout_seconds` (one attempt), `max_retries` (per
 * request), `backoff_initial_seconds` and `backoff_max_seconds` (also the longest wait a server's
 * Retry-After gets), `max_response_bytes`. Durations are at most MAX_TIMER_SECONDS.
 */
export const httpOptionFields = {
  concurrency: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThan(0))),
  timeout_seconds: Schema.optionalKey(timerSeconds),
  max_retries: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  backoff_initial_seconds: Schema.optionalKey(timerSeconds),
  backoff_max_seconds: Schema.optionalKey(timerSeconds),
  max_response_bytes: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThan(0)))
}

export interface HttpOptionValues {
  readonly concurrency?: number
  readonly timeout_seconds?: number
  readonly max_retries?: number
  readonly backoff_initial_seconds?: number
  readonly backoff_max_seconds?: number
  readonly max_response_bytes?: number
}

/** The endpoint settings those options give, with an engine's defaults for the unset ones. */
export const httpSettings = (
  values: HttpOptionValues,
  defaults: { readonly concurrency: number; readonly timeoutSeconds: number; readonly maxRetries: number }
): Pick<
  HttpEndpointOptions,
  "concurrency" | "timeoutMillis" | "retries" | "backoff" | "maxResponseBytes"
> => ({
  concurrency: values.concurrency ?? defaults.concurrency,
  timeoutMillis: Math.round((values.timeout_seconds ?? defaults.timeoutSeconds) * 1000),
  retries: values.max_retries ?? defaults.maxRetries,
  backoff: {
    initialMillis: Math.round((values.backoff_initial_seconds ?? 0.25) * 1000),
    maxMillis: Math.round((values.backoff_max_seconds ?? 30) * 1000)
  },
  ...(values.max_response_bytes === undefined ? {} : { maxResponseBytes: values.max_response_bytes })
})

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** The name of an environment variable (its value is read where the job runs, never stored). */
export const EnvironmentVariableName = Schema.String.check(
  Schema.makeFilter((name) =>
    ENV_NAME.test(name) ? undefined : `must be the name of an environment variable (e.g. MODEL_API_KEY)`
  )
)

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * Decode an engine's options at plan time. Unknown keys are refused by name only — never quoting a
 * value, since a misplaced secret (`api_key: sk-…`) must not reach an error message.
 */
export const decodeEngineOptions = <A>(
  engine: string,
  schema: Schema.Decoder<A> & { readonly fields: Readonly<Record<string, unknown>> },
  options: unknown,
  hints: Readonly<Record<string, string>> = {}
): Effect.Effect<A, EnginePrepareError> => {
  const doc = `See docs/plugins/engine-${engine}.md for the options.`
  const known = Object.keys(schema.fields)
  const given = typeof options === "object" && options !== null ? Object.keys(options) : []
  const unknown = given.filter((key) => !known.includes(key))
  if (unknown.length > 0) {
    const hint = unknown.map((key) => hints[key]).find((h) => h !== undefined)
    return Effect.fail(
      new EnginePrepareError({
        engine,
        reason: `unknown engine option(s) ${unknown.join(", ")}; the options are ${known.join(", ")}.`,
        fix: hint ?? doc
      })
    )
  }
  return Schema.decodeUnknownEffect(schema)(options ?? {}, { errors: "all" }).pipe(
    Effect.mapError(
      (error) =>
        new EnginePrepareError({
          engine,
          reason: `its engine options are invalid: ${formatter(error.issue)
            .issues.map((i) => `${(i.path ?? []).map(String).join(".") || "options"}: ${i.message}`)
            .join("; ")}.`,
          fix: doc
        })
    )
  )
}
