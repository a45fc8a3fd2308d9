/**
 * Reading a Snowflake stage file: `GET` into a private temporary folder (mode 0700, removed when the
 * read ends — after success, failure or interruption), then streamed from there in 64 KiB chunks, so
 * memory stays bounded whatever the file's size. GET writes each file under its base name only and
 * matches by prefix, so it is narrowed with an anchored PATTERN on the path: `@S/dir/a.txt` never
 * brings `dir/a.txt2` along. The file is first found with LIST (its size decides `maxBytes` and
 * `readInto` before any byte moves; a missing file is StageFileError "not_found").
 */
import { createReadStream } from "node:fs"
import { mkdtemp, readFile, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { StageFileError, type StageLocation } from "@runbatch/spec"
import { MAX_READ_BYTES, type ReadBytesOptions, type StageStoreShape } from "@runbatch/stage-io"
import { Effect, type Scope, Stream } from "effect"
import { keepingUmask } from "../SnowflakePut.ts"
import { snowflakeString } from "../SnowflakeString.ts"
import {
  baseName,
  display,
  externalStageRead,
  isStageAreaFailure,
  reasonOf,
  type SnowflakeStage,
  sqlLiteral,
  statementFailed
} from "./SnowflakeStage.ts"
import { downloadableFile } from "./SnowflakeStageList.ts"

const READ_CHUNK_BYTES = 64 * 1024

/** A regular expression matching `text` literally, without backslashes where a class does it. */
export const literalPattern = (text: string): string =>
  text.replace(/[\]^]/g, "\\$&").replace(/[.*+?$(){}|[]/g, "[$&]")

/**
 * PATTERN matching exactly one file's path, whether Snowflake matches it against the path inside the
 * stage or against LIST's full name (`<stage>/<path>`): which one is unconfirmed.
 */
export const exactPattern = (location: StageLocation.StageLocation): string =>
  snowflakeString(`(.*/)?${literalPattern(location.path)}`)

/** A new private folder, removed with the scope. */
export const privateFolder = (location: string): Effect.Effect<string, StageFileError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => mkdtemp(join(tmpdir(), "runbatch-stage-")),
      catch: (error) =>
        new StageFileError({
          location,
          problem: "unreadable",
          detail: `no private temporary folder could be made in ${tmpdir()} (${reasonOf(error)}); set TMPDIR to a writable folder`
        })
    }),
    (folder) => Effect.promise(() => rm(folder, { recursive: true, force: true }))
  )

/** GET one stage file into `folder`; its local path. */
export const download = (stage: SnowflakeStage, location: StageLocation.StageLocation, folder: string) =>
  Effect.gen(function* () {
    yield* keepingUmask(
      stage.session.client.run(
        `GET ${sqlLiteral(location)} ${snowflakeString(`file://${folder}/`)} PATTERN = ${exactPattern(location)}`
      )
    ).pipe(
      // The file was listed, so a 091003 here is GET refused on an external stage.
      Effect.mapError((error) =>
        isStageAreaFailure(error)
          ? externalStageRead(location)
          : statementFailed(location, "unreadable")(error)
      )
    )
    const path = join(folder, baseName(location))
    const found = yield* Effect.promise(() =>
      stat(path).then(
        (s) => s.isFile(),
        () => false
      )
    )
    if (!found)
      return yield* new StageFileError({
        location: display(location),
        problem: "not_found",
        detail: "GET brought no file of that name back (it was removed meanwhile)"
      })
    return path
  })

/** A file larger than a read may hold. */
export const tooLarge = (shown: string, size: number, limit: number) =>
  new StageFileError({
    location: shown,
    problem: "too_large",
    limitBytes: limit,
    detail: `it holds ${size} bytes`
  })

/** The byte limit of a whole-file read. */
export const readLimit = (options: ReadBytesOptions = {}): number =>
  Math.min(options.maxBytes ?? MAX_READ_BYTES, MAX_READ_BYTES)

/** A downloaded file, streamed in 64 KiB chunks (`shown` names it in errors). */
export const streamDownloaded = (path: string, shown: string) =>
  Stream.fromAsyncIterable(
    createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Uint8Array>,
    (error) => new StageFileError({ location: shown, problem: "unreadable", detail: reasonOf(error) })
  )

/** A downloaded file, whole, checked against `limit` again (it may have grown since it was listed). */
export const readDownloaded = (path: string, shown: string, limit: number) =>
  Effect.gen(function* () {
    const bytes = yield* Effect.tryPromise({
      try: () => readFile(path),
      catch: (error) =>
        new StageFileError({ location: shown, problem: "unreadable", detail: reasonOf(error) })
    })
    if (bytes.byteLength > limit) return yield* tooLarge(shown, bytes.byteLength, limit)
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  })

/** `readInto`'s answer from a whole file: filled when it fits exactly, and its size either way. */
export const fillBuffer = (bytes: Uint8Array, into: Uint8Array): number => {
  if (bytes.byteLength === into.byteLength) into.set(bytes)
  return bytes.byteLength
}

export const read =
  (stage: SnowflakeStage): StageStoreShape["read"] =>
  (text) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const { location } = yield* downloadableFile(stage, text)
        const folder = yield* privateFolder(display(location))
        return streamDownloaded(yield* download(stage, location, folder), display(location))
      })
    )

/** The whole file, checked against the limit by its listed size before it is fetched. */
const fetched = (stage: SnowflakeStage, text: string, options: ReadBytesOptions = {}) =>
  Effect.scoped(
    Effect.gen(function* () {
      const { location, entry } = yield* downloadableFile(stage, text)
      const limit = readLimit(options)
      if (entry.size > limit) return yield* tooLarge(display(location), entry.size, limit)
      const folder = yield* privateFolder(display(location))
      return yield* readDownloaded(yield* download(stage, location, folder), display(location), limit)
    })
  )

export const readBytes =
  (stage: SnowflakeStage): StageStoreShape["readBytes"] =>
  (text, options) =>
    fetched(stage, text, options)

export const readInto =
  (stage: SnowflakeStage): StageStoreShape["readInto"] =>
  (text, into, options) =>
    Effect.map(fetched(stage, text, options), (bytes) => fillBuffer(bytes, into))
