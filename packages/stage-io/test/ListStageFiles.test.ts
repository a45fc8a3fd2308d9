/**
 * listStageFiles over real stage folders and the session's real local Sql (DuckDB).
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalAccount, Sql } from "@runbatch/session"
import { InvalidIdentifier, InvalidStageLocation, StageFileError } from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect, Layer, ManagedRuntime } from "effect"
import { listStageFiles, listStageFilesPromise, StageStore } from "../src/index.ts"
import { stageDir, tempHome } from "./support.ts"

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
        { database: "ML", schema: "PUBLIC", stage: "JOBS", path: "job-1/input", isDirectory: true },
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
      await expect(listStageFilesPromise(runtime, "@~/x")).rejects.toBeInstanceOf(InvalidStageLocation)
    } finally {
      await runtime.dispose()
    }
  })
})
