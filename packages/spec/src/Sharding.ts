/**
 * Shards: the unit of work and of commit. A shard is one parquet file's contiguous range of row
 * groups, so files of any size split evenly without rewriting them. Enumeration is deterministic
 * (same files, same shards), which is what lets a resumed job recognise the shards already committed.
 */

/** A materialised input file: its path relative to the job's input folder and its row groups' rows. */
export interface InputFile {
  readonly path: string
  readonly bytes: number
  readonly rowGroups: ReadonlyArray<number>
  /** Hex sha256 of the file as written, so a resume can tell it was not changed since. */
  readonly sha256?: string
}

export interface Shard {
  /** Position in the plan's shard list: names parts and commit records (`part-<index>-<attempt>`). */
  readonly index: number
  readonly file: string
  /** First row group, inclusive. */
  readonly rowGroupStart: number
  /** Last row group, exclusive. */
  readonly rowGroupEnd: number
  readonly rows: number
}

/**
 * The most a shard holds, whatever the input's size: a replica works on a few shards at a time, and
 * the plan lists every shard, so neither may grow with the input. 1,048,576 rows fit eight of
 * DuckDB's 122,880-row groups (the staged input's); 256 MiB of parquet is a bound for wide rows. A
 * single row group above either bound (a user's parquet read in place may hold millions of rows in
 * one) stays one shard of its own, since row groups are never split: the runtime reads it in slices of
 * at most 131,072 rows and writes its output as it comes (stage-io's ParquetFileReader), so it costs
 * a replica no more memory than a shard within the bounds.
 */
export interface ShardLimits {
  readonly maxRows: number
  readonly maxBytes: number
}

export const DEFAULT_SHARD_LIMITS: ShardLimits = { maxRows: 1_048_576, maxBytes: 256 * 1024 * 1024 }

/** A row group's share of its file's bytes (a file's footer does not say how the bytes split). */
const groupBytes = (file: InputFile, fileRows: number, groupRows: number): number =>
  fileRows === 0 ? 0 : (file.bytes * groupRows) / fileRows

/**
 * Split `files` into about `target` shards of similar row counts, each within `limits`, never across
 * files and never splitting a row group. Empty files and row groups yield no shard — unless every
 * file is empty: then one shard of no rows covers the first file, so that a job over no rows still
 * writes a part carrying its output's columns.
 */
export const enumerate = (
  files: ReadonlyArray<InputFile>,
  target: number,
  limits: ShardLimits = DEFAULT_SHARD_LIMITS
): Array<Shard> => {
  const total = files.reduce((sum, f) => sum + f.rowGroups.reduce((a, b) => a + b, 0), 0)
  const perShard = Math.min(Math.max(1, Math.ceil(total / Math.max(1, target))), limits.maxRows)
  const shards: Array<Shard> = []
  for (const file of files) {
    const fileRows = file.rowGroups.reduce((a, b) => a + b, 0)
    let start = 0
    let rows = 0
    let bytes = 0
    const close = (end: number) => {
      if (rows > 0) {
        shards.push({ index: shards.length, file: file.path, rowGroupStart: start, rowGroupEnd: end, rows })
      }
      start = end
      rows = 0
      bytes = 0
    }
    file.rowGroups.forEach((groupRows, i) => {
      const size = groupBytes(file, fileRows, groupRows)
      // The next group would take the shard over a limit: the shard ends before it.
      if (rows > 0 && (rows + groupRows > limits.maxRows || bytes + size > limits.maxBytes)) close(i)
      rows += groupRows
      bytes += size
      if (rows >= perShard || i === file.rowGroups.length - 1) close(i + 1)
    })
  }
  const first = files[0]
  if (shards.length === 0 && first !== undefined) {
    shards.push({
      index: 0,
      file: first.path,
      rowGroupStart: 0,
      rowGroupEnd: first.rowGroups.length,
      rows: 0
    })
  }
  return shards
}

/** The shards replica `replica` of `replicas` runs: every `replicas`-th one, starting at its index. */
export const forReplica = <S extends Pick<Shard, "index">>(
  shards: ReadonlyArray<S>,
  replica: number,
  replicas: number
): Array<S> => shards.filter((shard) => shard.index % replicas === replica)

/** How many shards to aim for: enough that every worker of every replica has several to take. */
export const targetCount = (replicas: number, workersPerReplica: number, shardsPerWorker = 4): number =>
  Math.max(1, replicas * workersPerReplica * shardsPerWorker)
