/**
 * No symbolic link below the home is followed out of it, whichever folder of a stage's path is the
 * link: the home's `stages/` folder, the database, the schema, the stage folder itself, or a folder
 * inside the stage. The target is a real, complete-looking stage tree in another folder (a file, a
 * finished job's results); every operation of the store and of the code built on it (the results
 * reader, save modes, the committer; the session's listStageFiles in @runbatch/session's tests) is
 * tried through each link and must leave that tree exactly as it was. The home itself may be a link.
 */
import { createHash } from "node:crypto"
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { StageFileError, StageLocation } from "@runbatch/spec"
import * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"
import { onTestFinished } from "vitest"
import { OutputCommitter, OutputLayout, ResultsReader, SaveMode, StageStore } from "../src/index.ts"
import { bytes, modes, storeLayer, tempHome, text, withLogs } from "./support.ts"

const JOB = "ML.PUBLIC.JOB_1"
const table = (n: number) =>
  new Arrow.Table({
    id: Arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => i),
      new Arrow.Int32()
    )
  })

/** A finished job's output at `location` of the store in context (parts, manifest, _SUCCESS). */
const produce = (location: string) =>
  Effect.gen(function* () {
    const layout = OutputLayout.make(yield* StageLocation.parse(location), JOB)
    yield* SaveMode.prepare({ layout, mode: "error", job: JOB })
    const committer = yield* OutputCommitter.make({ layout })
    yield* committer.commitShard(yield* committer.writePart(0, 0, table(5)))
    yield* committer.finalize(1, {
      job: JOB,
      planFingerprint: "sha256:f",
      runbatchVersion: "0.1.0",
      startedAt: "2026-11-25T00:00:00Z",
      plugins: []
    })
  })

const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Every file under `dir` (following no links) with its sha256: the canary. */
const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name)
        return [relative(dir, path), createHash("sha256").update(readFileSync(path)).digest("hex")]
      })
      .sort(([a], [b]) => (a! < b! ? -1 : 1))
  )

/** The folders from the home down to a folder inside stage S: each level a link can stand at. */
const CHAIN = ["stages", "ML", "PUBLIC", "S", "sub"] as const
const levels = [
  { level: "the home's stages/ folder", depth: 1 },
  { level: "the database folder", depth: 2 },
  { level: "the schema folder", depth: 3 },
  { level: "the stage folder", depth: 4 },
  { level: "a folder inside the stage", depth: 5 }
] as const

/**
 * A real stage tree in a folder outside the home, written by the store itself: `@ML.PUBLIC.S/sub/`
 * holds `secret.txt` and a finished job's results. In the home, the folder at `depth` of CHAIN is a
 * link to the same folder of that tree, so every stage path below it would resolve there.
 */
const linkedHome = async (depth: number) => {
  const outside = tempDir("runbatch-outside-")
  await Effect.runPromise(
    Effect.gen(function* () {
      const store = yield* StageStore
      yield* store.write("@ML.PUBLIC.S/sub/secret.txt", bytes("secret"))
      yield* produce("@ML.PUBLIC.S/sub/out/")
    }).pipe(Effect.provide(storeLayer(outside)))
  )
  const home = tempHome()
  const link = join(home, ...CHAIN.slice(0, depth))
  mkdirSync(dirname(link), { recursive: true })
  symlinkSync(join(outside, ...CHAIN.slice(0, depth)), link)
  const localFile = join(home, "local.txt")
  writeFileSync(localFile, "planted")
  return { home, outside, localFile, before: snapshot(outside) }
}

const escapes = (outcome: unknown, what: string) => {
  expect(outcome, what).toBeInstanceOf(StageFileError)
  expect((outcome as StageFileError).problem, what).toBe("escapes_stage")
}

describe.each(modes)(
  "a symbolic link out of the home at any level of a stage's path ($name)",
  ({ objectStore }) => {
    describe.each(levels)("at $level", ({ depth }) => {
      const aboveStage = depth <= 4

      it("stage rm removes nothing through it", async () => {
        const { home, outside, before } = await linkedHome(depth)
        const removed = await Effect.runPromise(
          Effect.gen(function* () {
            const store = yield* StageStore
            const results: Array<unknown> = []
            for (const location of [
              "@ML.PUBLIC.S/",
              "@ML.PUBLIC.S",
              "@ML.PUBLIC.S/sub",
              "@ML.PUBLIC.S/sub/"
            ]) {
              results.push(
                yield* Effect.flip(store.remove(location)).pipe(Effect.orElseSucceed(() => "removed"))
              )
            }
            return results
          }).pipe(Effect.provide(storeLayer(home, { objectStore })))
        )
        expect(snapshot(outside)).toStrictEqual(before)
        // Above the stage every location is refused; inside it, the link is skipped as a prefix (nothing
        // removed) and refused as a folder.
        if (aboveStage) for (const outcome of removed) escapes(outcome, "remove")
        else escapes(removed[3], "remove of @ML.PUBLIC.S/sub/")
      })

      it("stage ls lists nothing through it, stage get reads nothing, stage put writes nothing", async () => {
        const { home, outside, localFile, before } = await linkedHome(depth)
        await Effect.runPromise(
          Effect.gen(function* () {
            const store = yield* StageStore
            const stageList = yield* withLogs(Effect.result(store.list("@ML.PUBLIC.S/")))
            if (aboveStage) {
              escapes(stageList.result._tag === "Failure" ? stageList.result.failure : undefined, "list")
            } else {
              expect(stageList.result).toMatchObject({ _tag: "Success", success: [] })
              expect(stageList.messages.join("\n")).toContain(
                "sub (a symbolic link pointing outside the stage)"
              )
            }
            escapes(yield* Effect.flip(store.list("@ML.PUBLIC.S/sub/")), "list of the folder")
            escapes(yield* Effect.flip(store.readBytes("@ML.PUBLIC.S/sub/secret.txt")), "readBytes")
            escapes(
              yield* Effect.flip(store.readInto("@ML.PUBLIC.S/sub/secret.txt", new Uint8Array(6))),
              "readInto"
            )
            escapes(yield* Effect.flip(Stream.runCollect(store.read("@ML.PUBLIC.S/sub/secret.txt"))), "read")
            escapes(yield* Effect.flip(store.exists("@ML.PUBLIC.S/sub/secret.txt")), "exists")
            escapes(yield* Effect.flip(store.localPath("@ML.PUBLIC.S/sub/secret.txt")), "localPath")
            escapes(yield* Effect.flip(store.write("@ML.PUBLIC.S/sub/new.txt", bytes("x"))), "write")
            escapes(yield* Effect.flip(store.put(localFile, "@ML.PUBLIC.S/sub/")), "put")
            if (aboveStage) {
              escapes(
                yield* Effect.flip(store.write("@ML.PUBLIC.S/new.txt", bytes("x"))),
                "write in the stage"
              )
              escapes(yield* Effect.flip(store.put(localFile, "@ML.PUBLIC.S/")), "put in the stage")
            }
          }).pipe(Effect.provide(storeLayer(home, { objectStore })))
        )
        expect(snapshot(outside)).toStrictEqual(before)
      })

      it("results, save modes and the committer go nowhere through it", async () => {
        const { home, outside, before } = await linkedHome(depth)
        await Effect.runPromise(
          Effect.gen(function* () {
            const output = "@ML.PUBLIC.S/sub/out/"
            escapes(yield* Effect.flip(ResultsReader.readTable(output)), "readResults")
            const layout = OutputLayout.make(yield* StageLocation.parse(output), "ML.PUBLIC.JOB_2")
            escapes(
              yield* Effect.flip(SaveMode.prepare({ layout, mode: "overwrite", job: "ML.PUBLIC.JOB_2" })),
              "overwrite"
            )
            escapes(
              yield* Effect.flip(SaveMode.prepare({ layout, mode: "error", job: "ML.PUBLIC.JOB_2" })),
              "error mode"
            )
            const committer = yield* OutputCommitter.make({ layout })
            escapes(yield* Effect.flip(committer.writePart(0, 1, table(2))), "writePart")
          }).pipe(Effect.provide(storeLayer(home, { objectStore })))
        )
        expect(snapshot(outside)).toStrictEqual(before)
      })
    })

    it("a dangling link standing for the stage folder: a write creates nothing where it points", async () => {
      const home = tempHome()
      const away = join(tempDir("runbatch-outside-"), "not-yet")
      const stage = join(home, ...CHAIN.slice(0, 4))
      mkdirSync(dirname(stage), { recursive: true })
      symlinkSync(away, stage)
      const outcome = await Effect.runPromise(
        Effect.flip(StageStore.use((store) => store.write("@ML.PUBLIC.S/a/new.txt", bytes("x")))).pipe(
          Effect.provide(storeLayer(home, { objectStore }))
        )
      )
      escapes(outcome, "write")
      expect(() => readdirSync(away)).toThrow()
    })

    it("a stage folder linked elsewhere inside the home is refused too (one stage would alias another)", async () => {
      const home = tempHome()
      await Effect.runPromise(
        StageStore.use((store) => store.write("@ML.PUBLIC.REAL/a.txt", bytes("real"))).pipe(
          Effect.provide(storeLayer(home, { objectStore }))
        )
      )
      symlinkSync(join(home, ...CHAIN.slice(0, 3), "REAL"), join(home, ...CHAIN.slice(0, 3), "ALIAS"))
      const outcome = await Effect.runPromise(
        Effect.flip(StageStore.use((store) => store.remove("@ML.PUBLIC.ALIAS/"))).pipe(
          Effect.provide(storeLayer(home, { objectStore }))
        )
      )
      escapes(outcome, "remove")
      expect(outcome.message).toContain("stages/ML/PUBLIC/ALIAS is a symbolic link")
      expect(readFileSync(join(home, ...CHAIN.slice(0, 3), "REAL", "a.txt"), "utf8")).toBe("real")
    })

    it("a home that is itself a symbolic link works: files land in its real folder", async () => {
      const real = tempDir("runbatch-real-home-")
      const home = join(tempDir("runbatch-home-link-"), "home")
      symlinkSync(real, home)
      await Effect.runPromise(
        Effect.gen(function* () {
          const store = yield* StageStore
          yield* store.write("@ML.PUBLIC.S/sub/a.txt", bytes("a"))
          yield* produce("@ML.PUBLIC.S/sub/out/")
          expect(text(yield* store.readBytes("@ML.PUBLIC.S/sub/a.txt"))).toBe("a")
          expect((yield* store.list("@ML.PUBLIC.S/sub/", { withoutMd5: true })).map((e) => e.path)).toContain(
            "sub/out/_SUCCESS"
          )
          expect((yield* ResultsReader.readTable("@ML.PUBLIC.S/sub/out/")).numRows).toBe(5)
          expect(yield* store.localPath("@ML.PUBLIC.S/sub/a.txt")).toBe(join(real, ...CHAIN, "a.txt"))
          expect(yield* store.remove("@ML.PUBLIC.S/")).toBeGreaterThan(2)
        }).pipe(Effect.provide(storeLayer(home, { objectStore })))
      )
      expect(readdirSync(join(real, ...CHAIN.slice(0, 4)))).toStrictEqual([])
    })
  }
)
