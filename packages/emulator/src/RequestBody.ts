/**
 * A request's JSON body, read defensively: refused past a size limit (without reading the rest),
 * gunzipped only when it starts with gzip's magic bytes (the driver usually sends plain JSON even
 * when it says gzip), and parsed with a clear error when it is not JSON.
 */
import type { IncomingMessage } from "node:http"
import { gunzipSync } from "node:zlib"
import { EmulatorBadRequest } from "@runbatch/spec"
import { Effect } from "effect"

/** Default request body limit: array binds of a few hundred thousand values fit. */
export const DEFAULT_MAX_BODY_BYTES = 64 << 20

const readBytes = (request: IncomingMessage, endpoint: string, maxBytes: number) =>
  Effect.callback<Buffer, EmulatorBadRequest>((resume) => {
    const declared = Number(request.headers["content-length"] ?? Number.NaN)
    if (declared > maxBytes) {
      resume(Effect.fail(tooLarge(endpoint, maxBytes)))
      return
    }
    const parts: Array<Buffer> = []
    let size = 0
    let settled = false
    const settle = (effect: Effect.Effect<Buffer, EmulatorBadRequest>) => {
      if (settled) return
      settled = true
      resume(effect)
    }
    request.on("data", (part: Buffer) => {
      size += part.length
      if (size > maxBytes) {
        settle(Effect.fail(tooLarge(endpoint, maxBytes)))
        request.removeAllListeners("data")
        request.resume()
        return
      }
      parts.push(part)
    })
    request.on("end", () => settle(Effect.succeed(Buffer.concat(parts))))
    request.on("error", (error) =>
      settle(
        Effect.fail(
          new EmulatorBadRequest({ endpoint, reason: `the body could not be read: ${error.message}` })
        )
      )
    )
  })

const tooLarge = (endpoint: string, maxBytes: number) =>
  new EmulatorBadRequest({
    endpoint,
    reason: `the body is larger than the emulator's limit of ${maxBytes} bytes; send fewer binds per statement or raise maxBodyBytes`
  })

/** The body as JSON (`undefined` for an empty body). */
export const readJson = (
  request: IncomingMessage,
  endpoint: string,
  maxBytes: number = DEFAULT_MAX_BODY_BYTES
): Effect.Effect<unknown, EmulatorBadRequest> =>
  Effect.gen(function* () {
    let bytes = yield* readBytes(request, endpoint, maxBytes)
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
      const compressed = bytes
      bytes = yield* Effect.try({
        try: () => gunzipSync(compressed, { maxOutputLength: maxBytes }),
        catch: (error) =>
          new EmulatorBadRequest({
            endpoint,
            reason: `the gzip body could not be decompressed: ${(error as Error).message}`
          })
      })
    }
    if (bytes.length === 0) return undefined
    const text = bytes.toString("utf8")
    return yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (error) =>
        new EmulatorBadRequest({ endpoint, reason: `the body is not JSON (${(error as Error).message})` })
    })
  })

/** `value[key]` when `value` is an object. */
export const field = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined
