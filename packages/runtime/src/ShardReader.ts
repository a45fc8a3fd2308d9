/**
 * Reading one shard — a file's range of row groups — as Arrow record batches of at most `batchRows`
 * rows, one row group at a time, so memory holds a row group, not a file. A file on this machine (the
 * local account, or a stage volume mounted in SPCS) is read in place through a file-backed Blob: only
 * the bytes of the needed row groups are read.
 */
import { openAsBlob } from "node:fs"
import { open } from "node:fs/promises"
import { type JobPlan, type Sharding, ShardUnreadable, StageLocation } from "@runbatch/spec"
import { ParquetCodec, type StageError, StageStore } from "@runbatch/stage-io"
import * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"
import { ParquetFile } from "parquet-wasm"

/** The stage location of a shard's file. */
export const shardFile = (plan: JobPlan.JobPlan, shard: Sharding.Shard): string =>
  `${plan.input.location.endsWith("/") ? plan.input.location : `${plan.input.location}/`}${shard.file}`

const unreadable = (shard: Sharding.Shard, error: unknown) =>
  new ShardUnreadable({
    shard: shard.index,
    file: shard.file,
    reason: `${error instanceof Error ? error.message : String(error)}.`.replace(/\.\.$/, ".")
  })

/**
 * A parquet file starts and ends with `PAR1` and states its footer's length just before the end. A
 * file without that frame (truncated, or not parquet) is refused here: parquet-wasm's asynchronous
 * reader aborts the process on it instead of failing.
 */
const checkParquetFrame = async (path: string): Promise<void> => {
  const handle = await open(path, "r")
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

const fromIpc = (ipc: Uint8Array): ReadonlyArray<Arrow.RecordBatch> => Arrow.tableFromIPC(ipc).batches

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
      const groups = Array.from(
        { length: shard.rowGroupEnd - shard.rowGroupStart },
        (_, i) => shard.rowGroupStart + i
      )
      const path = yield* store.localPath(location)
      if (path === undefined) {
        // A remote store: the whole file, then its row groups.
        const bytes = yield* store.readBytes(location)
        return Stream.fromIterable(groups).pipe(
          Stream.mapEffect((group) =>
            Effect.try({
              try: () => ParquetCodec.decode(bytes, { rowGroups: [group], batchSize: batchRows }).batches,
              catch: (error) => unreadable(shard, error)
            })
          ),
          Stream.flatMap((batches) => Stream.fromIterable(batches))
        )
      }
      const file = yield* Effect.tryPromise({
        try: async () => {
          await checkParquetFrame(path)
          return ParquetFile.fromFile(await openAsBlob(path))
        },
        catch: (error) => unreadable(shard, error)
      })
      // The WASM file may only be freed once no read of it is in flight (a stream stopped early by a
      // failure downstream would otherwise free it under a pending read).
      let pending: Promise<unknown> = Promise.resolve()
      return Stream.fromIterable(groups).pipe(
        Stream.mapEffect((group) =>
          Effect.tryPromise({
            try: () => {
              const read = file.read({ rowGroups: [group], batchSize: batchRows })
              pending = read.catch(() => undefined)
              return read.then((table) => fromIpc(table.intoIPCStream()))
            },
            catch: (error) => unreadable(shard, error)
          })
        ),
        Stream.flatMap((batches) => Stream.fromIterable(batches)),
        Stream.ensuring(Effect.promise(() => pending).pipe(Effect.andThen(Effect.sync(() => file.free()))))
      )
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
      catch: (error) => unreadable(shard, error)
    })
  })
