/**
 * The behaviour every `StageStore` backend shares, as vitest tests: the local account's store defines
 * it and the Snowflake store (through the emulator with the real snowflake-sdk, or a real account)
 * must pass the same tests. Each test gets a fresh layer whose stages named in `CONFORMANCE_STAGES`
 * exist and are empty (a local store makes stages on first write; on Snowflake the layer creates them).
 */
import { createHash } from "node:crypto"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { StageStore } from "@runbatch/stage-io"
import { Effect, type Layer, Stream } from "effect"
import { describe, expect, it, onTestFinished } from "vitest"

/** The stages the suite writes to, as identifiers: a plain name and one with a space and unicode. */
export const CONFORMANCE_STAGES = ["CONFORMANCE", '"my stage é"'] as const

/** A table whose table stage the suite writes to (`@%CONFORMANCE_POINTS`). */
export const CONFORMANCE_TABLE = "CONFORMANCE_POINTS"

export interface StageStoreConformanceOptions {
  /** Names the describe block: "local", "snowflake (emulator)"… */
  readonly backend: string
  /**
   * A fresh StageStore (current database ML, schema PUBLIC) whose CONFORMANCE_STAGES exist, empty, and
   * whose CONFORMANCE_TABLE exists, with an empty user stage and table stage.
   */
  readonly layer: () => Layer.Layer<StageStore, unknown>
  /** Per-test timeout for the large-file test (ms). */
  readonly largeTimeout?: number
}

const S = "@CONFORMANCE"

const text = (value: string) => new TextEncoder().encode(value)

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** A folder for a test's local files, removed when it ends. */
const localFolder = (): string => {
  const folder = mkdtempSync(join(tmpdir(), "runbatch-stage-conformance-"))
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }))
  return folder
}

/** `count` chunks of 64 KiB, each filled with its own index: never one buffer of the whole. */
const chunks = (count: number) =>
  Stream.map(Stream.range(0, count - 1), (index) => new Uint8Array(64 * 1024).fill(index % 251))

export const stageStoreConformance = (options: StageStoreConformanceOptions): void => {
  const run = <A, E>(effect: Effect.Effect<A, E, StageStore>): Promise<A> =>
    Effect.runPromise(Effect.scoped(effect).pipe(Effect.provide(options.layer())) as Effect.Effect<A, E>)
  const failure = <A, E>(effect: Effect.Effect<A, E, StageStore>) => run(Effect.flip(effect))
  const paths = (location: string, pattern?: string) =>
    Effect.map(
      StageStore.use((store) => store.list(location, pattern === undefined ? {} : { pattern })),
      (entries) => entries.map((entry) => entry.path)
    )

  describe(`StageStore conformance: ${options.backend}`, () => {
    it("writes a file once and reads the same bytes back, with the size and sha256 it reported", async () => {
      const result = await run(
        Effect.gen(function* () {
          const store = yield* StageStore
          const written = yield* store.write(`${S}/dir/a.txt`, text("hello, stage"))
          const bytes = yield* store.readBytes(`${S}/dir/a.txt`)
          const streamed = yield* Stream.runCollect(store.read(`${S}/dir/a.txt`))
          const [entry] = yield* store.list(`${S}/dir/a.txt`)
          const [again] = yield* store.list(`${S}/dir/a.txt`)
          return { written, bytes, streamed, entry, again, size: yield* store.size(`${S}/dir/a.txt`) }
        })
      )
      expect(new TextDecoder().decode(result.bytes)).toBe("hello, stage")
      expect(Buffer.concat(result.streamed).toString()).toBe("hello, stage")
      expect(result.written).toEqual({ bytes: 12, sha256: sha256(text("hello, stage")) })
      expect(result.size).toBe(12)
      expect(result.entry).toMatchObject({
        location: "@ML.PUBLIC.CONFORMANCE/dir/a.txt",
        name: "conformance/dir/a.txt",
        path: "dir/a.txt",
        size: 12
      })
      // LIST's md5 is only comparable with an earlier LIST's (on an encrypted stage it is no content hash).
      expect(result.entry!.md5).not.toBe("")
      expect(result.again!.md5).toBe(result.entry!.md5)
      expect(result.entry!.lastModified.getTime()).not.toBeNaN()
    })

    it("lists a location without a slash as a prefix and one with a slash as a folder", async () => {
      const listed = await run(
        Effect.gen(function* () {
          const store = yield* StageStore
          for (const path of ["out/job/a.parquet", "out/job2/b.parquet", "out/job.txt", "other/c.txt"])
            yield* store.write(`${S}/${path}`, text(path))
          return {
            prefix: yield* paths(`${S}/out/job`),
            folder: yield* paths(`${S}/out/job/`),
            root: yield* paths(`${S}/`),
            pattern: yield* paths(`${S}/out/`, ".*[.]parquet"),
            anchored: yield* paths(`${S}/`, "job.*"),
            withoutMd5: yield* store.list(`${S}/out/job/`, { withoutMd5: true })
          }
        })
      )
      expect(listed.prefix).toEqual(["out/job.txt", "out/job/a.parquet", "out/job2/b.parquet"])
      expect(listed.folder).toEqual(["out/job/a.parquet"])
      expect(listed.root).toHaveLength(4)
      expect(listed.pattern).toEqual(["out/job/a.parquet", "out/job2/b.parquet"])
      // The pattern must match the whole path inside the stage.
      expect(listed.anchored).toEqual([])
      expect(listed.withoutMd5[0]!.md5).toBe("")
    })

    it("refuses a second write of a name (StageFileExists) and keeps the first file's bytes", async () => {
      const { error, bytes } = await run(
        Effect.gen(function* () {
          const store = yield* StageStore
          yield* store.write(`${S}/once.txt`, text("first"))
          const error = yield* Effect.flip(store.write(`${S}/once.txt`, text("second")))
          return { error, bytes: yield* store.readBytes(`${S}/once.txt`) }
        })
      )
      expect(error._tag).toBe("StageFileExists")
      expect(new TextDecoder().decode(bytes)).toBe("first")
    })

    it("refuses locations that could leave their stage, and an invalid pattern", async () => {
      for (const location of [`${S}/../x.txt`, `${S}/a/%2e%2e/b.txt`, `${S}/a\\b.txt`, `${S}/a%2fb.txt`]) {
        const error = await failure(StageStore.use((store) => store.write(location, text("x"))))
        expect(error._tag, location).toBe("InvalidStageLocation")
        const read = await failure(StageStore.use((store) => store.readBytes(location)))
        expect(read._tag, location).toBe("InvalidStageLocation")
      }
      const pattern = await failure(StageStore.use((store) => store.list(`${S}/`, { pattern: "(" })))
      expect(pattern._tag).toBe("InvalidStageLocation")
      const folder = await failure(StageStore.use((store) => store.write(`${S}/dir/`, text("x"))))
      expect(folder._tag).toBe("InvalidStageLocation")
    })

    it("reports a missing file as not_found on read, readBytes and size, and as absent", async () => {
      const result = await run(
        Effect.gen(function* () {
          const store = yield* StageStore
          yield* store.write(`${S}/here/a.txt`, text("a"))
          return {
            read: yield* Effect.flip(Stream.runDrain(store.read(`${S}/here/b.txt`))),
            bytes: yield* Effect.flip(store.readBytes(`${S}/here/a.tx`)),
            size: yield* Effect.flip(store.size(`${S}/missing.txt`)),
            exists: yield* store.exists(`${S}/here/a.tx`),
            folder: yield* store.exists(`${S}/here/`),
            empty: yield* store.list(`${S}/nothing/`)
          }
        })
      )
      for (const error of [result.read, result.bytes, result.size])
        expect(error).toMatchObject({ _tag: "StageFileError", problem: "not_found" })
      expect(result.exists).toBe(false)
      expect(result.folder).toBe(true)
      expect(result.empty).toEqual([])
    })

    it("keeps names with quotes, spaces and unicode, on a stage whose name has them too", async () => {
      const locations = [`${S}/it's a "file" é.txt`, `@${CONFORMANCE_STAGES[1]}/dossier été/l'été.txt`]
      const result = await run(
        Effect.gen(function* () {
          const store = yield* StageStore
          const read: Array<string> = []
          for (const location of locations) {
            yield* store.write(location, text(location))
            read.push(new TextDecoder().decode(yield* store.readBytes(location)))
          }
          return { read, listed: yield* paths(`@${CONFORMANCE_STAGES[1]}/`) }
        })
      )
      expect(result.read).toEqual(locations)
      expect(result.listed).toEqual(["dossier été/l'été.txt"])
    })

    it("removes by prefix, or a folder alone with its trailing slash", async () => {
      const result = await run(
        Effect.gen(function* () {
          const store = yield* StageStore
          for (const path of ["out/job/a.txt", "out/job/b.txt", "out/job2/c.txt", "out/job.txt"])
            yield* store.write(`${S}/${path}`, text(path))
          const folder = yield* store.remove(`${S}/out/job/`)
          const afterFolder = yield* paths(`${S}/`)
          const prefix = yield* store.remove(`${S}/out/job`)
          return { folder, afterFolder, prefix, after: yield* paths(`${S}/`) }
        })
      )
      expect(result.folder).toBe(2)
      expect(result.afterFolder).toEqual(["out/job.txt", "out/job2/c.txt"])
      expect(result.prefix).toBe(2)
      expect(result.after).toEqual([])
    })

    it("puts a folder's files under a folder, and refuses a put onto a taken name without copying any", async () => {
      const folder = localFolder()
      mkdirSync(join(folder, "sub"))
      writeFileSync(join(folder, "a.txt"), "a")
      writeFileSync(join(folder, "sub", "b.txt"), "b")
      const single = join(localFolder(), "single.txt")
      writeFileSync(single, "single")
      const result = await run(
        Effect.gen(function* () {
          const store = yield* StageStore
          const put = yield* store.put(folder, `${S}/in`)
          const file = yield* store.put(single, `${S}/files/`)
          yield* store.write(`${S}/again/sub/b.txt`, text("taken"))
          const refused = yield* Effect.flip(store.put(folder, `${S}/again/`))
          return { put, file, refused, again: yield* paths(`${S}/again/`) }
        })
      )
      expect(result.put).toEqual(["@ML.PUBLIC.CONFORMANCE/in/a.txt", "@ML.PUBLIC.CONFORMANCE/in/sub/b.txt"])
      expect(result.file).toEqual(["@ML.PUBLIC.CONFORMANCE/files/single.txt"])
      expect(result.refused._tag).toBe("StageFileExists")
      expect(result.again).toEqual(["again/sub/b.txt"])
    })

    it("streams a large file in and out in bounded chunks, the sha256 read back equal to the one written", {
      timeout: options.largeTimeout ?? 60_000
    }, async () => {
      const count = 320 // 20 MiB
      const result = await run(
        Effect.gen(function* () {
          const store = yield* StageStore
          const written = yield* store.write(`${S}/large.bin`, chunks(count))
          const hash = createHash("sha256")
          let largest = 0
          let total = 0
          yield* Stream.runForEach(store.read(`${S}/large.bin`), (chunk) =>
            Effect.sync(() => {
              hash.update(chunk)
              largest = Math.max(largest, chunk.byteLength)
              total += chunk.byteLength
            })
          )
          const tooLarge = yield* Effect.flip(store.readBytes(`${S}/large.bin`, { maxBytes: 1024 }))
          return { written, sha256: hash.digest("hex"), largest, total, tooLarge }
        })
      )
      expect(result.written.bytes).toBe(count * 64 * 1024)
      expect(result.total).toBe(count * 64 * 1024)
      expect(result.sha256).toBe(result.written.sha256)
      // Never the whole file in one piece: the reader hands it over in chunks of at most 1 MiB.
      expect(result.largest).toBeLessThanOrEqual(1024 * 1024)
      expect(result.tooLarge).toMatchObject({ _tag: "StageFileError", problem: "too_large" })
    })

    it("fills a caller's buffer with readInto, and reports another size when the buffer does not fit", async () => {
      const result = await run(
        Effect.gen(function* () {
          const store = yield* StageStore
          yield* store.write(`${S}/into.txt`, text("0123456789"))
          const exact = new Uint8Array(10)
          const fits = yield* store.readInto(`${S}/into.txt`, exact)
          const other = yield* store.readInto(`${S}/into.txt`, new Uint8Array(4))
          return { fits, exact, other }
        })
      )
      expect(result.fits).toBe(10)
      expect(new TextDecoder().decode(result.exact)).toBe("0123456789")
      expect(result.other).not.toBe(4)
    })

    it.each([
      ["the user stage", "@~/conformance", "@~/conformance"],
      ["a table stage", `@%${CONFORMANCE_TABLE}/dir`, `@ML.PUBLIC.%${CONFORMANCE_TABLE}/dir`]
    ])("writes, puts, lists, reads and removes on %s", async (_, root, formatted) => {
      const single = join(localFolder(), "put.txt")
      writeFileSync(single, "put")
      const result = await run(
        Effect.gen(function* () {
          const store = yield* StageStore
          const written = yield* store.write(`${root}/a.txt`, text("on a stage of its own"))
          const put = yield* store.put(single, `${root}/sub/`)
          const entries = yield* store.list(`${root}/`)
          const bytes = yield* store.readBytes(`${root}/a.txt`)
          const streamed = yield* Stream.runCollect(store.read(`${root}/sub/put.txt`))
          const size = yield* store.size(`${root}/a.txt`)
          const again = yield* Effect.flip(store.write(`${root}/a.txt`, text("again")))
          const removed = yield* store.remove(`${root}/`)
          return {
            written,
            put,
            entries,
            bytes,
            streamed,
            size,
            again,
            removed,
            after: yield* paths(`${root}/`)
          }
        })
      )
      const inside = root.slice(root.indexOf("/") + 1)
      expect(result.written.bytes).toBe(21)
      expect(result.put).toEqual([`${formatted}/sub/put.txt`])
      expect(result.entries.map((e) => [e.location, e.name, e.path, e.size])).toEqual([
        // LIST names a user or table stage's files by their path alone (unverified on a real account).
        [`${formatted}/a.txt`, `${inside}/a.txt`, `${inside}/a.txt`, 21],
        [`${formatted}/sub/put.txt`, `${inside}/sub/put.txt`, `${inside}/sub/put.txt`, 3]
      ])
      expect(new TextDecoder().decode(result.bytes)).toBe("on a stage of its own")
      expect(Buffer.concat(result.streamed).toString()).toBe("put")
      expect(result.size).toBe(21)
      expect(result.again._tag).toBe("StageFileExists")
      expect(result.removed).toBe(2)
      expect(result.after).toEqual([])
    })

    it("keeps the user stage, a table stage and a named stage apart", async () => {
      const result = await run(
        Effect.gen(function* () {
          const store = yield* StageStore
          yield* store.write(`@~/apart/f.txt`, text("user"))
          yield* store.write(`@%${CONFORMANCE_TABLE}/apart/f.txt`, text("table"))
          yield* store.write(`${S}/apart/f.txt`, text("named"))
          const read = (location: string) =>
            Effect.map(store.readBytes(location), (bytes) => new TextDecoder().decode(bytes))
          return [
            yield* read(`@~/apart/f.txt`),
            yield* read(`@%${CONFORMANCE_TABLE}/apart/f.txt`),
            yield* read(`${S}/apart/f.txt`)
          ]
        })
      )
      expect(result).toEqual(["user", "table", "named"])
    })

    it("fails a write whose data stream fails, leaving no file behind", async () => {
      const result = await run(
        Effect.gen(function* () {
          const store = yield* StageStore
          const broken = Stream.concat(Stream.make(text("partial")), Stream.fail("source broke" as const))
          const error = yield* Effect.flip(store.write(`${S}/broken.txt`, broken))
          return { error, exists: yield* store.exists(`${S}/broken.txt`) }
        })
      )
      expect(result.error).toBe("source broke")
      expect(result.exists).toBe(false)
    })
  })
}
