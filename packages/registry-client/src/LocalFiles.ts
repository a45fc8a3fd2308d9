/**
 * Filesystem steps of the local registry. The registry is the account's own folder, not stage storage,
 * so unlike stage files it may use renames: a version is renamed into place whole, small records are
 * replaced by temp file + rename, and folders are renamed aside before they are removed, so no crash
 * ever leaves a half-written or half-deleted version under its real name.
 */
import { createHash, randomUUID } from "node:crypto"
import { createReadStream, createWriteStream } from "node:fs"
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from "node:fs/promises"
import { dirname, join, sep } from "node:path"
import { Transform } from "node:stream"
import { pipeline } from "node:stream/promises"
import { LocalFileError } from "@runbatch/spec"
import { Effect } from "effect"

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code

const failure = (path: string) => (error: unknown) =>
  new LocalFileError({ path, reason: error instanceof Error ? error.message : String(error) })

/** A file's text, or undefined when it does not exist. */
export const readTextIfExists = (path: string): Effect.Effect<string | undefined, LocalFileError> =>
  Effect.tryPromise({
    try: () =>
      readFile(path, "utf8").catch((error: unknown) => {
        if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return undefined
        throw error
      }),
    catch: failure(path)
  })

/** Whether anything stands at `path`. */
export const pathExists = (path: string): Effect.Effect<boolean, LocalFileError> =>
  Effect.tryPromise({
    try: () =>
      stat(path).then(
        () => true,
        (error: unknown) => {
          if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return false
          throw error
        }
      ),
    catch: failure(path)
  })

/** The sub-folders of a folder (none when it does not exist). */
export const subfolders = (path: string): Effect.Effect<ReadonlyArray<string>, LocalFileError> =>
  Effect.tryPromise({
    try: async () => {
      const entries = await readdir(path, { withFileTypes: true }).catch((error: unknown) => {
        if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return []
        throw error
      })
      return entries.filter((e) => e.isDirectory()).map((e) => e.name)
    },
    catch: failure(path)
  })

/** What a local file given by the user is: a regular file with its size, or why it cannot be used. */
export const statLocalFile = (path: string): Effect.Effect<number, LocalFileError> =>
  Effect.tryPromise({
    try: () => stat(path),
    catch: (error) =>
      new LocalFileError({
        path,
        reason: code(error) === "ENOENT" ? "it does not exist." : (error as Error).message
      })
  }).pipe(
    Effect.flatMap((stats) =>
      stats.isFile()
        ? Effect.succeed(stats.size)
        : Effect.fail(new LocalFileError({ path, reason: "it is not a file (artifacts are single files)." }))
    )
  )

/**
 * Copy a file, computing its size and sha256 as it streams through (memory stays bounded however
 * large the model). The destination must not exist.
 */
export const copyWithChecksum = (
  source: string,
  destination: string
): Effect.Effect<{ readonly bytes: number; readonly sha256: string }, LocalFileError> =>
  Effect.tryPromise({
    try: async () => {
      const hash = createHash("sha256")
      let bytes = 0
      const measure = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk)
          bytes += chunk.byteLength
          done(null, chunk)
        }
      })
      await mkdir(dirname(destination), { recursive: true })
      await pipeline(createReadStream(source), measure, createWriteStream(destination, { flags: "wx" }))
      return { bytes, sha256: hash.digest("hex") }
    },
    catch: failure(source)
  })

export const makeDir = (path: string): Effect.Effect<void, LocalFileError> =>
  Effect.tryPromise({
    try: () => mkdir(path, { recursive: true }).then(() => undefined),
    catch: failure(path)
  })

export const writeNewFile = (path: string, text: string): Effect.Effect<void, LocalFileError> =>
  Effect.tryPromise({
    try: async () => {
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, text, { flag: "wx" })
    },
    catch: failure(path)
  })

/** Create a file only if it does not exist yet; false when another writer got there first. */
export const createExclusive = (path: string, text: string): Effect.Effect<boolean, LocalFileError> =>
  Effect.tryPromise({
    try: () =>
      writeFile(path, text, { flag: "wx" }).then(
        () => true,
        (error: unknown) => {
          if (code(error) === "EEXIST") return false
          throw error
        }
      ),
    catch: failure(path)
  })

/** Replace a small file atomically: readers see the old content or the new, never a torn write. */
export const replaceFile = (path: string, text: string): Effect.Effect<void, LocalFileError> =>
  Effect.tryPromise({
    try: async () => {
      const temp = `${path}.${randomUUID()}.tmp`
      try {
        await writeFile(temp, text)
        await rename(temp, path)
      } finally {
        await rm(temp, { force: true })
      }
    },
    catch: failure(path)
  })

/**
 * Move a folder into place. `"exists"` when something already stands there: renaming a folder onto a
 * non-empty one fails, so of two writers racing for one name, exactly one wins.
 */
export const moveIntoPlace = (
  source: string,
  target: string
): Effect.Effect<"moved" | "exists", LocalFileError> =>
  Effect.tryPromise({
    try: () =>
      rename(source, target).then(
        () => "moved" as const,
        (error: unknown) => {
          if (code(error) === "EEXIST" || code(error) === "ENOTEMPTY") return "exists" as const
          throw error
        }
      ),
    catch: failure(target)
  })

/**
 * Remove a folder: first rename it into `trash` (one atomic step, after which it is gone from its
 * place), then delete it. A crash in between leaves only an entry in `trash`, removed later. Both are
 * real paths checked by the caller (no link above them); should `path` have become a link since, the
 * rename moves the link and `rm` removes the link alone (it never follows links, the root included).
 */
export const removeFolder = (path: string, trash: string): Effect.Effect<void, LocalFileError> =>
  Effect.tryPromise({
    try: async () => {
      const aside = join(trash, randomUUID())
      await mkdir(trash, { recursive: true })
      try {
        await rename(path, aside)
      } catch (error) {
        if (code(error) === "ENOENT") return
        throw error
      }
      await rm(aside, { recursive: true, force: true })
    },
    catch: failure(path)
  })

/**
 * Remove `folder` and then each parent up to (not including) `root`, while they are empty: what a
 * failed write created and left bare. `rmdir` never removes a folder with anything in it, so a
 * concurrent writer's folder stays; every failure just stops the climb.
 */
export const removeEmptyFolders = (folder: string, root: string): Effect.Effect<void> =>
  Effect.promise(async () => {
    for (let dir = folder; dir.startsWith(`${root}${sep}`); dir = dirname(dir)) {
      if (
        !(await rmdir(dir).then(
          () => true,
          () => false
        ))
      )
        return
    }
  })

/** Delete a folder and everything in it; nothing to do when it is absent. */
export const deleteTree = (path: string): Effect.Effect<void, LocalFileError> =>
  Effect.tryPromise({ try: () => rm(path, { recursive: true, force: true }), catch: failure(path) })

/** Remove what crashed operations left in `folder` (entries older than `olderThanMillis`). */
export const sweep = (folder: string, olderThanMillis: number, now: number): Effect.Effect<void> =>
  Effect.promise(async () => {
    const entries = await readdir(folder).catch(() => [])
    for (const entry of entries) {
      const path = join(folder, entry)
      const stats = await stat(path).catch(() => undefined)
      if (stats !== undefined && now - stats.mtimeMs >= olderThanMillis) {
        await rm(path, { recursive: true, force: true }).catch(() => undefined)
      }
    }
  })
