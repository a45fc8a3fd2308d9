/**
 * Listing a local stage (or a model version's files) as LIST does: `@S/dir/` is the folder `dir`,
 * `@S/dir` every entry of the stage root whose name begins with `dir`; symbolic links, temporary and
 * non-regular files are skipped. `exists` asks the same of a folder, or stats one file.
 */
import { stat } from "node:fs/promises"
import { type FileLocation, ListPattern, ModelFileLocation, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import {
  display,
  isMissing,
  type LocalStage,
  localPathOf,
  localPathUnlessBlocked,
  parse,
  reasonOf,
  unreadable
} from "./LocalStage.ts"
import { md5Files, type SkippedEntry, type WalkResult, walk } from "./LocalStageListing.ts"
import type { ListOptions, StageEntry, StageStoreShape } from "./StageStore.ts"

/** Where a listing starts: a whole folder, or the entries of a folder whose names begin with a prefix. */
interface ListScope {
  readonly folder: FileLocation.FileLocation
  readonly folderPath: string
  readonly namePrefix: string | undefined
}

const withPath = (file: FileLocation.FileLocation, path: string): FileLocation.FileLocation =>
  file.kind === "stage"
    ? { kind: "stage", location: { ...file.location, path, isDirectory: true } }
    : { kind: "model", location: { ...file.location, path } }

export const isFolder = (file: FileLocation.FileLocation, text: string): boolean =>
  file.kind === "stage" ? file.location.isDirectory : file.location.path === "" || text.trim().endsWith("/")

/**
 * LIST's prefix semantics: `@S/dir/` is the folder `dir`; `@S/dir` is every entry of the stage root
 * whose name begins with `dir` (`dir/…`, `dir2/…`, `dir.txt`).
 */
const scopeOf = (file: FileLocation.FileLocation, text: string): ListScope => {
  const path = file.location.path
  if (isFolder(file, text)) return { folder: withPath(file, path), folderPath: path, namePrefix: undefined }
  const slash = path.lastIndexOf("/")
  const folderPath = slash < 0 ? "" : path.slice(0, slash)
  return { folder: withPath(file, folderPath), folderPath, namePrefix: path.slice(slash + 1) }
}

const describeSkipped = (entry: SkippedEntry): string => {
  switch (entry.reason) {
    case "outside_stage":
      return `${entry.path} (a symbolic link pointing outside the stage)`
    case "dangling_link":
      return `${entry.path} (a symbolic link to nothing)`
    case "linked_folder":
      return `${entry.path} (a symbolic link to a folder; listings do not follow them)`
    case "not_a_file":
      return `${entry.path} (not a regular file)`
  }
}

/** The files a listing of `text` covers (links and non-files skipped, with a warning). */
export const walkScope = (
  stage: LocalStage,
  file: FileLocation.FileLocation,
  text: string,
  request: {
    readonly matches: (path: string) => boolean
    readonly limit?: number
    readonly temporaries?: boolean
  }
) =>
  Effect.gen(function* () {
    const scope = scopeOf(file, text)
    const container = yield* localPathOf(stage, withPath(file, ""))
    const start = yield* localPathUnlessBlocked(stage, scope.folder)
    if (start === undefined) return { files: [], skipped: [] } satisfies WalkResult
    const result = yield* Effect.tryPromise({
      try: () =>
        walk({
          container,
          start,
          startPath: scope.folderPath,
          ...(scope.namePrefix === undefined ? {} : { namePrefix: scope.namePrefix }),
          ...request
        }),
      catch: (error) => unreadable(display(file), `cannot list it: ${reasonOf(error)}`)
    })
    if (result.skipped.length > 0) {
      yield* Effect.logWarning(
        `Listing ${display(file)} skipped ${result.skipped.length} entries that are not stage files: ${result.skipped
          .slice(0, 10)
          .map(describeSkipped)
          .join(", ")}${result.skipped.length > 10 ? ", …" : ""}`
      )
    }
    return result
  })

/** Each entry's location and LIST-style name (`StageLocation.listName`). */
const entryNaming = (file: FileLocation.FileLocation) => {
  if (file.kind === "stage") {
    const stage = file.location
    const root = StageLocation.format({ ...stage, path: "", isDirectory: false })
    return {
      location: (path: string) => `${root}/${path}`,
      name: (path: string) => StageLocation.listName(stage, path)
    }
  }
  const model = file.location
  return {
    location: (path: string) => ModelFileLocation.format({ ...model, path }),
    name: (path: string) => path
  }
}

export const list = (stage: LocalStage): StageStoreShape["list"] =>
  Effect.fn("StageStore.list")(function* (text: string, listOptions: ListOptions = {}) {
    const file = yield* parse(stage, text)
    const matches = yield* ListPattern.compile(text, listOptions.pattern)
    const { files }: WalkResult = yield* walkScope(stage, file, text, { matches })
    const sums =
      listOptions.withoutMd5 === true
        ? undefined
        : yield* Effect.tryPromise({
            try: () => md5Files(files),
            catch: (error) => unreadable(display(file), `cannot checksum its files: ${reasonOf(error)}`)
          })
    const naming = entryNaming(file)
    const entries: Array<StageEntry> = []
    for (const walked of files) {
      const md5 = sums === undefined ? "" : sums.get(walked.localPath)
      if (md5 === undefined) continue // removed while listing
      entries.push({
        location: naming.location(walked.path),
        name: naming.name(walked.path),
        path: walked.path,
        size: walked.size,
        md5,
        lastModified: walked.lastModified
      })
    }
    return entries
  })

export const exists = (stage: LocalStage): StageStoreShape["exists"] =>
  Effect.fn("StageStore.exists")(function* (text: string) {
    const file = yield* parse(stage, text)
    if (isFolder(file, text)) {
      const { files } = yield* walkScope(stage, file, text, { matches: () => true, limit: 1 })
      return files.length > 0
    }
    const path = yield* localPathUnlessBlocked(stage, file)
    if (path === undefined) return false
    return yield* Effect.tryPromise({
      try: () =>
        stat(path).then(
          (stats) => stats.isFile(),
          (error) => {
            if (isMissing(error)) return false
            throw error
          }
        ),
      catch: (error) => unreadable(display(file), reasonOf(error))
    })
  })
