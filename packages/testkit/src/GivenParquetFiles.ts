/**
 * Parquet files written as given — each table with its own row-group size — as a job's input, so a
 * test can plan a job over uneven files and odd layouts that materialising through the session would
 * even out. `materialize` writes the files byte for byte into the job's input folder and enumerates
 * their shards as the session does; the schema, count and rows are DuckDB's reading of the same files
 * (staged once in a scratch folder), as for any parquet input. The planner runs on it unchanged.
 */
import { randomUUID } from "node:crypto"
import { type Relation, Sql } from "@runbatch/session"
import { Sharding, StageLocation } from "@runbatch/spec"
import { ParquetCodec, StageStore } from "@runbatch/stage-io"
import type * as Arrow from "apache-arrow"
import { Effect } from "effect"

export interface GivenFile {
  readonly table: Arrow.Table
  readonly rowGroupSize: number
}

/** The row counts of a file's row groups: full groups, then what is left. */
const rowGroupsOf = (rows: number, rowGroupSize: number): Array<number> => {
  const groups: Array<number> = []
  for (let left = rows; left > 0; left -= rowGroupSize) groups.push(Math.min(left, rowGroupSize))
  return groups
}

export const relation = Effect.fn("GivenParquetFiles.relation")(function* (files: ReadonlyArray<GivenFile>) {
  const sql = yield* Sql
  const store = yield* StageStore
  const encoded = files.map((file, i) => ({
    path: `data_${i}.parquet`,
    bytes: ParquetCodec.encode(file.table, { rowGroupSize: file.rowGroupSize }),
    rowGroups: rowGroupsOf(file.table.numRows, file.rowGroupSize)
  }))
  const scratch = `@ML.PUBLIC.FIXTURES/${randomUUID()}/`
  for (const file of encoded) yield* store.write(`${scratch}${file.path}`, file.bytes)
  const read = yield* sql.readParquet(scratch)
  const given: Relation = {
    ...read,
    description: `${files.length} parquet file(s) as given`,
    materialize: (target, options) =>
      Effect.gen(function* () {
        const folder = StageLocation.format(target)
        const written: Array<Sharding.InputFile> = []
        for (const { path, bytes, rowGroups } of encoded) {
          const stored = yield* store.write(`${folder}${path}`, bytes)
          written.push({ path, bytes: stored.bytes, rowGroups, sha256: stored.sha256 })
        }
        return {
          location: target,
          files: written,
          shards: Sharding.enumerate(written, options.targetShards),
          rows: files.reduce((sum, file) => sum + file.table.numRows, 0),
          schema: yield* read.schema
        }
      })
  }
  return given
})
