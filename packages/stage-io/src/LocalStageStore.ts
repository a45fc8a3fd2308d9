/**
 * The local StageStore backend: stages are folders of the embedded account
 * (`stages/<DB>/<SCHEMA>/<STAGE>/…`), created on first write; model version files
 * (`snow://model/…`) are read from the registry folder and never written here.
 *
 * Write-once, two ways:
 * - normal mode writes a hidden temporary file in the target folder, syncs it, then hard-links it to
 *   the final name. `link` fails if the name exists, so the name appears complete or not at all and is
 *   never overwritten; the temporary file is always removed.
 * - object-store mode (`objectStore: true`, what a Snowpark Container Services stage volume or an
 *   object store allows) opens the final name exclusively (`wx`) and writes into it: no rename, no
 *   link, no overwrite. A failed write removes its partial file, but a crash can leave one under the
 *   final name, which is why the output committer's records decide which files count.
 *
 * Every location is parsed with the stage grammar (no `..`, no percent-encoded dots or slashes, no
 * backslash, no NUL) and resolved through `LocalAccount`, which refuses paths that a symbolic link
 * would take outside their stage.
 */
import { createHash, type Hash, randomUUID } from "node:crypto"
import { constants, createReadStream } from "node:fs"
import {
  copyFile,
  type FileHandle,
  link,
  lstat,
  mkdir,
  open,
  readFile,
  rmdir,
  stat,
  unlink
} from "node:fs/promises"
import { basename, dirname, join, sep } from "node:path"
import type { LocalAccountShape } from "@runbatch/account"
import {
  FileLocation,
  InvalidStageLocation,
  ListPattern,
  LocalFileError,
  ModelFileLocation,
  StageFileError,
  StageFileExists,
  StageLocation
} from "@runbatch/spec"
import { Effect, Exit, Stream } from "effect"
import {
  isTempName,
  md5Files,
  type SkippedEntry,
  TEMP_PREFIX,
  type WalkResult,
  walk
} from "./LocalStageListing.ts"
import type { StageEntry, StageStoreShape, WriteData, WrittenFile } from "./StageStore.ts"

export interface LocalStageStoreOptions {
  /**
   * Behave as an object store (a Snowpark Container Services stage volume): never rename, link or
   * overwrite; write each file directly under its final name, opened exclusively.
   */
  readonly objectStore?: boolean
}

/** Node cannot read a larger file into one buffer; the default cap of `readBytes`. */
export const MAX_READ_BYTES = 2 ** 31 - 1

const READ_CHUNK_BYTES = 64 * 1024

const FILE_IN_THE_WAY =
  "a file stands where one of its folders should be (a local stage cannot hold both a file a and files under a/)."

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const isMissing = (error: unknown): boolean => codeOf(error) === "ENOENT" || codeOf(error) === "ENOTDIR"

const unreadable = (location: string, detail: string) =>
  new StageFileError({ location, problem: "unreadable", detail })

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

const isFolder = (file: FileLocation.FileLocation, text: string): boolean =>
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

/** Write `bytes` completely at the handle's current position. */
// Measured here: one 4.5 MB write() costs ~6x more than the same bytes in 512 KiB writes (which is
// also what fs.promises.writeFile does), so large buffers go out in slices.
const WRITE_SLICE = 512 * 1024

// The sha256 of what is written is computed slice by slice while the previous slice's write is in
// flight, so checksums cost no extra pass over the data.
const writeAll = async (handle: FileHandle, bytes: Uint8Array, hash: Hash): Promise<void> => {
  let offset = 0
  while (offset < bytes.byteLength) {
    const length = Math.min(WRITE_SLICE, bytes.byteLength - offset)
    const pending = handle.write(bytes, offset, length)
    hash.update(bytes.subarray(offset, offset + length))
    const { bytesWritten } = await pending
    // A short write: the slice's tail still goes out (it is already in the hash).
    if (bytesWritten < length) await writeRest(handle, bytes.subarray(offset + bytesWritten, offset + length))
    offset += length
  }
}

const writeRest = async (handle: FileHandle, bytes: Uint8Array): Promise<void> => {
  let offset = 0
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset)
    offset += bytesWritten
  }
}

export const make = (account: LocalAccountShape, options: LocalStageStoreOptions = {}): StageStoreShape => {
  const objectStore = options.objectStore === true
  const context = { database: account.database, schema: account.schema }

  const parse = (text: string) => FileLocation.parse(text, context)

  const localPathOf = (file: FileLocation.FileLocation) =>
    file.kind === "stage" ? account.stagePath(file.location) : account.modelFilePath(file.location)

  /**
   * The local path, or undefined when a file stands where one of its folders should be (`a` is a
   * file, `a/b` is asked for): nothing can exist there. LocalAccount reports that case as an
   * unreadable ENOTDIR.
   */
  const localPathUnlessBlocked = (file: FileLocation.FileLocation) =>
    localPathOf(file).pipe(
      Effect.catchIf(
        (error) => error.problem === "unreadable" && (error.detail ?? "").includes("ENOTDIR"),
        () => Effect.succeed(undefined)
      )
    )

  const display = (file: FileLocation.FileLocation): string => FileLocation.format(file)

  /** A stage file location that may be written: not a model file, not a folder, not a temp name. */
  const parseWritable = (text: string, what: string) =>
    Effect.flatMap(parse(text), (file) => {
      if (file.kind === "model") {
        return Effect.fail(
          new InvalidStageLocation({
            input: text,
            reason: `model version files (snow://model/…) are read-only; they are ${what} only through the model registry.`
          })
        )
      }
      return Effect.succeed(file.location)
    })

  const parseWritableFile = (text: string) =>
    Effect.flatMap(parseWritable(text, "written"), (location) => {
      if (location.isDirectory) {
        return Effect.fail(
          new InvalidStageLocation({
            input: text,
            reason: "it names a folder (it ends with / or is the stage root); write to a file name."
          })
        )
      }
      if (isTempName(basename(location.path))) {
        return Effect.fail(
          new InvalidStageLocation({
            input: text,
            reason: `names beginning with ${TEMP_PREFIX} are reserved for runbatch's temporary files.`
          })
        )
      }
      return Effect.succeed(location)
    })

  const walkScope = (
    file: FileLocation.FileLocation,
    text: string,
    request: { readonly matches: (path: string) => boolean; readonly limit?: number }
  ) =>
    Effect.gen(function* () {
      const scope = scopeOf(file, text)
      const container = yield* localPathOf(withPath(file, ""))
      const start = yield* localPathUnlessBlocked(scope.folder)
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

  const entryNaming = (file: FileLocation.FileLocation) => {
    if (file.kind === "stage") {
      const stage = StageLocation.format({ ...file.location, path: "", isDirectory: false })
      const lower = file.location.stage.toLowerCase()
      return { location: (path: string) => `${stage}/${path}`, name: (path: string) => `${lower}/${path}` }
    }
    const model = file.location
    return {
      location: (path: string) => ModelFileLocation.format({ ...model, path }),
      name: (path: string) => path
    }
  }

  const list: StageStoreShape["list"] = (text, listOptions = {}) =>
    Effect.gen(function* () {
      const file = yield* parse(text)
      const matches = yield* ListPattern.compile(text, listOptions.pattern)
      const { files }: WalkResult = yield* walkScope(file, text, { matches })
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

  /** The local path of an existing regular file, or StageFileError. */
  const existingFile = (text: string) =>
    Effect.gen(function* () {
      const file = yield* parse(text)
      if (isFolder(file, text) && file.kind === "stage") {
        return yield* new InvalidStageLocation({
          input: text,
          reason: "it names a folder (it ends with / or is the stage root); read a file."
        })
      }
      const where = display(file)
      const path = yield* localPathUnlessBlocked(file)
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

  const read: StageStoreShape["read"] = (text) =>
    Stream.unwrap(
      Effect.map(existingFile(text), ({ path, where }) =>
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

  const readBytes: StageStoreShape["readBytes"] = (text, readOptions = {}) =>
    Effect.gen(function* () {
      const limit = readOptions.maxBytes ?? MAX_READ_BYTES
      const { path, where, size } = yield* existingFile(text)
      const tooLarge = (bytes: number) =>
        new StageFileError({
          location: where,
          problem: "too_large",
          limitBytes: limit,
          detail: `${bytes} bytes`
        })
      if (size > limit) return yield* tooLarge(size)
      const bytes = yield* Effect.tryPromise({
        try: () => readFile(path),
        catch: (error) =>
          isMissing(error)
            ? new StageFileError({ location: where, problem: "not_found" })
            : unreadable(where, reasonOf(error))
      })
      // The file may have grown since it was measured.
      if (bytes.byteLength > limit) return yield* tooLarge(bytes.byteLength)
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    })

  const cannotWrite = (where: string, error: unknown) =>
    new StageFileError({ location: where, problem: "unwritable", detail: reasonOf(error) })

  /** Why `path` (found to exist) cannot be created: a file of that name, or a folder in the way. */
  const existsError = (where: string, path: string): Effect.Effect<never, StageFileError | StageFileExists> =>
    Effect.flatMap(
      Effect.promise(() =>
        lstat(path).then(
          (s) => s.isDirectory(),
          () => false
        )
      ),
      (isDirectory): Effect.Effect<never, StageFileError | StageFileExists> =>
        isDirectory
          ? Effect.fail(
              cannotWrite(
                where,
                "a folder of that name exists (a local stage cannot hold both a file a and files under a/)."
              )
            )
          : Effect.fail(new StageFileExists({ location: where }))
    )

  const writeData = <E>(
    handle: FileHandle,
    data: WriteData<E>,
    where: string
  ): Effect.Effect<WrittenFile, StageFileError | E> =>
    Effect.suspend(() => {
      const hash = createHash("sha256")
      let bytes = 0
      const chunk = (piece: Uint8Array) =>
        Effect.tryPromise({
          try: async () => {
            await writeAll(handle, piece, hash)
            bytes += piece.byteLength
          },
          catch: (error) => cannotWrite(where, error)
        })
      return (Stream.isStream(data) ? Stream.runForEach(data, chunk) : chunk(data)).pipe(
        Effect.map(() => ({ bytes, sha256: hash.digest("hex") }))
      )
    })

  const quietly = (f: () => Promise<unknown>) =>
    Effect.promise(() =>
      f().then(
        () => undefined,
        () => undefined
      )
    )

  /** Object-store mode: create the final name exclusively and write into it. */
  const writeDirect = <E>(path: string, data: WriteData<E>, where: string) =>
    Effect.acquireUseRelease(
      Effect.tryPromise({ try: () => open(path, "wx"), catch: (error) => error }).pipe(
        Effect.catch((error) =>
          codeOf(error) === "EEXIST" ? existsError(where, path) : Effect.fail(cannotWrite(where, error))
        )
      ),
      (handle) => writeData(handle, data, where),
      (handle, exit) =>
        Effect.andThen(
          quietly(() => handle.close()),
          // Our own partial file: remove it so no half-written file stays under the name.
          Exit.isFailure(exit) ? quietly(() => unlink(path)) : Effect.void
        )
    )

  /** Normal mode: write a temporary file, sync it, hard-link it to the final name (fails if taken). */
  const writeViaTemp = <E>(path: string, data: WriteData<E>, where: string) => {
    const temp = join(dirname(path), `${TEMP_PREFIX}${randomUUID()}`)
    return Effect.acquireUseRelease(
      Effect.tryPromise({ try: () => open(temp, "wx"), catch: (error) => cannotWrite(where, error) }),
      (handle) =>
        writeData(handle, data, where).pipe(
          Effect.tap(() =>
            Effect.tryPromise({
              try: () => handle.close(),
              catch: (error) => cannotWrite(where, error)
            })
          ),
          Effect.tap(() =>
            Effect.tryPromise({ try: () => link(temp, path), catch: (error) => error }).pipe(
              Effect.catch((error) => {
                if (codeOf(error) === "EEXIST") return existsError(where, path)
                // A filesystem without hard links: an exclusive copy is still never an overwrite.
                if (["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"].includes(codeOf(error) ?? "")) {
                  return Effect.tryPromise({
                    try: () => copyFile(temp, path, constants.COPYFILE_EXCL),
                    catch: (copyError) => copyError
                  }).pipe(
                    Effect.catch((copyError) =>
                      codeOf(copyError) === "EEXIST"
                        ? existsError(where, path)
                        : Effect.fail(cannotWrite(where, copyError))
                    )
                  )
                }
                return Effect.fail(cannotWrite(where, error))
              })
            )
          )
        ),
      (handle) =>
        Effect.andThen(
          quietly(() => handle.close()),
          quietly(() => unlink(temp))
        )
    )
  }

  const writeTo = <E>(location: StageLocation.StageLocation, data: WriteData<E>) =>
    Effect.gen(function* () {
      const where = StageLocation.format(location)
      const path = yield* localPathUnlessBlocked({ kind: "stage", location })
      if (path === undefined) return yield* cannotWrite(where, FILE_IN_THE_WAY)
      yield* Effect.tryPromise({
        try: () => mkdir(dirname(path), { recursive: true }),
        catch: (error) =>
          cannotWrite(
            where,
            codeOf(error) === "EEXIST" || codeOf(error) === "ENOTDIR" ? FILE_IN_THE_WAY : error
          )
      })
      return yield* objectStore ? writeDirect(path, data, where) : writeViaTemp(path, data, where)
    })

  const write: StageStoreShape["write"] = (text, data) =>
    Effect.flatMap(parseWritableFile(text), (location) => writeTo(location, data))

  const put: StageStoreShape["put"] = (localPath, text) =>
    Effect.gen(function* () {
      const stats = yield* Effect.tryPromise({
        try: () => stat(localPath),
        catch: (error) =>
          new LocalFileError({
            path: localPath,
            reason: isMissing(error) ? "it does not exist." : reasonOf(error)
          })
      })
      if (!stats.isFile()) {
        return yield* new LocalFileError({
          path: localPath,
          reason: "it is not a file; put copies one file."
        })
      }
      const given = yield* parseWritable(text, "written")
      const target = given.isDirectory ? yield* StageLocation.child(given, basename(localPath)) : given
      const formatted = StageLocation.format(target)
      yield* parseWritableFile(formatted)
      const source = Stream.suspend(() =>
        Stream.fromAsyncIterable(
          createReadStream(localPath, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Uint8Array>,
          (error) => new LocalFileError({ path: localPath, reason: reasonOf(error) })
        )
      )
      yield* writeTo(target, source)
    })

  const remove: StageStoreShape["remove"] = (text) =>
    Effect.gen(function* () {
      const location = yield* parseWritable(text, "removed")
      const file: FileLocation.FileLocation = { kind: "stage", location }
      const { files } = yield* walkScope(file, text, { matches: () => true })
      const container = yield* account.stagePath({ ...location, path: "", isDirectory: true })
      return yield* Effect.tryPromise({
        try: async () => {
          let removed = 0
          const folders = new Set<string>()
          for (const walked of files) {
            try {
              await unlink(walked.localPath)
              removed++
            } catch (error) {
              if (!isMissing(error)) throw error
            }
            for (
              let folder = dirname(walked.localPath);
              folder.startsWith(`${container}${sep}`);
              folder = dirname(folder)
            ) {
              folders.add(folder)
            }
          }
          // Folders left empty go too, deepest first (an object store has no empty folders); never the stage.
          for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
            await rmdir(folder).catch(() => undefined)
          }
          return removed
        },
        catch: (error) => unreadable(display(file), `cannot remove its files: ${reasonOf(error)}`)
      })
    })

  const exists: StageStoreShape["exists"] = (text) =>
    Effect.gen(function* () {
      const file = yield* parse(text)
      if (isFolder(file, text)) {
        const { files } = yield* walkScope(file, text, { matches: () => true, limit: 1 })
        return files.length > 0
      }
      const path = yield* localPathUnlessBlocked(file)
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

  const localPath: StageStoreShape["localPath"] = (text) => Effect.flatMap(parse(text), localPathOf)

  const recipe = {
    kind: "local" as const,
    home: account.home,
    database: account.database,
    schema: account.schema,
    objectStore
  }
  return { context, recipe, list, read, readBytes, write, put, remove, exists, localPath }
}
