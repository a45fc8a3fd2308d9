/**
 * Reading one shard — a file's range of row groups — as Arrow record batches of at most `batchRows`
 * rows, a bounded slice of a row group at a time (see ParquetFileReader in stage-io), so memory holds a
 * slice, not a row group or a file. A file on this machine (the local account, or a stage volume
 * mounted in SPCS) is read in place through a file-backed Blob: only the bytes of the needed row groups
 * are read.
 */
import { type JobPlan, type Sharding, ShardUnreadable, StageLocation } from "@runbatch/spec"
import { ParquetCodec, ParquetFileReader, type StageError, StageStore } from "@runbatch/stage-io"
import type * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"

/** The stage location of a shard's file. */
export const shardFile = (plan: JobPlan.JobPlan, shard: Sharding.Shard): string =>
  `${plan.input.location.endsWith("/") ? plan.input.location : `${plan.input.location}/`}${shard.file}`

const unreadable = (shard: Sharding.Shard) => (reason: string) =>
  new ShardUnreadable({ shard: shard.index, file: shard.file, reason: `${reason}.`.replace(/\.\.$/, ".") })

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** The shard's rows as record batches, in order. */
export const readShard = (
  plan: JobPlan.JobPlan,
  shard: Sharding.Shard,
  batchRows: number
): Stream.Stream<Arrow.RecordBatch, ShardUnreadable | StageError, StageStore> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const store = yield* StageStore
      const location = shardFile(plan, shard)
      yield* StageLocation.parse(location)
      const path = yield* store.localPath(location)
      if (path === undefined) {
        // A remote store: the whole file, then its row groups.
        const groups = Array.from(
          { length: shard.rowGroupEnd - shard.rowGroupStart },
          (_, i) => shard.rowGroupStart + i
        )
        const bytes = yield* store.readBytes(location)
        return Stream.fromIterable(groups).pipe(
          Stream.mapEffect((group) =>
            Effect.try({
              try: () => ParquetCodec.decode(bytes, { rowGroups: [group], batchSize: batchRows }).batches,
              catch: (error) => unreadable(shard)(message(error))
            })
          ),
          Stream.flatMap((batches) => Stream.fromIterable(batches))
        )
      }
      // The file stays open until the stream ends (the scope of `unwrap`).
      const file = yield* ParquetFileReader.open(path, unreadable(shard))
      return file.batches({ start: shard.rowGroupStart, end: shard.rowGroupEnd }, batchRows)
    })
  )

/**
 * The columns of a shard's file, read from its footer: what a shard of no rows passes through, so that
 * its part carries the same columns a part of rows would.
 */
export const shardSchema = (
  plan: JobPlan.JobPlan,
  shard: Sharding.Shard
): Effect.Effect<Arrow.Schema, ShardUnreadable | StageError, StageStore> =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const bytes = yield* store.readBytes(shardFile(plan, shard))
    return yield* Effect.try({
      try: () => ParquetCodec.schemaOf(bytes),
      catch: (error) => unreadable(shard)(message(error))
    })
  })
