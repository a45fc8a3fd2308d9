/**
 * Inference engine options for one job: which engine runs the model (an open plugin id such as
 * `onnx`, `vllm`, `custom-http`; case-insensitive), extra command-line arguments for engines that run
 * a server (`engineArgsOverride`, e.g. vLLM's `--max-model-len=4096`), and per-job overrides of the
 * model version's engine options (`options`, e.g. a base URL or concurrency). As in the original,
 * a non-empty object must name its engine.
 */
import { type Effect, Schema } from "effect"
import type { InvalidSpec } from "./errors/SpecErrors.ts"
import { decodeSpec, type Form, fieldNames } from "./internal/decode.ts"
import { PluginValue } from "./internal/fields.ts"

/**
 * Arguments the launcher owns (listening address, TLS, auth, logging): an override would break the
 * engine's wiring or its security, so they are refused. The original's block-list.
 */
export const BLOCKED_ENGINE_ARGS = [
  "--host",
  "--port",
  "--allowed-headers",
  "--api-key",
  "--lora-modules",
  "--prompt-adapter",
  "--ssl-keyfile",
  "--ssl-certfile",
  "--ssl-ca-certs",
  "--enable-ssl-refresh",
  "--ssl-cert-reqs",
  "--root-path",
  "--middleware",
  "--disable-frontend-multiprocessing",
  "--log-config-file"
] as const

/** Why one engine argument is refused, or undefined when it is fine. */
export const engineArgProblem = (arg: string): string | undefined => {
  if (!arg.startsWith("--")) {
    return `The argument ${JSON.stringify(arg)} is not allowed: engine arguments are long options. Maybe you forgot to add '--' prefix?`
  }
  const name = arg.split("=", 1)[0]!
  if ((BLOCKED_ENGINE_ARGS as ReadonlyArray<string>).includes(name)) {
    return `The argument ${name} is set by runbatch (address, TLS, auth or logging of the engine server) and cannot be overridden.`
  }
  return undefined
}

const EngineArg = Schema.String.check(Schema.makeFilter((arg) => engineArgProblem(arg)))

const fields = {
  engine: Schema.optionalKey(PluginValue),
  engineArgsOverride: Schema.optionalKey(Schema.Array(EngineArg)),
  options: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown))
}

const engineNamedWhenUsed = Schema.makeFilter(
  (spec: {
    readonly engine?: string
    readonly engineArgsOverride?: ReadonlyArray<string>
    readonly options?: object
  }) =>
    spec.engine === undefined && (spec.engineArgsOverride !== undefined || spec.options !== undefined)
      ? { path: ["engine"], issue: "'engine' field is required in inference_engine_options" }
      : undefined
)

export const InferenceEngineOptions = Schema.Struct(fields).check(engineNamedWhenUsed)
export type InferenceEngineOptions = typeof InferenceEngineOptions.Type
export type InferenceEngineOptionsInput = typeof InferenceEngineOptions.Encoded

/** The job file's `inference.engine_options` block (snake_case). */
export const InferenceEngineOptionsWire = Schema.Struct(fields)
  .check(engineNamedWhenUsed)
  .pipe(Schema.encodeKeys({ engineArgsOverride: "engine_args_override" }))

export const knownFields = fieldNames(Schema.Struct(fields))

export const decode = (
  input: unknown,
  form: Form = "ts"
): Effect.Effect<InferenceEngineOptions, InvalidSpec> =>
  decodeSpec(form === "ts" ? InferenceEngineOptions : InferenceEngineOptionsWire, input ?? {}, {
    spec: "inference engine options",
    form,
    knownFields
  })
