/** Field schemas shared by the specs, each with a message that says how to fix a bad value. */
import { Effect, Exit, Schema, SchemaTransformation } from "effect"
import * as FileLocation from "../FileLocation.ts"
import * as Identifier from "../Identifier.ts"
import * as ResourceRequests from "../ResourceRequests.ts"
import * as StageLocation from "../StageLocation.ts"

const fromSync = <A, E>(effect: Effect.Effect<A, E>): Exit.Exit<A, E> => Effect.runSyncExit(effect)

const firstError = <A, E extends { readonly reason: string }>(exit: Exit.Exit<A, E>): string | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  return reason?._tag === "Fail" ? reason.error.reason : "invalid value"
}

/** An open plugin-facing name: trimmed and lower-cased (`RAW_BYTES` reads as `raw_bytes`), non-empty. */
export const PluginValue = Schema.String.pipe(
  Schema.decodeTo(
    Schema.String.check(Schema.makeFilter((s) => (s.length > 0 ? undefined : "must not be empty"))),
    SchemaTransformation.transform({ decode: (s) => s.trim().toLowerCase(), encode: (s) => s })
  )
)

/** A whole number ≥ 1. Zero is refused, never silently dropped as the original does. */
export const PositiveInt = (what: string) =>
  Schema.Number.check(
    Schema.makeFilter((n) =>
      Number.isInteger(n) && n >= 1
        ? undefined
        : `${what} must be a whole number of at least 1, got ${n}. Leave it out to use the default.`
    )
  )

/** A stage location, checked for grammar and traversal now and resolved against a context later. */
export const StageLocationText = Schema.String.check(
  Schema.makeFilter((text) => firstError(fromSync(StageLocation.parse(text, { database: "_", schema: "_" }))))
)

/** A stage file or a model version file (`snow://model/…`). */
export const FileLocationText = Schema.String.check(
  Schema.makeFilter((text) => firstError(fromSync(FileLocation.parse(text, { database: "_", schema: "_" }))))
)

/** One identifier, quoted or not. */
export const IdentifierText = Schema.String.check(
  Schema.makeFilter((text) => firstError(fromSync(Identifier.resolve(text.trim()))))
)

/** `name`, `schema.name` or `db.schema.name`. */
export const QualifiedNameText = Schema.String.check(
  Schema.makeFilter((text) => firstError(fromSync(Identifier.parseQualified(text))))
)

/** A CPU request (`2`, `0.5`, `500m`); numbers are accepted and kept as text. */
export const CpuText = Schema.Union([Schema.String, Schema.Number]).pipe(
  Schema.decodeTo(
    Schema.String.check(
      Schema.makeFilter((text) =>
        ResourceRequests.parseCpu(text) === undefined
          ? `"${text}" is not a CPU quantity; write a positive count such as "2", "0.5" or "500m".`
          : undefined
      )
    ),
    SchemaTransformation.transform({ decode: (v) => String(v).trim(), encode: (s) => s })
  )
)

/** A memory request with a unit (`8Gi`, `8GiB`, `512MiB`). */
export const MemoryText = Schema.String.check(
  Schema.makeFilter((text) =>
    ResourceRequests.parseMemory(text) === undefined
      ? `"${text}" is not a memory quantity; give a number with a unit such as "8GiB", "8Gi" or "512MiB".`
      : undefined
  )
)

/** A GPU request: a whole number of GPUs; numbers are accepted and kept as text. */
export const GpuText = Schema.Union([Schema.String, Schema.Number]).pipe(
  Schema.decodeTo(
    Schema.String.check(
      Schema.makeFilter((text) =>
        ResourceRequests.parseGpu(text) === undefined
          ? `Invalid gpu_requests: "${text}". Give a whole number of GPUs of at least 1, such as "1".`
          : undefined
      )
    ),
    SchemaTransformation.transform({ decode: (v) => String(v).trim(), encode: (s) => s })
  )
)
