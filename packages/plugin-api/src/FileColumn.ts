/**
 * Reading the files a column of stage paths names, for encoders: every file at most `maxBytes` long,
 * several at a time, a null row staying null, and a missing, oversized or unreadable file failing only
 * its own row with an error that names the path. `readFileColumn` gives each file's bytes;
 * `readBinaryColumn` gives them as one Arrow Binary column whose single data buffer the files were read
 * into, so a batch of files is held once.
 */
import { PluginBatchError } from "@runbatch/spec"
import { Effect } from "effect"
import * as Arrow from "./Arrow.ts"
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

export interface BinaryColumn {
  /** One value per row: the file's bytes, or null for a null or failed row. */
  readonly vector: Arrow.Vector<Arrow.Binary>
  readonly rowErrors: ReadonlyArray<RowError>
}

/** The most bytes one Binary column holds (its offsets are 32-bit). */
const MAX_BINARY_BYTES = 2 ** 31 - 1

/** A row whose bytes are in the column's buffer, at its offsets. */
const IN_PLACE = "in place" as const

/** What became of a row: read in place, read apart (its own buffer), or null. */
type RowRead = typeof IN_PLACE | Uint8Array | null

/** readFileColumn's files as a Binary column: the files copied into the column's buffer. */
const copiedColumn = ({ files, rowErrors }: FileColumn): BinaryColumn => ({
  vector: Arrow.vectorFromArray(
    files.map((file) => file?.bytes ?? null),
    new Arrow.Binary()
  ),
  rowErrors
})

/**
 * The bytes of every file in a column of stage locations as one Arrow Binary column: the vector that
 * `vectorFromArray(readFileColumn(…).files.map(f => f?.bytes ?? null), new Binary())` gives, with the
 * same row errors, read without a buffer per file or a copy. Each file is sized first, then read
 * straight into its slot of the column's one data buffer (`FileReader.readInto`), so the batch's files
 * are in memory once — where reading each file and then building the column held them two to four
 * times over (the files, Arrow's growing builder, its final copy).
 *
 * Rows that cannot be read in place are read as readFileColumn reads them, with its errors: a null or
 * a non-path, a file that cannot be sized or is over `maxBytes`. When such a row still has bytes (the
 * file appeared, or changed size, after it was sized), a row fails after it was sized, or the host's
 * reader has no `readInto`, the column is built by copying, as before.
 */
export const readBinaryColumn = (
  column: Arrow.Vector,
  options: ReadColumnOptions = {}
): Effect.Effect<BinaryColumn, never, FileReader> =>
  Effect.gen(function* () {
    const reader = yield* FileReader
    const readInto = reader.readInto
    if (readInto === undefined) return copiedColumn(yield* readFileColumn(column, options))
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES
    const concurrency = options.concurrency ?? 16
    const length = column.length
    const rows = Array.from({ length }, (_, row) => row)
    // Each row's size, or -1 when it is not read in place.
    const sizes = yield* Effect.forEach(
      rows,
      (row) => {
        const value = column.get(row) as unknown
        return typeof value === "string"
          ? reader.size(value).pipe(
              Effect.map((size) => (size <= maxBytes ? size : -1)),
              Effect.orElseSucceed(() => -1)
            )
          : Effect.succeed(-1)
      },
      { concurrency }
    )
    const offsets = new Int32Array(length + 1)
    let total = 0
    for (let row = 0; row < length; row++) {
      total += Math.max(0, sizes[row]!)
      if (total > MAX_BINARY_BYTES) return copiedColumn(yield* readFileColumn(column, options))
      offsets[row + 1] = total
    }
    // Not zeroed: every byte of it is a file's by the time it is the column's (else the column is copied).
    const block = Buffer.allocUnsafeSlow(total)
    const data = new Uint8Array(block.buffer, block.byteOffset, total)
    const rowErrors: Array<RowError> = []
    const failed =
      (row: number) =>
      (error: { readonly message: string }): Effect.Effect<RowRead> => {
        rowErrors.push({ row, message: error.message })
        return Effect.succeed(null)
      }
    const values = yield* Effect.forEach(
      rows,
      (row): Effect.Effect<RowRead> => {
        const value = column.get(row) as unknown
        if (value === null || value === undefined) return Effect.succeed(null)
        if (typeof value !== "string") {
          rowErrors.push({ row, message: `expected a stage path, got ${typeof value}` })
          return Effect.succeed(null)
        }
        // Built when needed: a reader may look at the file as it builds the effect.
        const apart: Effect.Effect<RowRead> = Effect.suspend(() => reader.read(value, { maxBytes })).pipe(
          Effect.catch(failed(row))
        )
        const size = sizes[row]!
        if (size < 0) return apart
        return readInto(value, data.subarray(offsets[row]!, offsets[row + 1]!), { maxBytes }).pipe(
          Effect.matchEffect({
            onSuccess: (read): Effect.Effect<RowRead> => (read === size ? Effect.succeed(IN_PLACE) : apart),
            onFailure: failed(row)
          })
        )
      },
      { concurrency }
    )
    rowErrors.sort((a, b) => a.row - b.row)
    // In place when every byte of the buffer belongs to a row read into it.
    const inPlace = values.every((value, row) => value === IN_PLACE || (value === null && sizes[row]! <= 0))
    if (!inPlace) {
      const bytes = values.map((value, row) =>
        value === IN_PLACE ? data.subarray(offsets[row]!, offsets[row + 1]!) : value
      )
      return { vector: Arrow.vectorFromArray(bytes, new Arrow.Binary()), rowErrors }
    }
    const nullCount = values.reduce((count, value) => (value === null ? count + 1 : count), 0)
    let nullBitmap: Uint8Array | undefined
    if (nullCount > 0) {
      nullBitmap = new Uint8Array(Math.ceil(length / 8))
      values.forEach((value, row) => {
        if (value !== null) nullBitmap![row >> 3]! |= 1 << (row & 7)
      })
    }
    const vector = Arrow.makeVector(
      Arrow.makeData({
        type: new Arrow.Binary(),
        length,
        nullCount,
        valueOffsets: offsets,
        data,
        ...(nullBitmap === undefined ? {} : { nullBitmap })
      })
    )
    return { vector, rowErrors }
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
