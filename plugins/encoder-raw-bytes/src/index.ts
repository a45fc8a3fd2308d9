/**
 * The `raw_bytes` encoder: a column of full stage paths (`@DB.SCHEMA.STAGE/cats/1.jpg`) becomes the
 * files' bytes, for models with a BYTES input (images, audio, video, documents).
 *
 * Options: `maxFileBytes` (default 64 MiB) — a larger file fails its row, naming the path and the
 * limit; `concurrency` (default 16) — files read at once.
 */
import {
  Arrow,
  DEFAULT_MAX_FILE_BYTES,
  defineEncoder,
  positiveIntegerOption,
  readFileColumn
} from "@runbatch/plugin-api"
import { Effect } from "effect"

export default defineEncoder({
  id: "raw-bytes",
  open: ({ options }) =>
    Effect.gen(function* () {
      const maxBytes = yield* positiveIntegerOption(
        "raw-bytes",
        "maxFileBytes",
        options["maxFileBytes"],
        DEFAULT_MAX_FILE_BYTES
      )
      const concurrency = yield* positiveIntegerOption("raw-bytes", "concurrency", options["concurrency"], 16)
      return {
        encode: (column) =>
          Effect.map(readFileColumn(column, { maxBytes, concurrency }), ({ files, rowErrors }) => ({
            vector: Arrow.vectorFromArray(
              files.map((file) => file?.bytes ?? null),
              new Arrow.Binary()
            ),
            rowErrors
          }))
      }
    })
})
