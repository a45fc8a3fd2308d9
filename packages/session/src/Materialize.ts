/**
 * Writing a relation once as parquet files and splitting them into shards (file + row-group range).
 *
 * DuckDB writes row groups in multiples of its vector size (2048 rows), so the layout depends on the
 * row count (a `count(*)`, which DuckDB answers from metadata or without computing projected columns
 * for tables, parquet files and simple queries):
 *
 * - enough rows: one file, `COPY (<sql>) TO … (ROW_GROUP_SIZE n)` with n chosen so that row groups
 *   add up to shards of about `rows / targetShards` rows (at most DuckDB's default 122,880 rows per
 *   group), so `Sharding.enumerate` yields about `targetShards` shards;
 * - few rows (under 8,192 per shard): the rows go to a temporary table first and then into up to
 *   `targetShards` files of one row group each, so even 1,000 rows give every worker a shard;
 * - no rows: one file holding just the schema, and zero shards.
 */
import { readdir, rm } from "node:fs/promises"
import { join } from "node:path"
import { ensureDir } from "@runbatch/account"
import {
  type LocalFileError,
  type Sharding,
  type SqlError,
  StageFileError,
  StageFileExists,
  StageLocation
} from "@runbatch/spec"
import { Effect } from "effect"
import { type Connection, sqlString, uniqueName } from "./Connection.ts"
import { type FileDigest, fileDigest } from "./FileDigest.ts"
import type { MaterializeOptions } from "./Relation.ts"

/** DuckDB's vector size: the granularity of its parquet row groups. */
const ROW_GROUP_QUANTUM = 2048
/** DuckDB's default row group size, the largest used. */
const MAX_ROW_GROUP = 122_880
/** Below this many rows per shard, write one small file per shard instead of one file. */
const MIN_ROWS_PER_SHARD_IN_ONE_FILE = 4 * ROW_GROUP_QUANTUM

export type Layout =
  | { readonly kind: "one-file"; readonly rowGroupSize: number }
  | { readonly kind: "file-per-shard"; readonly files: number; readonly rowsPerFile: number }

/** A usable shard target: a whole number of at least 1. */
export const normaliseTarget = (targetShards: number): number =>
  Number.isFinite(targetShards) ? Math.max(1, Math.floor(targetShards)) : 1

/** How `rows` rows are laid out for about `targetShards` shards. */
export const chooseLayout = (rows: number, targetShards: number): Layout => {
  const target = normaliseTarget(targetShards)
  if (rows === 0) return { kind: "one-file", rowGroupSize: MAX_ROW_GROUP }
  const perShard = Math.ceil(rows / target)
  if (target > 1 && perShard < MIN_ROWS_PER_SHARD_IN_ONE_FILE) {
    const rowsPerFile = Math.ceil(rows / Math.min(target, rows))
    return { kind: "file-per-shard", files: Math.ceil(rows / rowsPerFile), rowsPerFile }
  }
  // Shards of k whole row groups, k·size just above perShard: enumeration then meets the target.
  const groupsPerShard = Math.max(1, Math.ceil(perShard / MAX_ROW_GROUP))
  const rowGroupSize = Math.ceil(perShard / groupsPerShard / ROW_GROUP_QUANTUM) * ROW_GROUP_QUANTUM
  return { kind: "one-file", rowGroupSize }
}

const fileName = (index: number): string => `data_${String(index).padStart(5, "0")}.parquet`

const COMPRESSION = { zstd: "zstd", snappy: "snappy", uncompressed: "uncompressed" } as const

/** Refuse a target folder that holds anything: a job's input folder is written once, by one writer. */
export const checkEmptyTarget = (
  folder: string,
  location: StageLocation.StageLocation
): Effect.Effect<void, StageFileExists | StageFileError | LocalFileError> =>
  Effect.gen(function* () {
    const entries = yield* Effect.tryPromise({
      try: () =>
        readdir(folder).catch((error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT") return [] as Array<string>
          if (error.code === "ENOTDIR") return [""]
          throw error
        }),
      catch: (error) =>
        new StageFileError({
          location: StageLocation.format(location),
          problem: "unreadable",
          detail: String(error)
        })
    })
    const [first] = entries.sort()
    if (first !== undefined) {
      const existing =
        first === ""
          ? location
          : yield* StageLocation.child(StageLocation.asDirectory(location), first).pipe(
              Effect.orElseSucceed(() => location)
            )
      return yield* new StageFileExists({ location: StageLocation.format(existing) })
    }
    yield* ensureDir(folder)
  })

export interface WriteResult {
  readonly files: ReadonlyArray<Sharding.InputFile>
  readonly rows: number
}

/**
 * Write `sql` (whose columns `columns` lists) into `folder`, each file then hashed, and
 * read back each file's row groups.
 * Files written before a failure are removed again: the folder was empty and is the caller's own.
 */
export const writeParquet = (
  connection: Connection,
  sql: string,
  folder: string,
  options: MaterializeOptions
): Effect.Effect<WriteResult, SqlError | LocalFileError> => {
  const written: Array<string> = []
  const hashed = new Map<string, FileDigest>()
  const compression = COMPRESSION[options.compression ?? "snappy"]
  // The plan records every staged file's sha256 (resume checks it): taken once DuckDB has written it.
  const copy = (query: string, index: number, rowGroupSize: number) => {
    const name = fileName(index)
    const path = join(folder, name)
    written.push(name)
    return Effect.gen(function* () {
      yield* connection.run(
        `COPY (\n${query}\n) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION ${compression}, ROW_GROUP_SIZE ${rowGroupSize}, USE_TMP_FILE false)`
      )
      hashed.set(name, yield* fileDigest(path))
    })
  }
  return Effect.gen(function* () {
    const counted = yield* connection.all(`SELECT count(*) FROM (\n${sql}\n)`)
    const rows = Number(counted.getRowsJS()[0]?.[0] ?? 0)
    const layout = chooseLayout(rows, options.targetShards)
    if (layout.kind === "one-file") {
      yield* copy(sql, 0, layout.rowGroupSize)
    } else {
      const table = `temp.main.${uniqueName("runbatch_input")}`
      yield* connection.run(`CREATE TEMP TABLE ${table} AS\n${sql}`)
      for (let i = 0; i < layout.files; i++) {
        const from = i * layout.rowsPerFile
        yield* copy(
          `SELECT * FROM ${table} WHERE rowid >= ${from} AND rowid < ${from + layout.rowsPerFile} ORDER BY rowid`,
          i,
          MAX_ROW_GROUP
        )
      }
      yield* connection.run(`DROP TABLE ${table}`)
    }
    const metadata = yield* connection.all(
      `SELECT file_name, row_group_id, any_value(row_group_num_rows) FROM parquet_metadata([${written
        .map((name) => sqlString(join(folder, name)))
        .join(", ")}]) GROUP BY ALL ORDER BY file_name, row_group_id`
    )
    const groups = new Map<string, Array<number>>()
    for (const [file, , groupRows] of metadata.getRowsJS()) {
      const list = groups.get(String(file)) ?? []
      list.push(Number(groupRows))
      groups.set(String(file), list)
    }
    const files = written.map((name): Sharding.InputFile => {
      const file = hashed.get(name)!
      return {
        path: name,
        bytes: file.bytes,
        rowGroups: groups.get(join(folder, name)) ?? [],
        sha256: file.sha256
      }
    })
    return { files, rows: files.reduce((sum, f) => sum + f.rowGroups.reduce((a, b) => a + b, 0), 0) }
  }).pipe(
    Effect.onExit((exit) =>
      exit._tag === "Success"
        ? Effect.void
        : Effect.promise(() =>
            Promise.all(written.map((name) => rm(join(folder, name), { force: true }))).then(() => undefined)
          )
    )
  )
}
