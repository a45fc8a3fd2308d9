/**
 * Typed errors across a thread or process boundary (a pipeline worker thread, a replica process): out
 * as the tag, the message and the class's encoded fields; back in, decoded by the same class, so the
 * other side still matches on `_tag`. An error this package does not define (a plugin's own, a defect)
 * arrives as WorkerCrashed carrying its tag and message.
 */
import { Schema } from "effect"
import * as Errors from "./errors/index.ts"
import { WorkerCrashed } from "./errors/RuntimeErrors.ts"

export interface WireError {
  readonly tag: string
  readonly message: string
  /** The class's encoded form (plain JSON); empty for errors runbatch does not define. */
  readonly fields: Readonly<Record<string, unknown>>
}

type ErrorCodec = Schema.Codec<Error & { readonly _tag: string }, unknown>

/** Each error class by its tag (runbatch names every error class after its tag). */
const codecs: ReadonlyMap<string, ErrorCodec> = new Map(
  Object.entries(Errors).flatMap(([name, value]) =>
    typeof value === "function" && value.prototype instanceof Error
      ? [[name, value as unknown as ErrorCodec]]
      : []
  )
)

export const toWire = (error: unknown): WireError => {
  const tag =
    typeof error === "object" && error !== null && typeof (error as { _tag?: unknown })._tag === "string"
      ? (error as { _tag: string })._tag
      : error instanceof Error
        ? error.name
        : "Error"
  const message = error instanceof Error ? error.message : String(error)
  const codec = codecs.get(tag)
  if (codec !== undefined && error instanceof Error) {
    try {
      return { tag, message, fields: Schema.encodeUnknownSync(codec)(error) as Record<string, unknown> }
    } catch {
      // Not this package's class after all (a plugin's error of the same name): send the message.
    }
  }
  return { tag, message, fields: {} }
}

/** The error `wire` describes; `where` names the replica and worker it came from, for unknown tags. */
export const fromWire = (
  wire: WireError,
  where: { readonly replica: number; readonly worker: number }
): Error => {
  const codec = codecs.get(wire.tag)
  if (codec !== undefined) {
    try {
      return Schema.decodeUnknownSync(codec)(wire.fields)
    } catch {
      // Fields that do not fit the class (a version skew, a foreign error): fall through.
    }
  }
  return new WorkerCrashed({
    ...where,
    reason: wire.tag === "Error" ? wire.message : `${wire.tag}: ${wire.message}`
  })
}
