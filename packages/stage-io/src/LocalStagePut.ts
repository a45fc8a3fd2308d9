/**
 * `put`: local files and folders copied onto a stage, write-once. A file goes to a file location, or
 * under its own name into a folder location; a folder's files go under the location taken as a
 * folder, keeping their paths below it. Every local path is found and every target checked free
 * before the first byte is copied, so a refused put copies nothing (the CLI's `stage put` is this).
 */
import { createReadStream } from "node:fs"
import { readdir, stat } from "node:fs/promises"
import { basename, join, relative } from "node:path"
import { LocalFileError, StageFileExists, StageLocation } from "@runbatch/spec"
import { Effect, Stream } from "effect"
import { isMissing, type LocalStage, parseWritable, parseWritableFile, reasonOf } from "./LocalStage.ts"
import { exists } from "./LocalStageList.ts"
import { READ_CHUNK_BYTES } from "./LocalStageRead.ts"
import { writeTo } from "./LocalStageWrite.ts"
import type { StageStoreShape } from "./StageStore.ts"

const localError = (path: string) => (error: unknown) =>
  new LocalFileError({ path, reason: isMissing(error) ? "it does not exist." : reasonOf(error) })

/** Every file under a local folder, relative to it with `/` separators, sorted (any store's put). */
export const filesUnder = (folder: string): Effect.Effect<ReadonlyArray<string>, LocalFileError> =>
  Effect.tryPromise({
    try: async () => {
      const found: Array<string> = []
      const walk = async (dir: string): Promise<void> => {
        for (const entry of (await readdir(dir)).sort()) {
          const path = join(dir, entry)
          if ((await stat(path)).isDirectory()) await walk(path)
          else found.push(relative(folder, path).split("\\").join("/"))
        }
      }
      await walk(folder)
      return found
    },
    catch: localError(folder)
  })

interface Planned {
  readonly file: string
  readonly location: StageLocation.StageLocation
}

/** Where each local file of `localPath` goes under `given`. */
const plan = (stage: LocalStage, localPath: string, given: StageLocation.StageLocation) =>
  Effect.gen(function* () {
    const stats = yield* Effect.tryPromise({ try: () => stat(localPath), catch: localError(localPath) })
    if (stats.isDirectory()) {
      const files = yield* filesUnder(localPath)
      if (files.length === 0) {
        return yield* new LocalFileError({ path: localPath, reason: "the folder holds no files." })
      }
      const folder = StageLocation.asDirectory(given)
      return yield* Effect.forEach(files, (file) =>
        Effect.map(
          StageLocation.child(folder, file),
          (location): Planned => ({ file: join(localPath, file), location })
        )
      )
    }
    if (!stats.isFile()) {
      return yield* new LocalFileError({ path: localPath, reason: "it is neither a file nor a folder." })
    }
    const location = given.isDirectory ? yield* StageLocation.child(given, basename(localPath)) : given
    yield* parseWritableFile(stage, StageLocation.format(location))
    return [{ file: localPath, location }] satisfies ReadonlyArray<Planned>
  })

export const put = (stage: LocalStage): StageStoreShape["put"] =>
  Effect.fn("StageStore.put")(function* (localPaths: string | ReadonlyArray<string>, text: string) {
    const paths = typeof localPaths === "string" ? [localPaths] : localPaths
    const given = yield* parseWritable(stage, text, "written")
    // Several paths go into one folder, as a folder's files do.
    const target = paths.length > 1 ? StageLocation.asDirectory(given) : given
    const planned = (yield* Effect.forEach(paths, (path) => plan(stage, path, target))).flat()
    for (const { location } of planned) {
      const formatted = StageLocation.format(location)
      yield* parseWritableFile(stage, formatted)
      if (yield* exists(stage)(formatted)) return yield* new StageFileExists({ location: formatted })
    }
    for (const { file, location } of planned) {
      const source = Stream.suspend(() =>
        Stream.fromAsyncIterable(
          createReadStream(file, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Uint8Array>,
          (error) => new LocalFileError({ path: file, reason: reasonOf(error) })
        )
      )
      yield* writeTo(stage, location, source)
    }
    return planned.map(({ location }) => StageLocation.format(location))
  })
