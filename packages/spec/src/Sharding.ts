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
 * Split `files` into about `target` shards of similar row counts, never across files and never
 * splitting a row group. Empty files and row groups yield no shard — unless every file is empty: then
 * one shard of no rows covers the first file, so that a job over no rows still writes a part carrying
 * its output's columns.
 */
export const enumerate = (files: ReadonlyArray<InputFile>, target: number): Array<Shard> => {
  const total = files.reduce((sum, f) => sum + f.rowGroups.reduce((a, b) => a + b, 0), 0)
  const perShard = Math.max(1, Math.ceil(total / Math.max(1, target)))
  const shards: Array<Shard> = []
  for (const file of files) {
    let start = 0
    let rows = 0
    file.rowGroups.forEach((groupRows, i) => {
      rows += groupRows
      const last = i === file.rowGroups.length - 1
      if (rows >= perShard || last) {
        if (rows > 0) {
          shards.push({
            index: shards.length,
            file: file.path,
            rowGroupStart: start,
            rowGroupEnd: i + 1,
            rows
          })
        }
        start = i + 1
        rows = 0
      }
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
