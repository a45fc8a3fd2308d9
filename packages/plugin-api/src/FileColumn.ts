/**
 * Reading the files a column of stage paths names, for encoders: every file at most `maxBytes` long,
 * several at a time, a null row staying null, and a missing, oversized or unreadable file failing only
 * its own row with an error that names the path.
 */
import { PluginBatchError } from "@runbatch/spec"
import { Effect } from "effect"
import type * as Arrow from "./Arrow.ts"
import { FileReader } from "./FileReader.ts"
import type { RowError } from "./RowError.ts"

/** 64 MiB: the default cap on one file. */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024

export interface ReadColumnOptions {
  readonly maxBytes?: number
  /** Files read at once (default 16). */
  readonly concurrency?: number
}

export interface FileColumn {
  /** One entry per row: the location, its bytes, or null for a null or failed row. */
  readonly files: ReadonlyArray<{ readonly location: string; readonly bytes: Uint8Array } | null>
  readonly rowErrors: ReadonlyArray<RowError>
}

/** The bytes of every file in a column of stage locations (strings). */
export const readFileColumn = (
  column: Arrow.Vector,
  options: ReadColumnOptions = {}
): Effect.Effect<FileColumn, never, FileReader> =>
  Effect.gen(function* () {
    const reader = yield* FileReader
    const rowErrors: Array<RowError> = []
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES
    const files = yield* Effect.forEach(
      Array.from({ length: column.length }, (_, row) => row),
      (row) => {
        const value = column.get(row) as unknown
        if (value === null || value === undefined) return Effect.succeed(null)
        if (typeof value !== "string") {
          rowErrors.push({ row, message: `expected a stage path, got ${typeof value}` })
          return Effect.succeed(null)
        }
        return reader.read(value, { maxBytes }).pipe(
          Effect.map((bytes) => ({ location: value, bytes })),
          Effect.catch((error) => {
            rowErrors.push({ row, message: error.message })
            return Effect.succeed(null)
          })
        )
      },
      { concurrency: options.concurrency ?? 16 }
    )
    rowErrors.sort((a, b) => a.row - b.row)
    return { files, rowErrors }
  })

/** A positive whole-number option, or the default when absent; a bad value fails `open`. */
export const positiveIntegerOption = (
  plugin: string,
  name: string,
  value: unknown,
  fallback: number
): Effect.Effect<number, PluginBatchError> =>
  value === undefined || value === null
    ? Effect.succeed(fallback)
    : typeof value === "number" && Number.isInteger(value) && value > 0
      ? Effect.succeed(value)
      : Effect.fail(
          new PluginBatchError({
            plugin,
            reason: `the option ${name} must be a whole number greater than 0, got ${JSON.stringify(value)}.`,
            retryable: false
          })
        )
