/**
 * listStageFiles over real stage folders (the local StageStore) and the session's real local Sql
 * (DuckDB); no symbolic link below the home takes it out of the home.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { InvalidIdentifier, InvalidStageLocation, LocalLayout, StageFileError } from "@runbatch/spec"
import { StageStore } from "@runbatch/stage-io"
import type * as Arrow from "apache-arrow"
import { Effect, Layer, ManagedRuntime } from "effect"
import { onTestFinished } from "vitest"
import { LocalAccount, listStageFiles, listStageFilesPromise, Sql } from "../src/index.ts"
import { tempHome } from "./support.ts"

const stageDir = (home: string, stage: string): string =>
  LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage })

/** StageStore and Sql over one local account. */
const sessionLayer = (home: string) =>
  Layer.mergeAll(StageStore.layerLocal(), Sql.layerLocal()).pipe(
    Layer.provide(LocalAccount.layer({ home, database: "ML", schema: "PUBLIC" }))
  )

const column = (table: Arrow.Table, name: string): Array<unknown> => [
  ...(table.getChild(name)?.toArray() ?? [])
]

const seed = (home: string) => {
  const stage = stageDir(home, "IMAGES")
  mkdirSync(join(stage, "cats"), { recursive: true })
  mkdirSync(join(stage, "dogs"), { recursive: true })
  for (const file of ["cats/2.png", "cats/1.png", "cats/notes.txt", "dogs/1.png", "top.png"]) {
    writeFileSync(join(stage, file), file)
  }
  return stage
}

describe("listStageFiles", () => {
  it.effect("gives one FILE_PATH string column of full stage locations, sorted", () => {
    const home = tempHome()
    seed(home)
    return Effect.gen(function* () {
      const relation = yield* listStageFiles("@IMAGES/cats/")
      expect(yield* relation.schema).toStrictEqual([{ name: "FILE_PATH", dtype: "STRING", nullable: false }])
      expect(column(yield* relation.collect(), "FILE_PATH")).toStrictEqual([
        "@ML.PUBLIC.IMAGES/cats/1.png",
        "@ML.PUBLIC.IMAGES/cats/2.png",
        "@ML.PUBLIC.IMAGES/cats/notes.txt"
      ])
      expect(yield* relation.count).toBe(3)
    }).pipe(Effect.provide(sessionLayer(home)))
  })

  it.effect("pattern, prefix semantics and a location without @, as the original", () => {
    const home = tempHome()
    seed(home)
    return Effect.gen(function* () {
      const paths = (location: string, pattern?: string) =>
        Effect.flatMap(listStageFiles(location, pattern === undefined ? {} : { pattern }), (relation) =>
          Effect.map(relation.collect(), (table) => column(table, "FILE_PATH"))
        )
      expect(yield* paths("@ML.PUBLIC.IMAGES", ".*\\.png")).toStrictEqual([
        "@ML.PUBLIC.IMAGES/cats/1.png",
        "@ML.PUBLIC.IMAGES/cats/2.png",
        "@ML.PUBLIC.IMAGES/dogs/1.png",
        "@ML.PUBLIC.IMAGES/top.png"
      ])
      expect(yield* paths("IMAGES/cats/", ".*1\\.png")).toStrictEqual(["@ML.PUBLIC.IMAGES/cats/1.png"])
      expect(yield* paths("@IMAGES/do")).toStrictEqual(["@ML.PUBLIC.IMAGES/dogs/1.png"])
      expect(yield* paths("@IMAGES/nothing/")).toStrictEqual([])
    }).pipe(Effect.provide(sessionLayer(home)))
  })

  it.effect("columnName follows identifier rules", () => {
    const home = tempHome()
    seed(home)
    return Effect.gen(function* () {
      const upper = yield* listStageFiles("@IMAGES/dogs/", { columnName: "image_path" })
      expect((yield* upper.schema).map((f) => f.name)).toStrictEqual(["IMAGE_PATH"])
      const quoted = yield* listStageFiles("@IMAGES/dogs/", { columnName: '"Image Path"' })
      expect(column(yield* quoted.collect(), "Image Path")).toStrictEqual(["@ML.PUBLIC.IMAGES/dogs/1.png"])
      const invalid = yield* Effect.flip(listStageFiles("@IMAGES/", { columnName: "image path" }))
      expect(invalid).toBeInstanceOf(InvalidIdentifier)
    }).pipe(Effect.provide(sessionLayer(home)))
  })

  it.effect("the relation is a job input like any other: it materialises as parquet on a stage", () => {
    const home = tempHome()
    seed(home)
    return Effect.gen(function* () {
      const relation = yield* listStageFiles("@IMAGES", { pattern: ".*\\.png" })
      const materialized = yield* relation.materialize(
        {
          kind: "named",
          database: "ML",
          schema: "PUBLIC",
          stage: "JOBS",
          path: "job-1/input",
          isDirectory: true
        },
        { targetShards: 1 }
      )
      expect(materialized.rows).toBe(4)
      const copy = yield* (yield* Sql).readParquet("@JOBS/job-1/input/")
      expect(column(yield* copy.collect(), "FILE_PATH")).toHaveLength(4)
    }).pipe(Effect.provide(sessionLayer(home)))
  })

  it.effect("bad locations, bad patterns and escaping links fail before any relation is made", () => {
    const home = tempHome()
    const stage = seed(home)
    mkdirSync(join(home, "outside"))
    writeFileSync(join(home, "outside", "secret.png"), "")
    symlinkSync(join(home, "outside"), join(stage, "out"))
    return Effect.gen(function* () {
      expect(yield* Effect.flip(listStageFiles("@IMAGES/../x"))).toBeInstanceOf(InvalidStageLocation)
      expect(yield* Effect.flip(listStageFiles("@IMAGES/", { pattern: "(" }))).toBeInstanceOf(
        InvalidStageLocation
      )
      const escaped = yield* Effect.flip(listStageFiles("@IMAGES/out/"))
      expect(escaped).toBeInstanceOf(StageFileError)
      expect(escaped).toMatchObject({ problem: "escapes_stage" })
      const all = yield* listStageFiles("@IMAGES")
      expect(column(yield* all.collect(), "FILE_PATH")).not.toContain("@ML.PUBLIC.IMAGES/out/secret.png")
    }).pipe(Effect.provide(sessionLayer(home)))
  })

  it("has a Promise face over any runner providing Sql and StageStore", async () => {
    const home = tempHome()
    seed(home)
    const runtime = ManagedRuntime.make(sessionLayer(home))
    try {
      const relation = await listStageFilesPromise(runtime, "@IMAGES/dogs/", { columnName: "P" })
      expect(column(await relation.collect(), "P")).toStrictEqual(["@ML.PUBLIC.IMAGES/dogs/1.png"])
      expect(await relation.count()).toBe(1)
      await expect(listStageFilesPromise(runtime, "@~x")).rejects.toBeInstanceOf(InvalidStageLocation)
    } finally {
      await runtime.dispose()
    }
  })
})

/** The folders from the home down to a folder inside stage S: each level a link can stand at. */
const CHAIN = ["stages", "ML", "PUBLIC", "S", "sub"] as const

describe.each([
  { level: "the home's stages/ folder", depth: 1 },
  { level: "the database folder", depth: 2 },
  { level: "the schema folder", depth: 3 },
  { level: "the stage folder", depth: 4 },
  { level: "a folder inside the stage", depth: 5 }
])("listStageFiles with a symbolic link out of the home at $level", ({ depth }) => {
  it.effect("lists nothing through it", () => {
    // A real stage tree outside the home, with a file under @ML.PUBLIC.S/sub/; in the home, the folder
    // at `depth` of CHAIN links to the same folder of that tree.
    const outside = mkdtempSync(join(tmpdir(), "runbatch-outside-"))
    onTestFinished(() => rmSync(outside, { recursive: true, force: true }))
    mkdirSync(join(outside, ...CHAIN), { recursive: true })
    writeFileSync(join(outside, ...CHAIN, "secret.txt"), "secret")
    const home = tempHome()
    const link = join(home, ...CHAIN.slice(0, depth))
    mkdirSync(dirname(link), { recursive: true })
    symlinkSync(join(outside, ...CHAIN.slice(0, depth)), link)
    const escapes = (outcome: unknown, what: string) => {
      expect(outcome, what).toBeInstanceOf(StageFileError)
      expect((outcome as StageFileError).problem, what).toBe("escapes_stage")
    }
    return Effect.gen(function* () {
      escapes(yield* Effect.flip(listStageFiles("@ML.PUBLIC.S/sub/")), "listStageFiles of the folder")
      const whole = yield* Effect.result(listStageFiles("@ML.PUBLIC.S/"))
      if (depth <= 4) escapes(whole._tag === "Failure" ? whole.failure : undefined, "listStageFiles")
      else expect(whole._tag === "Success" ? yield* whole.success.count : whole.failure).toBe(0)
    }).pipe(Effect.provide(sessionLayer(home)))
  })
})
