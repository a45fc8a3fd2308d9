/**
 * The `base64` and `base64_data_url` encoders: a column of full stage paths becomes the files as
 * base64 text (`convert_to: base64`) or as `data:<mime>;base64,…` URLs (`convert_to:
 * base64_data_url`), for models with a STRING input that decode it themselves.
 *
 * Options: `maxFileBytes` (default 64 MiB), `concurrency` (default 16), and for data URLs
 * `mimeType` (one type for all files) or `mimeTypes` (by extension); otherwise the type comes from
 * the file's first bytes, then its extension.
 */
import {
  Arrow,
  DEFAULT_MAX_FILE_BYTES,
  defineEncoder,
  positiveIntegerOption,
  readFileColumn
} from "@runbatch/plugin-api"
import { MediaType } from "@runbatch/plugin-http"
import { PluginBatchError } from "@runbatch/spec"
import { Effect } from "effect"

const toBase64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")

const isStringRecord = (value: unknown): value is Record<string, string> =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => typeof v === "string")

const mimeOptions = (
  options: Readonly<Record<string, unknown>>
): Effect.Effect<MediaType.MediaTypeChoice, PluginBatchError> => {
  const { mimeType, mimeTypes } = options
  const bad = (reason: string) =>
    Effect.fail(new PluginBatchError({ plugin: "base64", reason, retryable: false }))
  if (mimeType !== undefined && (typeof mimeType !== "string" || !/^[\w.+-]+\/[\w.+-]+$/.test(mimeType))) {
    return bad(`the option mimeType must be a type such as "image/png", got ${JSON.stringify(mimeType)}.`)
  }
  if (mimeTypes !== undefined && !isStringRecord(mimeTypes)) {
    return bad(`the option mimeTypes must map extensions to types, e.g. {"dcm": "application/dicom"}.`)
  }
  return Effect.succeed({
    ...(mimeType === undefined ? {} : { override: mimeType as string }),
    ...(mimeTypes === undefined
      ? {}
      : {
          byExtension: Object.fromEntries(
            Object.entries(mimeTypes as Record<string, string>).map(([ext, type]) => [
              ext.replace(/^\./, "").toLowerCase(),
              type
            ])
          )
        })
  })
}

export default defineEncoder({
  id: "base64",
  open: ({ options }) =>
    Effect.gen(function* () {
      const maxBytes = yield* positiveIntegerOption(
        "base64",
        "maxFileBytes",
        options["maxFileBytes"],
        DEFAULT_MAX_FILE_BYTES
      )
      const concurrency = yield* positiveIntegerOption("base64", "concurrency", options["concurrency"], 16)
      const mime = yield* mimeOptions(options)
      return {
        encode: (column, request) =>
          Effect.map(readFileColumn(column, { maxBytes, concurrency }), ({ files, rowErrors }) => ({
            vector: Arrow.vectorFromArray(
              files.map((file) => {
                if (file === null) return null
                const text = toBase64(file.bytes)
                return request.convertTo === "base64_data_url"
                  ? `data:${MediaType.of(file.location, file.bytes, mime)};base64,${text}`
                  : text
              }),
              new Arrow.Utf8()
            ),
            rowErrors
          }))
      }
    })
})
