/**
 * Reading a local stage file (or a model version file): as a stream of chunks, whole into one buffer up
 * to a cap, whole into a buffer the caller gives (`readInto`), or just its size (one `stat`). A folder, a missing file or one a symbolic link takes outside its stage fails
 * with StageFileError.
 */
import { createReadStream } from "node:fs"
import { open, readFile, stat } from "node:fs/promises"
import { InvalidStageLocation, StageFileError } from "@runbatch/spec"
import { Effect, Stream } from "effect"
import {
  display,
  isMissing,
  type LocalStage,
  localPathUnlessBlocked,
  parse,
  reasonOf,
  unreadable
} from "./LocalStage.ts"
import { isFolder } from "./LocalStageList.ts"
import type { ReadBytesOptions, StageStoreShape } from "./StageStore.ts"

/** Node cannot read a larger file into one buffer; the default cap of `readBytes`. */
export const MAX_READ_BYTES = 2 ** 31 - 1

export const READ_CHUNK_BYTES = 64 * 1024

/** The local path of an existing regular file, or StageFileError. */
const existingFile = (stage: LocalStage, text: string) =>
  Effect.gen(function* () {
    const file = yield* parse(stage, text)
    if (isFolder(file, text) && file.kind === "stage") {
      return yield* new InvalidStageLocation({
        input: text,
        reason: "it names a folder (it ends with / or is the stage root); read a file."
      })
    }
    const where = display(file)
    const path = yield* localPathUnlessBlocked(stage, file)
    if (path === undefined) return yield* new StageFileError({ location: where, problem: "not_found" })
    const stats = yield* Effect.tryPromise({
      try: () => stat(path),
      catch: (error) =>
        isMissing(error)
          ? new StageFileError({ location: where, problem: "not_found" })
          : unreadable(where, reasonOf(error))
    })
    if (!stats.isFile()) {
      return yield* unreadable(where, "it is a folder, not a file.")
    }
    return { path, where, size: stats.size }
  })

/** A file's bytes as a stream of chunks. */
export const read =
  (stage: LocalStage): StageStoreShape["read"] =>
  (text) =>
    Stream.unwrap(
      Effect.map(existingFile(stage, text), ({ path, where }) =>
        Stream.suspend(() =>
          Stream.fromAsyncIterable(
            createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Uint8Array>,
            (error) =>
              isMissing(error)
                ? new StageFileError({ location: where, problem: "not_found" })
                : unreadable(where, reasonOf(error))
          )
        )
      )
    )

/** A file's size in bytes, from one `stat`: nothing is read. */
export const size =
  (stage: LocalStage): StageStoreShape["size"] =>
  (text) =>
    Effect.map(existingFile(stage, text), (file) => file.size)

const tooLarge = (where: string, limit: number, bytes: number) =>
  new StageFileError({
    location: where,
    problem: "too_large",
    limitBytes: limit,
    detail: `${bytes} bytes`
  })

/** A whole file in one buffer, refused past `maxBytes`. */
export const readBytes = (stage: LocalStage): StageStoreShape["readBytes"] =>
  Effect.fn("StageStore.readBytes")(function* (text: string, readOptions: ReadBytesOptions = {}) {
    const limit = readOptions.maxBytes ?? MAX_READ_BYTES
    const { path, where, size } = yield* existingFile(stage, text)
    if (size > limit) return yield* tooLarge(where, limit, size)
    const bytes = yield* Effect.tryPromise({
      try: () => readFile(path),
      catch: (error) =>
        isMissing(error)
          ? new StageFileError({ location: where, problem: "not_found" })
          : unreadable(where, reasonOf(error))
    })
    // The file may have grown since it was measured.
    if (bytes.byteLength > limit) return yield* tooLarge(where, limit, bytes.byteLength)
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  })

/**
 * A whole file into `into`, when it is exactly as long as the file: returns the file's size, which is
 * `into.byteLength` when its bytes were read, and anything else (nothing read, or a file that shrank
 * while it was read) when the file is not that long any more. Refused past `maxBytes` as `readBytes`.
 */
export const readInto = (stage: LocalStage): StageStoreShape["readInto"] =>
  Effect.fn("StageStore.readInto")(function* (
    text: string,
    into: Uint8Array,
    readOptions: ReadBytesOptions = {}
  ) {
    const limit = readOptions.maxBytes ?? MAX_READ_BYTES
    const { path, where, size } = yield* existingFile(stage, text)
    if (size > limit) return yield* tooLarge(where, limit, size)
    if (size !== into.byteLength) return size
    return yield* Effect.tryPromise({
      try: async () => {
        const handle = await open(path, "r")
        try {
          // As readFile: the first `size` bytes, or fewer when the file ends sooner.
          let done = 0
          while (done < size) {
            const { bytesRead } = await handle.read(into, done, size - done, done)
            if (bytesRead === 0) break
            done += bytesRead
          }
          return done
        } finally {
          await handle.close()
        }
      },
      catch: (error) =>
        isMissing(error)
          ? new StageFileError({ location: where, problem: "not_found" })
          : unreadable(where, reasonOf(error))
    })
  })
