/**
 * Where `put` copies local files: a file goes to a file location, or under its own name into a folder
 * location (trailing slash); a folder's files go under the location taken as a folder, keeping their
 * paths below it; several paths go into the location taken as a folder. Every local path is found
 * first (LocalFileError for a missing path or an empty folder), so nothing is copied before the whole
 * plan is known. Shared by every StageStore's `put` and the CLI's `stage put`, which skips targets
 * that exist.
 */
import { readdir, stat } from "node:fs/promises"
import { basename, join, relative } from "node:path"
import { LocalFileError, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { isMissing, reasonOf } from "./LocalStage.ts"

export interface PlannedFile {
  /** The local file, absolute as given. */
  readonly file: string
  readonly location: StageLocation.StageLocation
}

const localError = (path: string) => (error: unknown) =>
  new LocalFileError({ path, reason: isMissing(error) ? "it does not exist." : reasonOf(error) })

/** Every file under a local folder, relative to it with `/` separators, sorted. */
const filesUnder = (folder: string): Effect.Effect<ReadonlyArray<string>, LocalFileError> =>
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

/** Where each local file of `localPath` goes under `given`. */
const planOne = (localPath: string, given: StageLocation.StageLocation) =>
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
          (location): PlannedFile => ({ file: join(localPath, file), location })
        )
      )
    }
    if (!stats.isFile()) {
      return yield* new LocalFileError({ path: localPath, reason: "it is neither a file nor a folder." })
    }
    const location = given.isDirectory ? yield* StageLocation.child(given, basename(localPath)) : given
    return [{ file: localPath, location }] satisfies ReadonlyArray<PlannedFile>
  })

/** The files `localPaths` put under `given` and where each goes. */
export const planPut = (localPaths: ReadonlyArray<string>, given: StageLocation.StageLocation) => {
  // Several paths go into one folder, as a folder's files do.
  const target = localPaths.length > 1 ? StageLocation.asDirectory(given) : given
  return Effect.map(
    Effect.forEach(localPaths, (path) => planOne(path, target)),
    (planned) => planned.flat()
  )
}
