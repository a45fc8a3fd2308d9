/**
 * One part of a job's results, read as Arrow record batches of at most a row group each, a bounded
 * slice at a time (ParquetFileReader), so memory holds a slice, not a part. None of a part's rows is
 * yielded before the whole part has been checked against the manifest: its size, its sha256 (a
 * streamed pass over its bytes, 64 KiB at a time; the rows are then read again, from the page cache)
 * and its row count (from its footer). A part whose bytes changed therefore fails with ResultsCorrupt
 * before any of its rows is out; the parts before it have been yielded by then.
 *
 * A part is read in place through a file-backed Blob, which reads only the bytes of the row group asked
 * for: a part on this machine (the local account, a stage volume mounted in SPCS) where it is, a remote
 * store's from a private local copy streamed from the store (LocalCopy), which is also what is checked.
 */
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { type LocalCopyFailed, ResultsCorrupt, StageFileError } from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"
import * as LocalCopy from "./LocalCopy.ts"
import { READ_CHUNK_BYTES } from "./LocalStageRead.ts"
import type { PartInfo } from "./OutputManifest.ts"
import * as ParquetFileReader from "./ParquetFileReader.ts"
import { type StageError, StageStore } from "./StageStore.ts"

/** The stage location of a part, in the output folder `output` (ending in `/`). */
export const partLocation = (output: string, part: PartInfo): string => `${output}${part.name}`

const corrupt = (output: string, reason: string) => new ResultsCorrupt({ location: output, reason })

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** The part as a local file for the scope: in place, or a private copy of a remote store's. */
const localPart = (output: string, part: PartInfo) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const location = partLocation(output, part)
    if (!(yield* store.exists(location)))
      return yield* corrupt(output, `the part ${part.name} listed by the manifest is missing.`)
    return { location, path: yield* LocalCopy.localFile(location) }
  })

/** Check a part's bytes against the manifest's size and sha256, reading its local file as a stream. */
const verify = (output: string, part: PartInfo, file: { readonly location: string; readonly path: string }) =>
  Effect.gen(function* () {
    const hash = createHash("sha256")
    const bytes = yield* Stream.runFold(
      Stream.fromAsyncIterable(
        createReadStream(file.path, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Uint8Array>,
        (error) =>
          new StageFileError({ location: file.location, problem: "unreadable", detail: message(error) })
      ),
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

const open = (output: string, part: PartInfo, path: string) =>
  ParquetFileReader.open(path, (reason) => corrupt(output, `${part.name} is not readable parquet: ${reason}`))

/** The Arrow schema of a part's columns, from its footer (what a part of no rows still carries). */
export const schema = (
  output: string,
  part: PartInfo
): Effect.Effect<Arrow.Schema, ResultsCorrupt | StageError | LocalCopyFailed, StageStore> =>
  Effect.scoped(
    Effect.gen(function* () {
      const { path } = yield* localPart(output, part)
      return yield* (yield* open(output, part, path)).schema
    })
  )

/** A part's rows, verified first, as record batches of at most one row group each. */
export const batches = (
  output: string,
  part: PartInfo
): Stream.Stream<Arrow.RecordBatch, ResultsCorrupt | StageError | LocalCopyFailed, StageStore> =>
  // The part stays open, and its copy kept, until the stream ends (the scope of `unwrap`).
  Stream.unwrap(
    Effect.gen(function* () {
      const local = yield* localPart(output, part)
      yield* verify(output, part, local)
      const file = yield* open(output, part, local.path)
      if (file.rows !== part.rows)
        return yield* corrupt(output, `${part.name} has ${file.rows} rows, the manifest says ${part.rows}.`)
      return file.batches({ start: 0, end: file.rowGroups.length }, ParquetFileReader.MAX_READ_ROWS)
    })
  )
