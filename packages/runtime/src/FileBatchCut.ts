/**
 * Batches bounded by the bytes of the stage files they read. Column handling reads every file a batch
 * names into memory at once (`raw_bytes` into one Binary column: `readBinaryColumn`), so a batch bounded
 * in rows only — 4,096 rows of 1 MB images — would hold gigabytes. Before a batch is encoded, the files its
 * stage-path columns name are sized (one `stat` each, nothing read) and the batch is cut into
 * consecutive batches whose files add up to at most `maxBatchBytes`; a row whose files alone pass the
 * bound is a batch of its own. Rows keep their order and each is scored exactly as before: only where
 * batches begin and end changes. A file that cannot be sized counts as empty here — the encoder reading
 * it reports that row's error, as it would have anyway. Each batch comes with its files' bytes, which
 * the worker counts to free finished batches promptly (FileMemory).
 */
import type { JobPlan } from "@runbatch/spec"
import { StageStore } from "@runbatch/stage-io"
import type * as Arrow from "apache-arrow"
import { Effect } from "effect"

/** 16 MiB of files per batch when the job does not say (`max_batch_bytes`); see docs/performance.md. */
export const DEFAULT_BATCH_BYTES = 16 * 1024 * 1024

/** The input format of a column of full stage paths: the files its encoder will read. */
export const STAGE_PATH_FORMAT = "full_stage_path"

/** Files sized at once (as many as an encoder reads at once by default). */
const SIZING_CONCURRENCY = 16

/** The job's columns of stage paths whose files its encoders read. */
export const fileColumns = (plan: JobPlan.JobPlan): ReadonlyArray<string> =>
  plan.columnHandling.filter((h) => h.inputFormat === STAGE_PATH_FORMAT).map((h) => h.column)

/**
 * Consecutive `[start, end)` row ranges covering every row, each as long as it can be while its sizes
 * add up to at most `maxBytes` — and never empty, so a row larger than the bound is a range alone.
 */
export const cutBySize = (
  sizes: ReadonlyArray<number>,
  maxBytes: number
): ReadonlyArray<readonly [number, number]> => {
  const ranges: Array<readonly [number, number]> = []
  let start = 0
  let bytes = 0
  sizes.forEach((size, row) => {
    if (row > start && bytes + size > maxBytes) {
      ranges.push([start, row])
      start = row
      bytes = 0
    }
    bytes += size
  })
  if (sizes.length > start) ranges.push([start, sizes.length])
  return ranges
}

/** The bytes of the files each row names in `columns` (0 for a null, a non-path or an unsizable file). */
const rowSizes = (batch: Arrow.RecordBatch, columns: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const files: Array<{ readonly row: number; readonly location: string }> = []
    for (const name of columns) {
      const column = batch.getChild(name)
      if (column === null) continue
      for (let row = 0; row < batch.numRows; row++) {
        const location = column.get(row) as unknown
        if (typeof location === "string") files.push({ row, location })
      }
    }
    const fileSizes = yield* Effect.forEach(
      files,
      ({ location }) => store.size(location).pipe(Effect.orElseSucceed(() => 0)),
      { concurrency: SIZING_CONCURRENCY }
    )
    const sizes = new Array<number>(batch.numRows).fill(0)
    files.forEach(({ row }, i) => {
      sizes[row] = (sizes[row] ?? 0) + (fileSizes[i] ?? 0)
    })
    return sizes
  })

/** A batch and the bytes of the stage files it reads. */
export interface FileBatch {
  readonly batch: Arrow.RecordBatch
  readonly fileBytes: number
}

/**
 * `batch` as consecutive batches whose files in `columns` add up to at most `maxBytes` each (zero-copy
 * slices; the batch itself when its files fit), each with its files' bytes (0 without a file column).
 */
export const cutByFileBytes = (
  batch: Arrow.RecordBatch,
  columns: ReadonlyArray<string>,
  maxBytes: number
): Effect.Effect<ReadonlyArray<FileBatch>, never, StageStore> =>
  columns.length === 0 || batch.numRows === 0
    ? Effect.succeed([{ batch, fileBytes: 0 }])
    : Effect.map(rowSizes(batch, columns), (sizes) => {
        const bytesOf = (start: number, end: number) => {
          let bytes = 0
          for (let row = start; row < end; row++) bytes += sizes[row]!
          return bytes
        }
        const ranges = cutBySize(sizes, maxBytes)
        return ranges.length === 1
          ? [{ batch, fileBytes: bytesOf(0, batch.numRows) }]
          : ranges.map(([start, end]) => ({ batch: batch.slice(start, end), fileBytes: bytesOf(start, end) }))
      })
