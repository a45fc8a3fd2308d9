import { randomBytes } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { StageFileError } from "@runbatch/spec"
import { Deferred, Effect, Fiber, type Layer, Stream } from "effect"
import { LocalCopy, type StageError, StageStore } from "../src/index.ts"
import { remoteStoreLayer, storeLayer, tempHome } from "./support.ts"

const LOCATION = "@ML.PUBLIC.S/in/data.bin"

/** 1 MiB and a bit: sixteen 64 KiB chunks and a short one. */
const CONTENTS = randomBytes(1024 * 1024 + 123)

/** A home whose stage holds CONTENTS, and a temporary folder of the test's own for copies. */
const setUp = () =>
  Effect.gen(function* () {
    const home = tempHome()
    yield* Effect.flatMap(StageStore, (store) => store.write(LOCATION, CONTENTS)).pipe(
      Effect.provide(storeLayer(home))
    )
    const copies = mkdtempSync(join(tmpdir(), "runbatch-copies-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(copies, { recursive: true, force: true })))
    return { home, copies }
  })

const copyIn = <A, E>(
  copies: string,
  store: Layer.Layer<StageStore>,
  use: (path: string) => Effect.Effect<A, E>
) =>
  Effect.scoped(Effect.flatMap(LocalCopy.localFile(LOCATION), use)).pipe(
    Effect.provideService(LocalCopy.TemporaryFolder, copies),
    Effect.provide(store)
  )

const breakAfterFirstChunk = (location: string, bytes: Stream.Stream<Uint8Array, StageError>) =>
  bytes.pipe(
    Stream.take(1),
    Stream.concat(
      Stream.fail(new StageFileError({ location, problem: "unreadable", detail: "connection reset" }))
    )
  )

describe("LocalCopy.localFile", () => {
  it.effect("gives a store's local file in place, copying nothing", () =>
    Effect.gen(function* () {
      const { home, copies } = yield* setUp()
      const inPlace = yield* Effect.flatMap(StageStore, (store) => store.localPath(LOCATION)).pipe(
        Effect.provide(storeLayer(home))
      )
      const path = yield* copyIn(copies, storeLayer(home), (path) =>
        Effect.sync(() => {
          expect(readdirSync(copies)).toEqual([])
          return path
        })
      )
      expect(path).toBe(inPlace)
      expect(existsSync(path)).toBe(true)
    })
  )

  it.effect("copies a remote store's file into a private folder, removed when the scope closes", () =>
    Effect.gen(function* () {
      const { home, copies } = yield* setUp()
      const path = yield* copyIn(copies, remoteStoreLayer(home), (path) =>
        Effect.sync(() => {
          expect(readdirSync(copies)).toEqual([dirname(path).slice(copies.length + 1)])
          expect(statSync(dirname(path)).mode & 0o777).toBe(0o700)
          expect(Buffer.compare(readFileSync(path), CONTENTS)).toBe(0)
          return path
        })
      )
      expect(existsSync(path)).toBe(false)
      expect(readdirSync(copies)).toEqual([])
    })
  )

  it.effect("removes the copy when what uses it fails", () =>
    Effect.gen(function* () {
      const { home, copies } = yield* setUp()
      const error = yield* Effect.flip(
        copyIn(copies, remoteStoreLayer(home), () => Effect.fail("parse failed"))
      )
      expect(error).toBe("parse failed")
      expect(readdirSync(copies)).toEqual([])
    })
  )

  it.effect("fails with the store's error when its stream breaks midway, and leaves nothing", () =>
    Effect.gen(function* () {
      const { home, copies } = yield* setUp()
      const error = yield* Effect.flip(
        copyIn(copies, remoteStoreLayer(home, breakAfterFirstChunk), () => Effect.void)
      )
      expect(error).toMatchObject({ _tag: "StageFileError", detail: "connection reset" })
      expect(readdirSync(copies)).toEqual([])
    })
  )

  it.live("removes the copy when interrupted while copying, and when interrupted while in use", () =>
    Effect.gen(function* () {
      const { home, copies } = yield* setUp()
      const folderHoldsAChunk = () =>
        readdirSync(copies).some((folder) => {
          const file = join(copies, folder, "file")
          return existsSync(file) && statSync(file).size > 0
        })
      // The store sends one chunk, then nothing more.
      const stalled = remoteStoreLayer(home, (_, bytes) =>
        bytes.pipe(Stream.take(1), Stream.concat(Stream.never))
      )
      const copying = yield* Effect.forkChild(copyIn(copies, stalled, () => Effect.void))
      while (!folderHoldsAChunk()) yield* Effect.sleep("10 millis")
      yield* Fiber.interrupt(copying)
      expect(readdirSync(copies)).toEqual([])

      const inUse = yield* Deferred.make<string>()
      const using = yield* Effect.forkChild(
        copyIn(copies, remoteStoreLayer(home), (path) =>
          Deferred.succeed(inUse, path).pipe(Effect.andThen(Effect.never))
        )
      )
      const path = yield* Deferred.await(inUse)
      expect(existsSync(path)).toBe(true)
      yield* Fiber.interrupt(using)
      expect(readdirSync(copies)).toEqual([])
    })
  )

  it.effect("fails with LocalCopyFailed, naming the folder, when it cannot make its folder", () =>
    Effect.gen(function* () {
      const { home, copies } = yield* setUp()
      const missing = join(copies, "no", "such", "folder")
      const error = yield* Effect.flip(copyIn(missing, remoteStoreLayer(home), () => Effect.void))
      expect(error._tag).toBe("LocalCopyFailed")
      expect(error.message).toContain(
        `could not be copied into ${missing} to be read on this machine: ENOENT`
      )
    })
  )
})
