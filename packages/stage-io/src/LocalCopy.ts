/**
 * A stage file as a file on this machine, to be read in place — a parquet footer, a row group, a hash
 * pass — and never held whole in memory. A store with a local path (the local account, a stage volume
 * mounted in SPCS) gives the file itself. Any other store's file is streamed (`read`) chunk by chunk
 * into a private temporary folder (mode 0700, made in `TemporaryFolder`), which is removed when the
 * scope closes: after success, failure or interruption alike. Only a process killed outright leaves its
 * folder behind.
 */
import type { FileHandle } from "node:fs/promises"
import { mkdtemp, open, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { LocalCopyFailed } from "@runbatch/spec"
import { Context, Effect, type Scope, Stream } from "effect"
import { type StageError, StageStore } from "./StageStore.ts"

/**
 * Where private copies are made, each in a new folder of its own: the OS's temporary folder (`TMPDIR`)
 * unless provided.
 */
export const TemporaryFolder = Context.Reference<string>("@runbatch/stage-io/LocalCopy/TemporaryFolder", {
  defaultValue: () => tmpdir()
})

/** The prefix of each private folder's name, so that one left by a killed process can be recognised. */
const FOLDER_PREFIX = "runbatch-copy-"

const reasonOf = (error: unknown): string =>
  `${error instanceof Error ? error.message : String(error)}.`.replace(/\.\.$/, ".")

/** A FileHandle may write less than it is given; the rest follows. */
const writeAll = async (handle: FileHandle, chunk: Uint8Array): Promise<void> => {
  let written = 0
  while (written < chunk.byteLength) written += (await handle.write(chunk, written)).bytesWritten
}

/** The local path of the file at `location`, for as long as the scope lasts. */
export const localFile = (
  location: string
): Effect.Effect<string, StageError | LocalCopyFailed, StageStore | Scope.Scope> =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const inPlace = yield* store.localPath(location)
    if (inPlace !== undefined) return inPlace
    const parent = yield* TemporaryFolder
    const failed = (folder: string) => (error: unknown) =>
      new LocalCopyFailed({ location, folder, reason: reasonOf(error) })
    // mkdtemp makes the folder readable by its owner only (0700): the copy is nobody else's to read.
    const folder = yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => mkdtemp(join(parent, FOLDER_PREFIX)), catch: failed(parent) }),
      (folder) => Effect.promise(() => rm(folder, { recursive: true, force: true }))
    )
    const path = join(folder, "file")
    yield* Effect.acquireUseRelease(
      Effect.tryPromise({ try: () => open(path, "wx", 0o600), catch: failed(folder) }),
      (handle) =>
        Stream.runForEach(store.read(location), (chunk) =>
          Effect.tryPromise({ try: () => writeAll(handle, chunk), catch: failed(folder) })
        ),
      (handle) => Effect.promise(() => handle.close().catch(() => undefined))
    )
    return path
  })
