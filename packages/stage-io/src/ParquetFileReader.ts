/**
 * A parquet file on this machine, read in place in bounded memory: through a file-backed Blob, so only
 * its footer and the byte ranges a read asks for leave the disk, and decoded a slice at a time — at
 * most `MAX_READ_ROWS` rows of one row group — so memory holds a slice, whatever a row group's size.
 *
 * Why slices: parquet-wasm decodes a whole read into one table before handing any of it over, and its
 * `stream()` is no better within a row group (it collects each group's batches before yielding the
 * first: over one 5,000,000-row group its WebAssembly memory grew to 337 MiB, against 73 MiB for a
 * 1,000,000-row group). A read with `offset` and `limit` decodes only its rows. When the file has an
 * offset index (runbatch's own writer, Spark, pyarrow with `write_page_index`) it also fetches only the
 * pages holding them. Without one (DuckDB writes none), each slice fetches its row group's compressed
 * column chunks again: memory then also holds those (a few times over, as they pass from a Blob into
 * WebAssembly), and a huge row group costs a pass over them per slice. Row groups of at most
 * `MAX_READ_ROWS` rows — the staged input's, every result part's — are read whole, in one read, as
 * before.
 */
import { openAsBlob } from "node:fs"
import { open as openHandle } from "node:fs/promises"
import * as Arrow from "apache-arrow"
import { Effect, type Scope, Stream } from "effect"
import { ParquetFile } from "parquet-wasm"

/**
 * The most rows one read decodes: a larger row group is read in slices of about this many rows. It is
 * the row group size runbatch writes (`ParquetCodec.DEFAULT_ROW_GROUP_SIZE`) and above DuckDB's
 * 122,880, so the row groups runbatch writes and stages are each read in one go.
 */
export const MAX_READ_ROWS = 131_072

/** A range of row groups: `start` inclusive, `end` exclusive. */
export interface RowGroupRange {
  readonly start: number
  readonly end: number
}

export interface ParquetFileReader<E> {
  /** The rows of each row group, from the footer. */
  readonly rowGroups: ReadonlyArray<number>
  /** The file's rows, from the footer. */
  readonly rows: number
  /** The Arrow schema of the file's columns, from the footer. */
  readonly schema: Effect.Effect<Arrow.Schema, E>
  /** The rows of `range`'s row groups, in order, as record batches of at most `batchRows` rows. */
  readonly batches: (range: RowGroupRange, batchRows: number) => Stream.Stream<Arrow.RecordBatch, E>
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * A parquet file starts and ends with `PAR1` and states its footer's length just before the end. A
 * file without that frame (truncated, or not parquet) is refused here: parquet-wasm's asynchronous
 * reader aborts the process on it instead of failing.
 */
const checkParquetFrame = async (path: string): Promise<void> => {
  const handle = await openHandle(path, "r")
  try {
    const { size } = await handle.stat()
    const head = Buffer.alloc(4)
    const tail = Buffer.alloc(8)
    if (size < 12) throw new Error(`it has ${size} bytes, too few for a parquet file`)
    await handle.read(head, 0, 4, 0)
    await handle.read(tail, 0, 8, size - 8)
    if (head.toString("latin1") !== "PAR1" || tail.subarray(4).toString("latin1") !== "PAR1") {
      throw new Error("it is not a parquet file (no PAR1 marks at its start and end)")
    }
    if (tail.readUInt32LE(0) + 12 > size)
      throw new Error("its footer is longer than the file: it was cut short")
  } finally {
    await handle.close()
  }
}

/** The rows of one read: a whole number of batches, about `MAX_READ_ROWS`, never fewer than a batch. */
export const sliceRows = (batchRows: number): number =>
  Math.max(batchRows, Math.floor(MAX_READ_ROWS / batchRows) * batchRows)

/** The reads that cover a row group of `rows` rows: the whole group, or consecutive slices of it. */
export const slicesOf = (
  rows: number,
  batchRows: number
): ReadonlyArray<{ readonly offset: number; readonly limit: number } | "whole"> => {
  const size = sliceRows(batchRows)
  if (rows <= size) return ["whole"]
  return Array.from({ length: Math.ceil(rows / size) }, (_, i) => ({
    offset: i * size,
    limit: Math.min(size, rows - i * size)
  }))
}

/**
 * Open the parquet file at `path` for the scope; `unreadable` describes a file that is not readable
 * parquet, given why.
 */
export const open = <E>(
  path: string,
  unreadable: (reason: string) => E
): Effect.Effect<ParquetFileReader<E>, E, Scope.Scope> =>
  Effect.gen(function* () {
    // The WASM file may only be freed once no read of it is in flight (a stream stopped early by a
    // failure downstream, or `--limit`, would otherwise free it under a pending read).
    let pending: Promise<unknown> = Promise.resolve()
    const file = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          await checkParquetFrame(path)
          return ParquetFile.fromFile(await openAsBlob(path))
        },
        catch: (error) => unreadable(message(error))
      }),
      (file) => Effect.promise(() => pending).pipe(Effect.andThen(Effect.sync(() => file.free())))
    )
    const metadata = file.metadata()
    const groups = metadata.rowGroups()
    const rowGroups = groups.map((group) => group.numRows())
    for (const group of groups) group.free()
    metadata.free()

    type Slice = ReturnType<typeof slicesOf>[number]
    const read = (group: number, slice: Slice, batchRows: number) =>
      Effect.tryPromise({
        try: () => {
          const options = { rowGroups: [group], batchSize: batchRows }
          const reading = file.read(slice === "whole" ? options : { ...options, ...slice })
          pending = reading.catch(() => undefined)
          return reading.then((table) => Arrow.tableFromIPC(table.intoIPCStream()).batches)
        },
        catch: (error) => unreadable(message(error))
      })

    return {
      rowGroups,
      rows: rowGroups.reduce((sum, rows) => sum + rows, 0),
      schema: Effect.try({
        try: () => Arrow.tableFromIPC(file.schema().intoIPCStream()).schema,
        catch: (error) => unreadable(`it has no readable schema: ${message(error)}`)
      }),
      batches: (range, batchRows) =>
        // A range past the file's row groups is a file changed since it was planned: never fewer rows.
        range.start < 0 || range.end > rowGroups.length
          ? Stream.fail(
              unreadable(
                `it has ${rowGroups.length} row group(s), not the ${range.start}..${range.end - 1} asked for`
              )
            )
          : Stream.fromIterable(
              rowGroups
                .slice(range.start, range.end)
                .flatMap((rows, i) =>
                  slicesOf(rows, batchRows).map((slice) => ({ group: range.start + i, slice }))
                )
            ).pipe(
              Stream.mapEffect(({ group, slice }) => read(group, slice, batchRows)),
              Stream.flatMap((batches) => Stream.fromIterable(batches))
            )
    } satisfies ParquetFileReader<E>
  })
