/**
 * One part of a job's results, read as Arrow record batches one row group at a time, so memory holds a
 * row group, not a part. None of a part's rows is yielded before the whole part has been checked
 * against the manifest: its size, its sha256 (a streamed pass over its bytes, 64 KiB at a time; the
 * rows are then read again, from the page cache) and its row count (from its footer). A part whose
 * bytes changed therefore fails with ResultsCorrupt before any of its rows is out; the parts before it
 * have been yielded by then.
 *
 * A part on this machine (the local account, or a stage volume mounted in SPCS) is read in place
 * through a file-backed Blob, which reads only the bytes of the row group asked for; a remote store's
 * part is held whole while it is read.
 */
import { createHash } from "node:crypto"
import { openAsBlob } from "node:fs"
import { ResultsCorrupt } from "@runbatch/spec"
import * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"
import { ParquetFile } from "parquet-wasm"
import type { PartInfo } from "./OutputManifest.ts"
import { type StageError, StageStore } from "./StageStore.ts"

/** The stage location of a part, in the output folder `output` (ending in `/`). */
export const partLocation = (output: string, part: PartInfo): string => `${output}${part.name}`

const corrupt = (output: string, reason: string) => new ResultsCorrupt({ location: output, reason })

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Check a part's bytes against the manifest's size and sha256, reading it as a stream. */
export const verify = (
  output: string,
  part: PartInfo
): Effect.Effect<void, ResultsCorrupt | StageError, StageStore> =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const location = partLocation(output, part)
    if (!(yield* store.exists(location)))
      return yield* corrupt(output, `the part ${part.name} listed by the manifest is missing.`)
    const hash = createHash("sha256")
    const bytes = yield* Stream.runFold(
      store.read(location),
      () => 0,
      (total, chunk) => {
        hash.update(chunk)
        return total + chunk.byteLength
      }
    )
    if (bytes !== part.bytes)
      return yield* corrupt(output, `${part.name} has ${bytes} bytes, the manifest says ${part.bytes}.`)
    if (hash.digest("hex") !== part.sha256)
      return yield* corrupt(output, `${part.name} does not match its sha256 in the manifest.`)
  })

/** The part opened for reading by row group: in place when it is a local file. */
const open = (output: string, part: PartInfo) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const location = partLocation(output, part)
    const path = yield* store.localPath(location)
    const blob = path === undefined ? new Blob([yield* store.readBytes(location)]) : undefined
    return yield* Effect.tryPromise({
      try: async () => ParquetFile.fromFile(blob ?? (await openAsBlob(path!))),
      catch: (error) => corrupt(output, `${part.name} is not readable parquet: ${message(error)}`)
    })
  })

/** The Arrow schema of a part's columns, from its footer (what a part of no rows still carries). */
export const schema = (
  output: string,
  part: PartInfo
): Effect.Effect<Arrow.Schema, ResultsCorrupt | StageError, StageStore> =>
  Effect.acquireUseRelease(
    open(output, part),
    (file) =>
      Effect.try({
        try: () => Arrow.tableFromIPC(file.schema().intoIPCStream()).schema,
        catch: (error) => corrupt(output, `${part.name} has no readable schema: ${message(error)}`)
      }),
    (file) => Effect.sync(() => file.free())
  )

/** A part's rows, verified first, as record batches of at most one row group each. */
export const batches = (
  output: string,
  part: PartInfo
): Stream.Stream<Arrow.RecordBatch, ResultsCorrupt | StageError, StageStore> =>
  Stream.unwrap(
    Effect.gen(function* () {
      yield* verify(output, part)
      const file = yield* open(output, part)
      const metadata = file.metadata()
      const rows = metadata.fileMetadata().numRows()
      const groups = metadata.rowGroups().map((group) => group.numRows())
      metadata.free()
      if (rows !== part.rows) {
        file.free()
        return yield* corrupt(output, `${part.name} has ${rows} rows, the manifest says ${part.rows}.`)
      }
      // The WASM file may only be freed once no read of it is in flight (a stream stopped early, by
      // `--limit` or a failure downstream, would otherwise free it under a pending read).
      let pending: Promise<unknown> = Promise.resolve()
      return Stream.fromIterable(groups.map((rows, group) => ({ rows, group }))).pipe(
        Stream.mapEffect(({ rows, group }) =>
          Effect.tryPromise({
            try: () => {
              const read = file.read({ rowGroups: [group], batchSize: Math.max(1, rows) })
              pending = read.catch(() => undefined)
              return read.then((table) => Arrow.tableFromIPC(table.intoIPCStream()).batches)
            },
            catch: (error) => corrupt(output, `${part.name} is not readable parquet: ${message(error)}`)
          })
        ),
        Stream.flatMap((batches) => Stream.fromIterable(batches)),
        Stream.ensuring(Effect.promise(() => pending).pipe(Effect.andThen(Effect.sync(() => file.free()))))
      )
    })
  )
