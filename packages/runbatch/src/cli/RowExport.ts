/**
 * Rows exported as CSV or JSON text, batch by batch and a few thousand rows per write, into a writer
 * that waits while its reader catches up: memory holds a row group and one slice of text, whatever the
 * number of rows. JSON stays one array, streamed (`[`, the rows joined by `,`, `]`): the same bytes
 * `JSON.stringify(rows, null, 2)` gives, as printing a whole table does.
 */
import type * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"
import { csvCell } from "./Output.ts"
import { csvLines, jsonRows } from "./RowText.ts"

/** Writes text somewhere, completing once the text is taken (and the destination can take more). */
export type Write<E> = (text: string) => Effect.Effect<void, E>

/** Rows rendered per write: big enough that writes are few, small enough that the text stays small. */
export const SLICE_ROWS = 2048

/**
 * The first `limit` rows of a stream of batches (all of them for 0); once they are out the stream
 * ends and reads no further.
 */
export const firstRows = <E, R>(
  batches: Stream.Stream<Arrow.RecordBatch, E, R>,
  limit: number
): Stream.Stream<Arrow.RecordBatch, E, R> =>
  limit <= 0
    ? batches
    : Stream.suspend(() => {
        let left = limit
        return batches.pipe(
          Stream.map((batch) => {
            const kept = batch.numRows > left ? batch.slice(0, left) : batch
            left -= kept.numRows
            return kept
          }),
          Stream.takeUntil(() => left === 0)
        )
      })

export interface ExportOptions<E> {
  /** The CSV header when there are no rows (else the batches' own column names). */
  readonly columns: ReadonlyArray<string>
  readonly format: "csv" | "json"
  /** Rows to export; 0 for all. */
  readonly limit: number
  readonly write: Write<E>
}

/** Export every row of `batches` (up to `limit`); returns how many were written. */
export const exportRows = <E, R, W>(
  batches: Stream.Stream<Arrow.RecordBatch, E, R>,
  options: ExportOptions<W>
): Effect.Effect<number, E | W, R> =>
  Effect.gen(function* () {
    const { format, write } = options
    const header = (columns: ReadonlyArray<string>) => write(`${columns.map(csvCell).join(",")}\n`)
    let rows = 0
    let started = false
    yield* Stream.runForEach(firstRows(batches, options.limit), (batch) =>
      Effect.gen(function* () {
        if (!started && format === "csv") yield* header(batch.schema.fields.map((f) => f.name))
        started = true
        for (let from = 0; from < batch.numRows; from += SLICE_ROWS) {
          const to = Math.min(batch.numRows, from + SLICE_ROWS)
          if (format === "csv") yield* write(csvLines(batch, from, to))
          else yield* write(`${rows === 0 ? "[\n" : ",\n"}${jsonRows(batch, from, to).join(",\n")}`)
          rows += to - from
        }
      })
    )
    if (!started && format === "csv") yield* header(options.columns)
    if (format === "json") yield* write(rows === 0 ? "[]\n" : "\n]\n")
    return rows
  })
