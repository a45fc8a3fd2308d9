import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import {
  InvalidStageLocation,
  LocalFileError,
  LocalLayout,
  StageFileError,
  StageFileExists
} from "@runbatch/spec"
import { Effect, Stream } from "effect"
import { StageStore } from "../src/index.ts"
import { bytes, modes, SCHEMA, stageDir, storeLayer, tempHome, text } from "./support.ts"

const md5 = (data: string | Uint8Array) => createHash("md5").update(data).digest("hex")

/** Files written straight into a stage folder, as a user or another process would leave them. */
const seed = (home: string, stage: string, files: Record<string, string>) => {
  for (const [path, contents] of Object.entries(files)) {
    const file = join(stageDir(home, stage), path)
    mkdirSync(join(file, ".."), { recursive: true })
    writeFileSync(file, contents)
  }
}

const paths = (entries: ReadonlyArray<{ readonly path: string }>) => entries.map((e) => e.path)

/** Every file under a folder, recursively (what is really on disk). */
const filesUnder = (folder: string): Array<string> =>
  existsSync(folder)
    ? readdirSync(folder, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => join(d.parentPath, d.name).slice(folder.length + 1))
        .sort()
    : []

describe("list", () => {
  it.effect("lists every file under the stage recursively, sorted, with LIST's columns", () => {
    const home = tempHome()
    seed(home, "IMAGES", {
      "cats/1.png": "one",
      "cats/2.png": "two!",
      "dogs/big/3.jpg": "three",
      "readme.txt": ""
    })
    return Effect.gen(function* () {
      const store = yield* StageStore
      const before = Date.now()
      const entries = yield* store.list("@IMAGES")
      expect(paths(entries)).toStrictEqual(["cats/1.png", "cats/2.png", "dogs/big/3.jpg", "readme.txt"])
      expect(entries[1]).toMatchObject({
        location: "@ML.PUBLIC.IMAGES/cats/2.png",
        name: "images/cats/2.png",
        path: "cats/2.png",
        size: 4,
        md5: md5("two!")
      })
      expect(entries[3]).toMatchObject({ size: 0, md5: md5("") })
      for (const entry of entries) {
        expect(entry.lastModified.getTime()).toBe(
          statSync(join(stageDir(home, "IMAGES"), entry.path)).mtime.getTime()
        )
        expect(entry.lastModified.getTime()).toBeLessThanOrEqual(before)
      }
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("withoutMd5 leaves md5 empty and keeps sizes", () => {
    const home = tempHome()
    seed(home, "S", { a: "12345" })
    return Effect.gen(function* () {
      const [entry] = yield* (yield* StageStore).list("@S/", { withoutMd5: true })
      expect(entry).toMatchObject({ path: "a", size: 5, md5: "" })
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("a location without a trailing slash is a prefix; with one it is a folder", () => {
    const home = tempHome()
    seed(home, "S", {
      "dir/a": "",
      "dir/sub/b": "",
      "dir2/c": "",
      "dir.txt": "",
      di: "",
      "other/dir/d": "",
      "x/dir/e": "",
      "x/dirt/f": "",
      "x/y": ""
    })
    return Effect.gen(function* () {
      const store = yield* StageStore
      const list = (location: string) => Effect.map(store.list(location, { withoutMd5: true }), paths)
      expect(yield* list("@S/dir")).toStrictEqual(["dir.txt", "dir/a", "dir/sub/b", "dir2/c"])
      expect(yield* list("@S/dir/")).toStrictEqual(["dir/a", "dir/sub/b"])
      expect(yield* list("@S/x/dir")).toStrictEqual(["x/dir/e", "x/dirt/f"])
      expect(yield* list("@S/x/dir/")).toStrictEqual(["x/dir/e"])
      expect(yield* list("@S/dir/a")).toStrictEqual(["dir/a"])
      expect(yield* list("@S/nothing")).toStrictEqual([])
      expect(yield* list("@S/nothing/")).toStrictEqual([])
      expect((yield* list("@S")).length).toBe(9)
      expect(yield* list("@S/")).toStrictEqual(yield* list("@ML.PUBLIC.S"))
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("pattern is a regex that must match the whole path inside the stage", () => {
    const home = tempHome()
    seed(home, "S", {
      "cats/1.png": "",
      "cats/1.png.bak": "",
      "cats/2.jpg": "",
      "dogs/3.png": "",
      "x.PNG": ""
    })
    return Effect.gen(function* () {
      const store = yield* StageStore
      const list = (location: string, pattern: string) =>
        Effect.map(store.list(location, { pattern, withoutMd5: true }), paths)
      expect(yield* list("@S", ".*\\.png")).toStrictEqual(["cats/1.png", "dogs/3.png"])
      expect(yield* list("@S", "png")).toStrictEqual([])
      expect(yield* list("@S", ".*[.](png|PNG)")).toStrictEqual(["cats/1.png", "dogs/3.png", "x.PNG"])
      // Matched against the path in the stage, not the path below the listed folder.
      expect(yield* list("@S/cats/", "cats/.*")).toStrictEqual(["cats/1.png", "cats/1.png.bak", "cats/2.jpg"])
      expect(yield* list("@S/cats/", "1\\.png")).toStrictEqual([])
      // Alternation stays inside the anchors.
      expect(yield* list("@S", "cats/1.png|dogs/3.png")).toStrictEqual(["cats/1.png", "dogs/3.png"])
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("an invalid pattern is an InvalidStageLocation naming the pattern", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const error = yield* Effect.flip((yield* StageStore).list("@S/", { pattern: "(unclosed" }))
      expect(error).toBeInstanceOf(InvalidStageLocation)
      expect(error.message).toContain('"(unclosed"')
      expect(error.message).toContain("not a valid regular expression")
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("a stage nobody wrote to lists as empty and is not created by listing", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      expect(yield* (yield* StageStore).list("@OTHER_DB.OTHER_SCHEMA.NEW_STAGE/")).toStrictEqual([])
      expect(existsSync(join(home, "stages"))).toBe(false)
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("names resolve like Snowflake identifiers; paths keep their case", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const store = yield* StageStore
      yield* store.write('@"my stage"/Cats/A.png', bytes("x"))
      yield* store.write("@other.sch.stg/f", bytes("y"))
      const [quoted] = yield* store.list('@ML.PUBLIC."my stage"')
      expect(quoted).toMatchObject({
        location: '@ML.PUBLIC."my stage"/Cats/A.png',
        name: "my stage/Cats/A.png"
      })
      expect(
        existsSync(join(LocalLayout.stageDir(home, { database: "OTHER", schema: "SCH", stage: "STG" }), "f"))
      ).toBe(true)
      expect(yield* store.list("@S/cats/", { withoutMd5: true })).toStrictEqual([])
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("sorts by code unit, not by locale", () => {
    const home = tempHome()
    seed(home, "S", { b: "", "a/z": "", A: "", "a-b": "", ä: "" })
    return Effect.gen(function* () {
      expect(paths(yield* (yield* StageStore).list("@S", { withoutMd5: true }))).toStrictEqual([
        "A",
        "a-b",
        "a/z",
        "b",
        "ä"
      ])
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("never lists writers' temporary files", () => {
    const home = tempHome()
    seed(home, "S", { "dir/.runbatch-tmp-1234": "partial", "dir/.hidden": "shown", "dir/f": "" })
    return Effect.gen(function* () {
      expect(paths(yield* (yield* StageStore).list("@S"))).toStrictEqual(["dir/.hidden", "dir/f"])
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("lists, reads and checks model version files, but never writes or removes them", () => {
    const home = tempHome()
    const version = LocalLayout.versionDir(home, { database: "ML", schema: "PUBLIC", name: "CLF" }, "V1")
    mkdirSync(join(version, "model"), { recursive: true })
    writeFileSync(join(version, "MANIFEST.yml"), "manifest_version: 1.0\n")
    writeFileSync(join(version, "model", "model.yaml"), "signatures: {}\n")
    const base = "snow://model/ML.PUBLIC.CLF/versions/V1/"
    return Effect.gen(function* () {
      const store = yield* StageStore
      const entries = yield* store.list(base)
      expect(entries.map((e) => e.location)).toStrictEqual([`${base}MANIFEST.yml`, `${base}model/model.yaml`])
      expect(entries[1]).toMatchObject({
        path: "model/model.yaml",
        name: "model/model.yaml",
        md5: md5("signatures: {}\n")
      })
      expect(paths(yield* store.list(`${base}model/`))).toStrictEqual(["model/model.yaml"])
      expect(paths(yield* store.list(`${base}M`))).toStrictEqual(["MANIFEST.yml"])
      expect(text(yield* store.readBytes(`${base}model/model.yaml`))).toBe("signatures: {}\n")
      expect(yield* store.exists(`${base}model/model.yaml`)).toBe(true)
      expect(yield* store.localPath(`${base}model/model.yaml`)).toBe(join(version, "model", "model.yaml"))
      const refused = [
        yield* Effect.flip(store.write(`${base}model/new.bin`, bytes("x"))),
        yield* Effect.flip(store.remove(`${base}model/`)),
        yield* Effect.flip(store.put(join(version, "MANIFEST.yml"), `${base}copy.yml`))
      ]
      for (const error of refused) {
        expect(error).toBeInstanceOf(InvalidStageLocation)
        expect(error.message).toContain("read-only")
      }
      expect(filesUnder(version)).toStrictEqual(["MANIFEST.yml", join("model", "model.yaml")])
    }).pipe(Effect.provide(storeLayer(home)))
  })
})

describe("read", () => {
  it.effect("streams a file in chunks", () => {
    const home = tempHome()
    const contents = new Uint8Array(200_000).map((_, i) => (i * 7) % 251)
    mkdirSync(stageDir(home, "S"), { recursive: true })
    writeFileSync(join(stageDir(home, "S"), "big.bin"), contents)
    return Effect.gen(function* () {
      const chunks = yield* Stream.runCollect((yield* StageStore).read("@S/big.bin"))
      expect(chunks.length).toBeGreaterThan(1)
      expect(Buffer.concat(chunks).equals(Buffer.from(contents))).toBe(true)
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("can stop early", () => {
    const home = tempHome()
    mkdirSync(stageDir(home, "S"), { recursive: true })
    writeFileSync(join(stageDir(home, "S"), "big.bin"), new Uint8Array(1_000_000))
    return Effect.gen(function* () {
      const first = yield* Stream.runCollect(Stream.take((yield* StageStore).read("@S/big.bin"), 1))
      expect(first).toHaveLength(1)
      expect(first[0]!.byteLength).toBe(64 * 1024)
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect(
    "a missing file is StageFileError not_found, for read, readBytes and through a missing folder",
    () => {
      const home = tempHome()
      seed(home, "S", { present: "" })
      return Effect.gen(function* () {
        const store = yield* StageStore
        const errors = [
          yield* Effect.flip(Stream.runCollect(store.read("@S/absent"))),
          yield* Effect.flip(store.readBytes("@S/absent")),
          yield* Effect.flip(store.readBytes("@S/no/such/folder/file")),
          yield* Effect.flip(store.readBytes("@S/present/child")),
          yield* Effect.flip(store.readBytes("@NEVER_USED/file"))
        ]
        for (const error of errors) {
          expect(error).toBeInstanceOf(StageFileError)
          expect(error).toMatchObject({ problem: "not_found" })
        }
        expect(errors[0]!.message).toContain("@ML.PUBLIC.S/absent")
      }).pipe(Effect.provide(storeLayer(home)))
    }
  )

  it.effect("a folder is not a file", () => {
    const home = tempHome()
    seed(home, "S", { "dir/f": "" })
    return Effect.gen(function* () {
      const store = yield* StageStore
      const asFolder = yield* Effect.flip(store.readBytes("@S/dir/"))
      expect(asFolder).toBeInstanceOf(InvalidStageLocation)
      const asFile = yield* Effect.flip(store.readBytes("@S/dir"))
      expect(asFile).toMatchObject({ _tag: "StageFileError", problem: "unreadable" })
      expect(asFile.message).toContain("folder")
      const streamed = yield* Effect.flip(Stream.runCollect(store.read("@S/dir")))
      expect(streamed).toMatchObject({ _tag: "StageFileError", problem: "unreadable" })
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("readBytes reads whole files up to maxBytes and refuses larger ones before reading", () => {
    const home = tempHome()
    seed(home, "S", { ten: "0123456789" })
    return Effect.gen(function* () {
      const store = yield* StageStore
      expect(text(yield* store.readBytes("@S/ten"))).toBe("0123456789")
      expect(text(yield* store.readBytes("@S/ten", { maxBytes: 10 }))).toBe("0123456789")
      const error = yield* Effect.flip(store.readBytes("@S/ten", { maxBytes: 9 }))
      expect(error).toBeInstanceOf(StageFileError)
      expect(error).toMatchObject({ problem: "too_large", limitBytes: 9, detail: "10 bytes" })
      expect(error.message).toContain("9-byte limit")
    }).pipe(Effect.provide(storeLayer(home)))
  })
  it.effect("readInto reads a whole file into a buffer sized to it, in place, byte for byte", () => {
    const home = tempHome()
    seed(home, "S", { ten: "0123456789", empty: "" })
    const big = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251)
    writeFileSync(join(stageDir(home, "S"), "big.bin"), big)
    return Effect.gen(function* () {
      const store = yield* StageStore
      // Slots of one buffer, as a batch of files is read.
      const batch = new Uint8Array(4 + 10 + big.length)
      expect(yield* store.readInto("@S/ten", batch.subarray(4, 14))).toBe(10)
      expect(yield* store.readInto("@S/big.bin", batch.subarray(14), { maxBytes: big.length })).toBe(
        big.length
      )
      expect(yield* store.readInto("@S/empty", batch.subarray(0, 0))).toBe(0)
      expect(Array.from(batch.subarray(0, 4))).toEqual([0, 0, 0, 0])
      expect(text(batch.subarray(4, 14))).toBe("0123456789")
      expect(Buffer.from(batch.subarray(14)).equals(Buffer.from(big))).toBe(true)
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("readInto reads nothing into a buffer of the wrong size and returns the file's size", () => {
    const home = tempHome()
    seed(home, "S", { ten: "0123456789" })
    return Effect.gen(function* () {
      const store = yield* StageStore
      const short = new Uint8Array(9)
      expect(yield* store.readInto("@S/ten", short)).toBe(10)
      expect(Array.from(short)).toEqual(new Array(9).fill(0))
      const long = new Uint8Array(11)
      expect(yield* store.readInto("@S/ten", long)).toBe(10)
      expect(Array.from(long)).toEqual(new Array(11).fill(0))
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("readInto fails as readBytes does: too large, missing, a folder", () => {
    const home = tempHome()
    seed(home, "S", { ten: "0123456789", "dir/f": "" })
    return Effect.gen(function* () {
      const store = yield* StageStore
      const into = new Uint8Array(10)
      const tooLarge = yield* Effect.flip(store.readInto("@S/ten", into, { maxBytes: 9 }))
      expect(tooLarge).toEqual(yield* Effect.flip(store.readBytes("@S/ten", { maxBytes: 9 })))
      expect(tooLarge).toMatchObject({ problem: "too_large", limitBytes: 9, detail: "10 bytes" })
      for (const location of ["@S/absent", "@S/dir", "@S/dir/", "@S/ten/child"]) {
        expect(yield* Effect.flip(store.readInto(location, into))).toEqual(
          yield* Effect.flip(store.readBytes(location))
        )
      }
      expect(Array.from(into)).toEqual(new Array(10).fill(0))
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect(
    "size is a file's length without reading it; a missing file or a folder fails as readBytes does",
    () => {
      const home = tempHome()
      seed(home, "S", { ten: "0123456789", empty: "", "dir/f": "x" })
      return Effect.gen(function* () {
        const store = yield* StageStore
        expect(yield* store.size("@S/ten")).toBe(10)
        expect(yield* store.size("@S/empty")).toBe(0)
        expect(yield* store.size("@S/dir/f")).toBe(1)
        expect(yield* Effect.flip(store.size("@S/missing"))).toMatchObject({
          _tag: "StageFileError",
          problem: "not_found"
        })
        expect(yield* Effect.flip(store.size("@S/dir"))).toMatchObject({ problem: "unreadable" })
        expect(yield* Effect.flip(store.size("@S/dir/"))).toBeInstanceOf(InvalidStageLocation)
      }).pipe(Effect.provide(storeLayer(home)))
    }
  )
})

describe.each(modes)("write ($name)", ({ objectStore }) => {
  it.effect("creates the database, schema and stage folders on first write", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const store = yield* StageStore
      yield* store.write("@NEW_DB.NEW_SCHEMA.NEW_STAGE/a/b/c.txt", bytes("hello"))
      const folder = LocalLayout.stageDir(home, {
        database: "NEW_DB",
        schema: "NEW_SCHEMA",
        stage: "NEW_STAGE"
      })
      expect(readFileSync(join(folder, "a", "b", "c.txt"), "utf8")).toBe("hello")
      expect(filesUnder(folder)).toStrictEqual([join("a", "b", "c.txt")])
      expect(text(yield* store.readBytes("@NEW_DB.NEW_SCHEMA.NEW_STAGE/a/b/c.txt"))).toBe("hello")
      yield* store.write("@NEW_DB.NEW_SCHEMA.NEW_STAGE/empty", new Uint8Array())
      expect(yield* store.list("@NEW_DB.NEW_SCHEMA.NEW_STAGE/empty")).toMatchObject([{ size: 0 }])
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })

  it.effect("never overwrites: a second write of a name is StageFileExists and changes nothing", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const store = yield* StageStore
      yield* store.write("@S/f", bytes("first"))
      const error = yield* Effect.flip(store.write("@S/f", bytes("second, longer")))
      expect(error).toBeInstanceOf(StageFileExists)
      expect(error.message).toContain("@ML.PUBLIC.S/f")
      expect(text(yield* store.readBytes("@S/f"))).toBe("first")
      expect(filesUnder(stageDir(home, "S"))).toStrictEqual(["f"])
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })

  it.effect("of concurrent writes of one name, exactly one succeeds", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const store = yield* StageStore
      const payloads = Array.from({ length: 8 }, (_, i) => bytes(String(i).repeat(50_000 + i)))
      const results = yield* Effect.forEach(
        payloads,
        (payload) =>
          Effect.result(
            store.write("@S/race", Stream.fromIterable([payload.subarray(0, 1000), payload.subarray(1000)]))
          ),
        { concurrency: "unbounded" }
      )
      const won = results.filter((r) => r._tag === "Success")
      const lost = results.filter((r) => r._tag === "Failure")
      expect(won).toHaveLength(1)
      expect(lost).toHaveLength(7)
      for (const r of lost) expect(r._tag === "Failure" && r.failure).toBeInstanceOf(StageFileExists)
      const written = yield* store.readBytes("@S/race")
      expect(payloads.some((p) => Buffer.from(p).equals(Buffer.from(written)))).toBe(true)
      expect(filesUnder(stageDir(home, "S"))).toStrictEqual(["race"])
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })

  it.effect("writes a stream of chunks in order", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const store = yield* StageStore
      const chunks = Array.from({ length: 100 }, (_, i) => bytes(`${i},`))
      yield* store.write("@S/streamed.csv", Stream.fromIterable(chunks))
      expect(text(yield* store.readBytes("@S/streamed.csv"))).toBe(chunks.map(text).join(""))
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })

  it.effect("a failing data stream fails the write with its own error and leaves no file", () => {
    const home = tempHome()
    class SourceBroke extends Error {}
    return Effect.gen(function* () {
      const store = yield* StageStore
      const data = Stream.concat(Stream.make(bytes("partial ")), Stream.fail(new SourceBroke("source broke")))
      const error = yield* Effect.flip(store.write("@S/dir/out.bin", data))
      expect(error).toBeInstanceOf(SourceBroke)
      expect(yield* store.exists("@S/dir/out.bin")).toBe(false)
      // Neither a partial file nor a temporary file remains.
      expect(filesUnder(stageDir(home, "S"))).toStrictEqual([])
      // The name is still free.
      yield* store.write("@S/dir/out.bin", bytes("complete"))
      expect(text(yield* store.readBytes("@S/dir/out.bin"))).toBe("complete")
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })

  it.live("an interrupted write leaves no file", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const store = yield* StageStore
      const data = Stream.concat(Stream.make(bytes("partial")), Stream.never)
      yield* store.write("@S/out.bin", data).pipe(Effect.timeout("50 millis"), Effect.flip)
      expect(filesUnder(stageDir(home, "S"))).toStrictEqual([])
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })

  it.effect("refuses folder locations and runbatch's temporary names", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const store = yield* StageStore
      for (const location of ["@S/dir/", "@S", "@S/", "@S/a/.runbatch-tmp-x"]) {
        const error = yield* Effect.flip(store.write(location, bytes("x")))
        expect(error).toBeInstanceOf(InvalidStageLocation)
      }
      expect(existsSync(join(home, "stages"))).toBe(false)
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })

  it.effect("a local stage cannot hold both a file a and files under a/", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const store = yield* StageStore
      yield* store.write("@S/a", bytes("file"))
      yield* store.write("@S/b/c", bytes("file"))
      const under = yield* Effect.flip(store.write("@S/a/child", bytes("x")))
      expect(under).toMatchObject({ _tag: "StageFileError", problem: "unwritable" })
      expect(under.message).toContain("cannot be written")
      const over = yield* Effect.flip(store.write("@S/b", bytes("x")))
      expect(over).toMatchObject({ _tag: "StageFileError", problem: "unwritable" })
      expect(over.message).toContain("a folder of that name exists")
      expect(filesUnder(stageDir(home, "S"))).toStrictEqual(["a", join("b", "c")])
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })
})

describe("put", () => {
  it.effect("copies a local file to a file location, or under its own name into a folder", () => {
    const home = tempHome()
    const local = join(home, "local.csv")
    writeFileSync(local, "a,b\n1,2\n")
    return Effect.gen(function* () {
      const store = yield* StageStore
      yield* store.put(local, "@S/data/renamed.csv")
      yield* store.put(local, "@S/data/")
      yield* store.put(local, "@S")
      expect(paths(yield* store.list("@S"))).toStrictEqual([
        "data/local.csv",
        "data/renamed.csv",
        "local.csv"
      ])
      expect(text(yield* store.readBytes("@S/data/local.csv"))).toBe("a,b\n1,2\n")
      const again = yield* Effect.flip(store.put(local, "@S/data/"))
      expect(again).toBeInstanceOf(StageFileExists)
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("a missing local file or an empty local folder is LocalFileError", () => {
    const home = tempHome()
    mkdirSync(join(home, "empty"))
    return Effect.gen(function* () {
      const store = yield* StageStore
      const missing = yield* Effect.flip(store.put(join(home, "nope.csv"), "@S/"))
      expect(missing).toBeInstanceOf(LocalFileError)
      expect(missing).toMatchObject({ path: join(home, "nope.csv"), reason: "it does not exist." })
      const empty = yield* Effect.flip(store.put(join(home, "empty"), "@S/x"))
      expect(empty).toBeInstanceOf(LocalFileError)
      expect(empty.message).toContain("the folder holds no files")
      expect(existsSync(join(home, "stages"))).toBe(false)
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("a local folder's files go under the location as a folder, keeping their paths", () => {
    const home = tempHome()
    const scans = join(home, "scans")
    mkdirSync(join(scans, "b"), { recursive: true })
    writeFileSync(join(scans, "a.png"), "A")
    writeFileSync(join(scans, "b", "c.png"), "C")
    const loose = join(home, "loose.txt")
    writeFileSync(loose, "L")
    return Effect.gen(function* () {
      const store = yield* StageStore
      expect(yield* store.put(scans, "@S/2026")).toStrictEqual([
        "@ML.PUBLIC.S/2026/a.png",
        "@ML.PUBLIC.S/2026/b/c.png"
      ])
      expect(text(yield* store.readBytes("@S/2026/b/c.png"))).toBe("C")
      // Several paths go into one folder.
      expect(yield* store.put([loose, scans], "@S/both")).toStrictEqual([
        "@ML.PUBLIC.S/both/loose.txt",
        "@ML.PUBLIC.S/both/a.png",
        "@ML.PUBLIC.S/both/b/c.png"
      ])
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("one target taken refuses the whole put: nothing is copied", () => {
    const home = tempHome()
    const scans = join(home, "scans")
    mkdirSync(scans)
    writeFileSync(join(scans, "a.png"), "A")
    writeFileSync(join(scans, "z.png"), "Z")
    return Effect.gen(function* () {
      const store = yield* StageStore
      yield* store.put(join(scans, "z.png"), "@S/in/")
      const refused = yield* Effect.flip(store.put(scans, "@S/in/"))
      expect(refused).toBeInstanceOf(StageFileExists)
      expect(refused.message).toContain("@ML.PUBLIC.S/in/z.png")
      expect(paths(yield* store.list("@S/in/"))).toStrictEqual(["in/z.png"])
    }).pipe(Effect.provide(storeLayer(home)))
  })
})

describe.each(modes)("remove ($name)", ({ objectStore }) => {
  const seeded = (home: string) =>
    seed(home, "S", {
      "out/part-0.parquet": "",
      "out/_runbatch/job/commits/0.json": "",
      "out2/keep.parquet": "",
      "out.txt": "",
      "other/x": ""
    })

  it.effect("a folder location removes only that folder's files, never a sibling's", () => {
    const home = tempHome()
    seeded(home)
    return Effect.gen(function* () {
      const store = yield* StageStore
      expect(yield* store.remove("@S/out/")).toBe(2)
      expect(filesUnder(stageDir(home, "S"))).toStrictEqual(["other/x", "out.txt", "out2/keep.parquet"])
      // Folders left empty are gone, as on an object store.
      expect(existsSync(join(stageDir(home, "S"), "out"))).toBe(false)
      expect(yield* store.remove("@S/out/")).toBe(0)
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })

  it.effect("a folder holding only empty folders goes, and its parents left empty with it", () => {
    const home = tempHome()
    seeded(home)
    // As a job whose staging failed before its first file leaves them.
    mkdirSync(join(stageDir(home, "S"), "j1/_runbatch/job/input"), { recursive: true })
    mkdirSync(join(stageDir(home, "S"), "j2/_runbatch/job/input"), { recursive: true })
    writeFileSync(join(stageDir(home, "S"), "j2/kept.parquet"), "")
    return Effect.gen(function* () {
      const store = yield* StageStore
      expect(yield* store.remove("@S/j1/_runbatch/job/")).toBe(0)
      expect(existsSync(join(stageDir(home, "S"), "j1"))).toBe(false)
      expect(yield* store.remove("@S/j2/_runbatch/job/")).toBe(0)
      expect(readdirSync(join(stageDir(home, "S"), "j2"))).toStrictEqual(["kept.parquet"])
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })

  it.effect("a location without a slash is a prefix, as REMOVE @stage/path is", () => {
    const home = tempHome()
    seeded(home)
    return Effect.gen(function* () {
      expect(yield* (yield* StageStore).remove("@S/out")).toBe(4)
      expect(filesUnder(stageDir(home, "S"))).toStrictEqual(["other/x"])
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })

  it.effect("the stage root removes every file but keeps the stage folder", () => {
    const home = tempHome()
    seeded(home)
    return Effect.gen(function* () {
      expect(yield* (yield* StageStore).remove("@S")).toBe(5)
      expect(readdirSync(stageDir(home, "S"))).toStrictEqual([])
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })

  it.effect("removing a file frees its name for a new write", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const store = yield* StageStore
      yield* store.write("@S/dir/claim", bytes("job 1"))
      yield* store.write("@S/dir/keep", bytes("x"))
      expect(yield* store.remove("@S/dir/claim")).toBe(1)
      yield* store.write("@S/dir/claim", bytes("job 2"))
      expect(text(yield* store.readBytes("@S/dir/claim"))).toBe("job 2")
      expect(yield* store.remove("@NEVER_USED/")).toBe(0)
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })
})

describe("removeTemporaryFiles", () => {
  it.effect("removes writers' temporary files only: in the folder itself, or in the whole tree", () => {
    const home = tempHome()
    seed(home, "S", {
      "out/part-0.parquet": "rows",
      "out/.runbatch-tmp-4242-a": "",
      "out/.runbatch-tmp-4242-b": "rows",
      "out/_runbatch/job/commits/0.json": "{}",
      "out/_runbatch/job/commits/.runbatch-tmp-4242-c": "",
      "out2/.runbatch-tmp-4242-d": ""
    })
    return Effect.gen(function* () {
      const store = yield* StageStore
      expect(yield* store.removeTemporaryFiles("@S/out/", { recursive: false })).toBe(2)
      expect(filesUnder(join(stageDir(home, "S"), "out"))).toStrictEqual([
        "_runbatch/job/commits/.runbatch-tmp-4242-c",
        "_runbatch/job/commits/0.json",
        "part-0.parquet"
      ])
      expect(yield* store.removeTemporaryFiles("@S/out/")).toBe(1)
      expect(filesUnder(stageDir(home, "S"))).toStrictEqual([
        "out/_runbatch/job/commits/0.json",
        "out/part-0.parquet",
        "out2/.runbatch-tmp-4242-d"
      ])
      expect(yield* store.removeTemporaryFiles("@NEVER_USED/")).toBe(0)
    }).pipe(Effect.provide(storeLayer(home)))
  })
})

describe("exists and localPath", () => {
  it.effect("exists: a file location is that file; a folder location is any file under it", () => {
    const home = tempHome()
    seed(home, "S", { "dir/sub/f": "", g: "" })
    mkdirSync(join(stageDir(home, "S"), "empty"))
    return Effect.gen(function* () {
      const store = yield* StageStore
      expect(yield* store.exists("@S/g")).toBe(true)
      expect(yield* store.exists("@S/dir/sub/f")).toBe(true)
      expect(yield* store.exists("@S/dir/sub/f2")).toBe(false)
      expect(yield* store.exists("@S/dir")).toBe(false)
      expect(yield* store.exists("@S/dir/")).toBe(true)
      expect(yield* store.exists("@S/empty/")).toBe(false)
      expect(yield* store.exists("@S/g/child")).toBe(false)
      expect(yield* store.exists("@S")).toBe(true)
      expect(yield* store.exists("@NEVER_USED")).toBe(false)
    }).pipe(Effect.provide(storeLayer(home)))
  })

  it.effect("localPath is the file's path inside its stage folder", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const store = yield* StageStore
      expect(yield* store.localPath("@S/a/b.parquet")).toBe(join(stageDir(home, "S"), "a", "b.parquet"))
      expect(yield* store.localPath("@S/a/")).toBe(join(stageDir(home, "S"), "a"))
      expect(yield* store.localPath("@S")).toBe(stageDir(home, "S"))
      expect(yield* store.localPath('@"lower db".PUBLIC.S/x')).toBe(
        join(LocalLayout.stageDir(home, { database: "lower db", schema: SCHEMA, stage: "S" }), "x")
      )
    }).pipe(Effect.provide(storeLayer(home)))
  })
})
