/**
 * The files a stage location names, as `LIST @stage/path PATTERN = '…'` would list them: a location
 * with a trailing slash (or the stage root) is a folder, one without is a prefix (`@S/dir` matches
 * `dir/…`, `dir2/…` and `dir.txt`), and `pattern` is a JavaScript regular expression that must match
 * the whole path inside the stage. Symbolic links are followed only to files inside the stage; files
 * whose name starts with `_` or `.` (`_SUCCESS`, `_manifest.json`, writers' temporary files) are
 * metadata, not data, and are left out, as Spark and Hive readers do.
 */
import type { Dirent } from "node:fs"
import { readdir, realpath, stat } from "node:fs/promises"
import { isAbsolute, join, relative, sep } from "node:path"
import type { LocalAccountShape } from "@runbatch/account"
import { type InvalidStageLocation, ListPattern, StageFileError, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"

export interface StageFile {
  /** Path inside the stage. */
  readonly path: string
  /** Absolute local path. */
  readonly localPath: string
}

const isInside = (root: string, path: string): boolean => {
  const rel = relative(root, path)
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
}

const isMetadataName = (name: string): boolean => name.startsWith("_") || name.startsWith(".")

const walk = async (
  stageRoot: string,
  location: StageLocation.StageLocation,
  matches: (path: string) => boolean
): Promise<Array<StageFile>> => {
  const realRoot = await realpath(stageRoot).catch(() => undefined)
  if (realRoot === undefined) return []
  const found: Array<StageFile> = []
  const visit = async (folder: string, folderPath: string, namePrefix: string | undefined): Promise<void> => {
    let entries: Array<Dirent>
    try {
      entries = await readdir(folder, { withFileTypes: true })
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === "ENOENT" || code === "ENOTDIR") return
      throw error
    }
    for (const entry of entries) {
      if (namePrefix !== undefined && !entry.name.startsWith(namePrefix)) continue
      const path = folderPath === "" ? entry.name : `${folderPath}/${entry.name}`
      const localPath = join(folder, entry.name)
      if (entry.isDirectory()) {
        await visit(localPath, path, undefined)
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        if (isMetadataName(entry.name) || !matches(path)) continue
        if (entry.isSymbolicLink()) {
          const target = await realpath(localPath).catch(() => undefined)
          if (target === undefined || !isInside(realRoot, target) || !(await stat(target)).isFile()) continue
        }
        found.push({ path, localPath })
      }
    }
  }
  if (location.path === "") {
    await visit(stageRoot, "", undefined)
  } else if (location.isDirectory) {
    await visit(join(stageRoot, location.path), location.path, undefined)
  } else {
    const slash = location.path.lastIndexOf("/")
    const parent = slash === -1 ? "" : location.path.slice(0, slash)
    await visit(join(stageRoot, parent), parent, location.path.slice(slash + 1))
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/** The files under `location` that `pattern` matches, sorted by path; StageFileError not_found if none. */
export const dataFilesUnder = (
  account: LocalAccountShape,
  location: StageLocation.StageLocation,
  pattern: string | undefined
): Effect.Effect<ReadonlyArray<StageFile>, InvalidStageLocation | StageFileError> =>
  Effect.gen(function* () {
    const display = StageLocation.format(location)
    const matches = yield* ListPattern.compile(display, pattern)
    const stageRoot = yield* account.stagePath({ ...location, path: "", isDirectory: true })
    // Resolving the location itself refuses a folder or prefix reached through a link out of the stage.
    yield* account.stagePath(location)
    const files = yield* Effect.tryPromise({
      try: () => walk(stageRoot, location, matches),
      catch: (error) =>
        new StageFileError({ location: display, problem: "unreadable", detail: String(error) })
    })
    if (files.length === 0) {
      return yield* new StageFileError({
        location: display,
        problem: "not_found",
        detail: pattern === undefined ? "no files" : `no files match the pattern ${JSON.stringify(pattern)}`
      })
    }
    return files
  })
