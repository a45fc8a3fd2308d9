/**
 * A path another writer — DuckDB's `COPY … TO` — writes a file through, so that the file's sha256 is
 * computed as its bytes go by, with no second read of the file. The path is a named pipe (FIFO) in a
 * private temporary folder; what arrives on it is hashed and written on to the target file with
 * backpressure, so memory holds a few pipe and stream buffers whatever the file's size.
 *
 * Until the writer is done this side also holds the pipe open for writing (the "keeper"): a FIFO that
 * no writer has opened yet may read as ended, and the reader must not end before the writer arrives.
 * Once the writer's statement has returned (it has closed the pipe), `finish` closes the keeper and
 * the copy ends after the last byte.
 */
import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import { closeSync, constants, createWriteStream, openSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Transform } from "node:stream"
import { pipeline } from "node:stream/promises"
import { promisify } from "node:util"
import { LocalFileError } from "@runbatch/spec"
import { Effect, type Scope } from "effect"

export interface HashedFile {
  readonly bytes: number
  /** Hex sha256 of the bytes written. */
  readonly sha256: string
}

export interface HashingPipe {
  /** Where the writer writes. */
  readonly path: string
  /** Why the copy to the target failed, once it has (a full disk, say): the writer's own error is then a broken pipe. */
  readonly failure: () => LocalFileError | undefined
  /** Once the writer has closed the pipe: the copy's end, with what was written. */
  readonly finish: Effect.Effect<HashedFile, LocalFileError>
}

const cannotUse = (path: string, error: unknown) =>
  new LocalFileError({ path, reason: error instanceof Error ? error.message : String(error) })

/**
 * A pipe whose bytes end up in `target` (created exclusively) with their sha256 counted. The scope
 * closing stops the copy and removes the pipe; a partial target is the caller's to remove.
 */
export const hashingPipe = (target: string): Effect.Effect<HashingPipe, LocalFileError, Scope.Scope> =>
  Effect.gen(function* () {
    const folder = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => mkdtemp(join(tmpdir(), "runbatch-pipe-")),
        catch: (error) => cannotUse(tmpdir(), error)
      }),
      (folder) => Effect.promise(() => rm(folder, { recursive: true, force: true }))
    )
    const path = join(folder, "pipe")
    yield* Effect.tryPromise({
      try: () => promisify(execFile)("mkfifo", ["-m", "600", path]),
      catch: (error) => cannotUse(path, `cannot create a named pipe (mkfifo): ${String(error)}`)
    })
    // Non-blocking opens: neither end waits for the other, and no thread-pool thread is held.
    const ends = yield* Effect.acquireRelease(
      Effect.try({
        try: () => {
          const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
          try {
            return { reader, keeper: closeOnce(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)) }
          } catch (error) {
            closeSync(reader)
            throw error
          }
        },
        catch: (error) => cannotUse(path, error)
      }),
      ({ keeper }) => Effect.sync(keeper)
    )
    const source = new Socket({ fd: ends.reader, readable: true, writable: false })
    yield* Effect.addFinalizer(() => Effect.sync(() => source.destroy()))
    const hash = createHash("sha256")
    let bytes = 0
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk)
        bytes += chunk.byteLength
        callback(null, chunk)
      }
    })
    let failure: LocalFileError | undefined
    const copied = pipeline(source, counter, createWriteStream(target, { flags: "wx" })).catch(
      (error: unknown) => {
        failure = cannotUse(target, error)
      }
    )
    return {
      path,
      failure: () => failure,
      finish: Effect.gen(function* () {
        ends.keeper()
        yield* Effect.promise(() => copied)
        if (failure !== undefined) return yield* failure
        return { bytes, sha256: hash.digest("hex") }
      })
    } satisfies HashingPipe
  })

/** Closing `fd` at most once: a second close could hit another file that reused the number. */
const closeOnce = (fd: number) => {
  let open = true
  return () => {
    if (open) closeSync(fd)
    open = false
  }
}
