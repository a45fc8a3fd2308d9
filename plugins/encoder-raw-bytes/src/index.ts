/**
 * The `raw_bytes` encoder: a column of full stage paths (`@DB.SCHEMA.STAGE/cats/1.jpg`) becomes the
 * files' bytes, for models with a BYTES input (images, audio, video, documents). The files are read
 * straight into the Binary column's one buffer (`readBinaryColumn`): a batch is held once, not copied.
 *
 * Options: `maxFileBytes` (default 64 MiB) — a larger file fails its row, naming the path and the
 * limit; `concurrency` (default 16) — files read at once.
 */
import {
  DEFAULT_MAX_FILE_BYTES,
  defineEncoder,
  positiveIntegerOption,
  readBinaryColumn
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
      return { encode: (column) => readBinaryColumn(column, { maxBytes, concurrency }) }
    })
})
