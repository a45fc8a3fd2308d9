/**
 * No stage path may leave its stage folder: every way of trying, through every operation.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { InvalidStageLocation, LocalLayout, StageFileError } from "@runbatch/spec"
import { Effect, Result, Stream } from "effect"
import { StageStore } from "../src/index.ts"
import { bytes, modes, stageDir, storeLayer, tempHome, text, withLogs } from "./support.ts"

/** Every operation of the store on one location, each turned into its error (or its success). */
const everyOperation = (location: string, localFile: string) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    return {
      list: yield* Effect.result(store.list(location)),
      read: yield* Effect.result(Stream.runCollect(store.read(location))),
      readBytes: yield* Effect.result(store.readBytes(location)),
      write: yield* Effect.result(store.write(location, bytes("x"))),
      put: yield* Effect.result(store.put(localFile, location)),
      remove: yield* Effect.result(store.remove(location)),
      exists: yield* Effect.result(store.exists(location)),
      localPath: yield* Effect.result(store.localPath(location))
    }
  })

/** Each operation's error, or its Result when it succeeded (which every caller treats as wrong). */
const failures = (results: Record<string, Result.Result<unknown, unknown>>) =>
  Object.entries(results).map(
    ([operation, result]) => [operation, Result.isFailure(result) ? result.failure : result] as const
  )

/** A home with a stage S holding `inside.txt`, and a folder `outside/` next to the stages with a secret. */
const layout = () => {
  const home = tempHome()
  const stage = stageDir(home, "S")
  mkdirSync(stage, { recursive: true })
  writeFileSync(join(stage, "inside.txt"), "inside")
  const outside = join(home, "outside")
  mkdirSync(outside)
  writeFileSync(join(outside, "secret"), "secret")
  const localFile = join(home, "local.txt")
  writeFileSync(localFile, "local")
  return { home, stage, outside, localFile }
}

const outsideUntouched = (outside: string) => {
  expect(readdirSync(outside)).toStrictEqual(["secret"])
  expect(readFileSync(join(outside, "secret"), "utf8")).toBe("secret")
}

describe("locations that could leave the stage are refused before anything happens", () => {
  const refused = [
    ["plain ..", "@S/.."],
    ["plain .. then a name", "@S/../x"],
    [".. one level down", "@S/a/../x"],
    [".. two levels down", "@S/a/b/../../../x"],
    [".. climbing to /etc/passwd", "@S/a/../../../../../../etc/passwd"],
    ["qualified stage with ..", "@ML.PUBLIC.S/../OTHER/x"],
    ["%2e%2e", "@S/%2e%2e/x"],
    ["%2E%2e", "@S/%2E%2e/x"],
    ["%2e%2E at depth", "@S/a/%2e%2E/%2E%2E/x"],
    ["%2e%2e as the last segment", "@S/a/%2e%2e"],
    ["%2e alone", "@S/%2e"],
    ["%2f", "@S/a%2fb"],
    ["%2F around ..", "@S/a%2F..%2Fb"],
    ["%5c (an encoded backslash)", "@S/a%5cb"],
    ["backslash", "@S/a\\b"],
    ["backslash with ..", "@S/..\\x"],
    ["NUL", "@S/a\u0000b"],
    ["%00", "@S/a%00b"],
    ["a control character", "@S/a\u0001b"],
    ["user stage with ..", "@~/../x"],
    ["user stage without a slash", "@~../x"],
    ["table stage with ..", "@%t/../x"],
    ["table stage with an encoded ..", "@%t/%2e%2e/x"],
    ["table stage without a table", "@%/x"],
    ["an absolute filesystem path", "/etc/passwd"],
    ["a file URL", "file:///etc/passwd"],
    ["an S3 URL", "s3://bucket/x"],
    ["model file with ..", "snow://model/ML.PUBLIC.M/versions/V1/../../x"],
    ["model file with %2e%2e", "snow://model/ML.PUBLIC.M/versions/V1/%2e%2e/x"]
  ] as const

  it.effect.each(refused)("%s: %s", ([, location]) => {
    const { home, stage, outside, localFile } = layout()
    return Effect.gen(function* () {
      const results = yield* everyOperation(location, localFile)
      for (const [operation, outcome] of failures(results)) {
        expect(outcome, `${operation} of ${JSON.stringify(location)}`).toBeInstanceOf(InvalidStageLocation)
      }
      outsideUntouched(outside)
      expect(readdirSync(stage)).toStrictEqual(["inside.txt"])
      expect(readdirSync(join(home, "stages"))).toStrictEqual(["ML"])
    }).pipe(Effect.provide(storeLayer(home)))
  })
})

describe("locations that look alarming but stay inside the stage", () => {
  const inside = [
    ["a doubled slash before etc/passwd", "@S//etc/passwd", join("etc", "passwd")],
    ["many slashes", "@S///a//b", join("a", "b")],
    ["dot segments", "@S/./a/./b", join("a", "b")],
    ["a doubly-encoded .. (a literal name)", "@S/%252e%252e/x", join("%252e%252e", "x")],
    ["three dots (a literal name)", "@S/.../x", join("...", "x")],
    ["a percent-encoded space (a literal name)", "@S/a%20b", "a%20b"]
  ] as const

  it.effect.each(inside)("%s: %s", ([, location, relative]) => {
    const { home, stage, outside } = layout()
    return Effect.gen(function* () {
      const store = yield* StageStore
      expect(yield* store.localPath(location)).toBe(join(stage, relative))
      yield* store.write(location, bytes("kept inside"))
      expect(readFileSync(join(stage, relative), "utf8")).toBe("kept inside")
      expect(text(yield* store.readBytes(location))).toBe("kept inside")
      outsideUntouched(outside)
      expect(existsSync("/etc/passwd") && readFileSync("/etc/passwd", "utf8").includes("kept inside")).toBe(
        false
      )
    }).pipe(Effect.provide(storeLayer(home)))
  })
})

describe.each(modes)("symbolic links never lead outside the stage ($name)", ({ objectStore }) => {
  const escapes = (outcome: unknown, what: string) => {
    expect(outcome, what).toBeInstanceOf(StageFileError)
    expect((outcome as StageFileError).problem, what).toBe("escapes_stage")
  }

  it.effect("a symlinked file pointing outside: every operation on it is refused; listings skip it", () => {
    const { home, stage, outside, localFile } = layout()
    symlinkSync(join(outside, "secret"), join(stage, "leak"))
    return Effect.gen(function* () {
      const results = yield* everyOperation("@S/leak", localFile)
      for (const operation of ["read", "readBytes", "write", "put", "exists", "localPath"] as const) {
        const outcome = results[operation]
        escapes(outcome._tag === "Failure" ? outcome.failure : outcome, operation)
      }
      // As a prefix, @S/leak lists and removes nothing: the link is not a stage file.
      expect(results.list).toMatchObject({ _tag: "Success", success: [] })
      expect(results.remove).toMatchObject({ _tag: "Success", success: 0 })
      const { result, messages } = yield* withLogs((yield* StageStore).list("@S"))
      expect(result.map((e) => e.path)).toStrictEqual(["inside.txt"])
      expect(messages.join("\n")).toContain("leak (a symbolic link pointing outside the stage)")
      expect(yield* (yield* StageStore).remove("@S")).toBe(1)
      outsideUntouched(outside)
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })

  it.effect(
    "a symlinked folder pointing outside: not listed, not read, not written, not removed through",
    () => {
      const { home, stage, outside, localFile } = layout()
      symlinkSync(outside, join(stage, "linkdir"))
      return Effect.gen(function* () {
        const store = yield* StageStore
        const { result, messages } = yield* withLogs(store.list("@S"))
        expect(result.map((e) => e.path)).toStrictEqual(["inside.txt"])
        expect(messages.join("\n")).toContain("linkdir (a symbolic link pointing outside the stage)")
        for (const location of ["@S/linkdir/secret", "@S/linkdir/new", "@S/linkdir/deep/er/new"]) {
          for (const [operation, outcome] of failures(yield* everyOperation(location, localFile))) {
            escapes(outcome, `${operation} of ${location}`)
          }
        }
        // The folder itself (reading or writing a folder location is refused as a location first).
        const folder = yield* everyOperation("@S/linkdir/", localFile)
        for (const operation of ["list", "put", "remove", "exists", "localPath"] as const) {
          const outcome = folder[operation]
          escapes(outcome._tag === "Failure" ? outcome.failure : outcome, `${operation} of @S/linkdir/`)
        }
        escapes(yield* Effect.flip(store.list("@S/linkdir/se")), "list of a prefix inside the link")
        expect(yield* store.remove("@S")).toBe(1)
        outsideUntouched(outside)
      }).pipe(Effect.provide(storeLayer(home, { objectStore })))
    }
  )

  it.effect("a dangling symlink: not listed, and a write through it creates nothing where it points", () => {
    const { home, stage, outside, localFile } = layout()
    symlinkSync(join(outside, "planted"), join(stage, "dangling"))
    symlinkSync(join(stage, "missing"), join(stage, "dangling-inside"))
    return Effect.gen(function* () {
      const store = yield* StageStore
      for (const name of ["dangling", "dangling-inside"]) {
        const results = yield* everyOperation(`@S/${name}`, localFile)
        for (const operation of ["read", "readBytes", "write", "put", "exists", "localPath"] as const) {
          const outcome = results[operation]
          escapes(outcome._tag === "Failure" ? outcome.failure : outcome, `${operation} of ${name}`)
        }
      }
      const { result, messages } = yield* withLogs(store.list("@S"))
      expect(result.map((e) => e.path)).toStrictEqual(["inside.txt"])
      expect(messages.join("\n")).toContain("dangling (a symbolic link to nothing)")
      outsideUntouched(outside)
      expect(existsSync(join(stage, "missing"))).toBe(false)
    }).pipe(Effect.provide(storeLayer(home, { objectStore })))
  })

  it.effect(
    "links that stay inside the stage work: files are listed and read, folders read but not walked",
    () => {
      const { home, stage } = layout()
      mkdirSync(join(stage, "realdir"))
      writeFileSync(join(stage, "realdir", "f"), "in realdir")
      symlinkSync(join(stage, "inside.txt"), join(stage, "alias.txt"))
      symlinkSync(join(stage, "realdir"), join(stage, "aliasdir"))
      return Effect.gen(function* () {
        const store = yield* StageStore
        const { result, messages } = yield* withLogs(store.list("@S"))
        expect(result.map((e) => [e.path, e.size])).toStrictEqual([
          ["alias.txt", 6],
          ["inside.txt", 6],
          ["realdir/f", 10]
        ])
        expect(messages.join("\n")).toContain(
          "aliasdir (a symbolic link to a folder; listings do not follow them)"
        )
        expect(text(yield* store.readBytes("@S/alias.txt"))).toBe("inside")
        expect(text(yield* store.readBytes("@S/aliasdir/f"))).toBe("in realdir")
        // Removing the alias removes the link, not the file it points to.
        expect(yield* store.remove("@S/alias.txt")).toBe(1)
        expect(readFileSync(join(stage, "inside.txt"), "utf8")).toBe("inside")
      }).pipe(Effect.provide(storeLayer(home, { objectStore })))
    }
  )

  it.effect(
    "a stage folder that is itself a link (data linked in as a stage) is refused, even inside the home",
    () => {
      const home = tempHome()
      const data = join(home, "mounted")
      mkdirSync(join(data, "img"), { recursive: true })
      writeFileSync(join(data, "img", "1.png"), "png")
      const stage = LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "MOUNTED" })
      mkdirSync(join(stage, ".."), { recursive: true })
      symlinkSync(data, stage)
      return Effect.gen(function* () {
        const store = yield* StageStore
        escapes(yield* Effect.flip(store.list("@MOUNTED")), "list")
        escapes(yield* Effect.flip(store.readBytes("@MOUNTED/img/1.png")), "readBytes")
        escapes(yield* Effect.flip(store.write("@MOUNTED/img/2.png", bytes("two"))), "write")
        escapes(yield* Effect.flip(store.remove("@MOUNTED/")), "remove")
        expect(readdirSync(join(data, "img"))).toStrictEqual(["1.png"])
      }).pipe(Effect.provide(storeLayer(home, { objectStore })))
    }
  )
})
