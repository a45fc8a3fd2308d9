/**
 * Reading one shard — a file's range of row groups — as Arrow record batches of at most `batchRows`
 * rows, a bounded slice of a row group at a time (ParquetFileReader in stage-io), so memory holds a
 * slice, not a row group or a file. The file is read in place through a file-backed Blob, so only the
 * bytes of the shard's row groups are read: a file on this machine (the local account, a stage volume
 * mounted in SPCS) where it is, a remote store's from a private local copy streamed from the store
 * (LocalCopy in stage-io), removed when the shard's stream ends.
 */
import {
  type JobPlan,
  type LocalCopyFailed,
  type Sharding,
  ShardUnreadable,
  StageLocation
} from "@runbatch/spec"
import { LocalCopy, ParquetFileReader, type StageError, type StageStore } from "@runbatch/stage-io"
import type * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"

/** The stage location of a shard's file. */
export const shardFile = (plan: JobPlan.JobPlan, shard: Sharding.Shard): string =>
  `${plan.input.location.endsWith("/") ? plan.input.location : `${plan.input.location}/`}${shard.file}`

const unreadable = (shard: Sharding.Shard) => (reason: string) =>
  new ShardUnreadable({ shard: shard.index, file: shard.file, reason: `${reason}.`.replace(/\.\.$/, ".") })

/** The shard's file opened for reading, for the scope (and its local copy, if it needs one). */
const openShardFile = (plan: JobPlan.JobPlan, shard: Sharding.Shard) =>
  Effect.gen(function* () {
    const location = shardFile(plan, shard)
    yield* StageLocation.parse(location)
    return yield* ParquetFileReader.open(yield* LocalCopy.localFile(location), unreadable(shard))
  })

/**
 * The row groups to read for `shard` in a file whose footer lists `actual`: the planned range, or —
 * when the shard covers every row group the plan lists for its file — all of the file's. A file the
 * plan knows only by its row count (Snowflake's unloaded files: one entry per file, as the client
 * cannot read footers) may hold several row groups; the whole file is the shard then. A row count
 * other than the plan's fails the shard (the file changed, or the plan was wrong): rows are never
 * dropped unseen.
 */
const rangeOf = (
  plan: JobPlan.JobPlan,
  shard: Sharding.Shard,
  actual: ReadonlyArray<number>
): Effect.Effect<{ readonly start: number; readonly end: number }, ShardUnreadable> => {
  const planned = (plan.input.files ?? []).find((file) => file.path === shard.file)?.rowGroups
  const whole = planned !== undefined && shard.rowGroupStart === 0 && shard.rowGroupEnd === planned.length
  const range = whole
    ? { start: 0, end: actual.length }
    : { start: shard.rowGroupStart, end: shard.rowGroupEnd }
  const rows = actual.slice(range.start, range.end).reduce((sum, n) => sum + n, 0)
  return rows === shard.rows
    ? Effect.succeed(range)
    : Effect.fail(
        unreadable(shard)(
          `its row groups ${range.start}…${range.end - 1} hold ${rows} rows where the plan counted ${shard.rows}: the file changed after the job was planned`
        )
      )
}

/** The shard's rows as record batches, in order. */
export const readShard = (
  plan: JobPlan.JobPlan,
  shard: Sharding.Shard,
  batchRows: number
): Stream.Stream<Arrow.RecordBatch, ShardUnreadable | StageError | LocalCopyFailed, StageStore> =>
  // The file stays open, and its copy kept, until the stream ends (the scope of `unwrap`).
  Stream.unwrap(
    Effect.gen(function* () {
      const file = yield* openShardFile(plan, shard)
      return file.batches(yield* rangeOf(plan, shard, file.rowGroups), batchRows)
    })
  )

/**
 * The columns of a shard's file, read from its footer: what a shard of no rows passes through, so that
 * its part carries the same columns a part of rows would.
 */
export const shardSchema = (
  plan: JobPlan.JobPlan,
  shard: Sharding.Shard
): Effect.Effect<Arrow.Schema, ShardUnreadable | StageError | LocalCopyFailed, StageStore> =>
  Effect.scoped(Effect.flatMap(openShardFile(plan, shard), (file) => file.schema))
