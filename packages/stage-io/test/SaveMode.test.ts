import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { OutputLayout, SaveMode } from "../src/index.ts"
import { modes, stageDir, storeLayer, tempHome } from "./support.ts"

/** Where the claims on `@ML.PUBLIC.RESULTS/out/` live: at the stage's root. */
const claims = `_runbatch/claims/${OutputLayout.claimsKey("out")}`

const layoutOf = (location: string, job: string) =>
  Effect.map(StageLocation.parse(location), (output) => OutputLayout.make(output, job))

/** Files under the RESULTS stage of `home`, relative, sorted. */
const filesOf = (home: string): Array<string> => {
  const root = stageDir(home, "RESULTS")
  const walk = (dir: string, prefix: string): Array<string> =>
    existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? walk(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]
        )
      : []
  return walk(root, "").sort()
}

const seed = (home: string, files: ReadonlyArray<string>) => {
  for (const file of files) {
    const path = join(stageDir(home, "RESULTS"), file)
    mkdirSync(join(path, ".."), { recursive: true })
    writeFileSync(path, "x")
  }
}

describe.each(modes)("SaveMode ($name)", ({ objectStore }) => {
  const run = <A, E>(home: string, effect: Effect.Effect<A, E, import("../src/index.ts").StageStore>) =>
    Effect.runPromise(Effect.result(effect.pipe(Effect.provide(storeLayer(home, { objectStore })))))

  it("error mode claims an empty folder (the folder need not exist)", async () => {
    const home = tempHome()
    const result = await run(
      home,
      Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/out/", "ML.PUBLIC.J1"), (layout) =>
        SaveMode.prepare({ layout, mode: "error", job: "ML.PUBLIC.J1" })
      )
    )
    expect(result._tag).toBe("Success")
    expect(filesOf(home)).toEqual([`${claims}/000000000001.json`])
    expect(
      JSON.parse(readFileSync(join(stageDir(home, "RESULTS"), `${claims}/000000000001.json`), "utf8")).job
    ).toBe("ML.PUBLIC.J1")
  })

  it("error mode refuses a folder holding results, before writing anything", async () => {
    const home = tempHome()
    seed(home, ["out/a.parquet", "out/b.parquet", "out/sub/c.txt"])
    const result = await run(
      home,
      Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/out", "ML.PUBLIC.J1"), (layout) =>
        SaveMode.prepare({ layout, mode: "error", job: "ML.PUBLIC.J1" })
      )
    )
    expect(result._tag).toBe("Failure")
    if (result._tag === "Failure") {
      expect(result.failure._tag).toBe("OutputNotEmpty")
      expect(result.failure.message).toContain(
        "Output stage location '@ML.PUBLIC.RESULTS/out/' is not empty. Found 3 existing files"
      )
      expect(result.failure.message).toContain("use OVERWRITE mode")
    }
    expect(filesOf(home)).toEqual(["out/a.parquet", "out/b.parquet", "out/sub/c.txt"])
  })

  it("error mode ignores runbatch's reserved folder and sibling folders", async () => {
    const home = tempHome()
    seed(home, ["out/_runbatch/OLD_JOB/plan.json", "out2/x.parquet", "outside.parquet"])
    const result = await run(
      home,
      Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/out/", "ML.PUBLIC.J1"), (layout) =>
        SaveMode.prepare({ layout, mode: "error", job: "ML.PUBLIC.J1" })
      )
    )
    expect(result._tag).toBe("Success")
  })

  it("overwrite clears exactly its folder, claims aside: siblings with a common prefix are untouched", async () => {
    const home = tempHome()
    seed(home, [
      "out/a.parquet",
      "out/deep/b.parquet",
      "out/_runbatch/J0/plan.json",
      "out2/keep.parquet",
      "outfile",
      "other/keep.txt"
    ])
    const result = await run(
      home,
      Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/out/", "ML.PUBLIC.J1"), (layout) =>
        SaveMode.prepare({ layout, mode: "overwrite", job: "ML.PUBLIC.J1" })
      )
    )
    expect(result._tag === "Success" && result.success.removed).toBe(3)
    expect(filesOf(home)).toEqual([
      `${claims}/000000000001.json`,
      "other/keep.txt",
      "out2/keep.parquet",
      "outfile"
    ])
  })

  it("overwrite of a stage's root keeps the stage's claims, which it holds", async () => {
    const home = tempHome()
    seed(home, [
      "a.parquet",
      "deep/b.parquet",
      "_runbatch/OLD/plan.json",
      "_runbatch/claims/other-0/000000000007.json"
    ])
    const prepare = (job: string) =>
      run(
        home,
        Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/", job), (layout) =>
          SaveMode.prepare({ layout, mode: "overwrite", job, isActive: () => Effect.succeed(false) })
        )
      )
    expect((await prepare("ML.PUBLIC.J1"))._tag).toBe("Success")
    expect((await prepare("ML.PUBLIC.J2"))._tag).toBe("Success")
    const root = `_runbatch/claims/${OutputLayout.claimsKey("")}`
    expect(filesOf(home)).toEqual([
      `${root}/000000000001.json`,
      `${root}/000000000002.json`,
      "_runbatch/claims/other-0/000000000007.json"
    ])
  })

  it("a second job aiming at a claimed folder fails with OutputClaimed, whatever its mode", async () => {
    const home = tempHome()
    const first = await run(
      home,
      Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/out/", "ML.PUBLIC.J1"), (layout) =>
        SaveMode.prepare({ layout, mode: "error", job: "ML.PUBLIC.J1" })
      )
    )
    expect(first._tag).toBe("Success")
    for (const mode of ["error", "overwrite"] as const) {
      const second = await run(
        home,
        Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/out/", "ML.PUBLIC.J2"), (layout) =>
          SaveMode.prepare({ layout, mode, job: "ML.PUBLIC.J2" })
        )
      )
      expect(second._tag).toBe("Failure")
      if (second._tag === "Failure") {
        expect(second.failure._tag).toBe("OutputClaimed")
        expect(second.failure.message).toContain("being written by the job ML.PUBLIC.J1")
      }
    }
    expect(filesOf(home)).toEqual([`${claims}/000000000001.json`])
  })

  it("two jobs racing for one folder: exactly one claims it", async () => {
    const home = tempHome()
    const attempt = (job: string) =>
      Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/race/", job), (layout) =>
        Effect.result(SaveMode.prepare({ layout, mode: "error", job }))
      )
    const results = await Effect.runPromise(
      Effect.all(
        Array.from({ length: 8 }, (_, i) => attempt(`ML.PUBLIC.J${i}`)),
        { concurrency: "unbounded" }
      ).pipe(Effect.provide(storeLayer(home, { objectStore })))
    )
    expect(results.filter((r) => r._tag === "Success")).toHaveLength(1)
    for (const r of results) if (r._tag === "Failure") expect(r.failure._tag).toBe("OutputClaimed")
  })

  it("the same job preparing again (a resume) keeps its claim and its files", async () => {
    const home = tempHome()
    const prepare = (mode: "error" | "overwrite") =>
      run(
        home,
        Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/out/", "ML.PUBLIC.J1"), (layout) =>
          SaveMode.prepare({ layout, mode, job: "ML.PUBLIC.J1" })
        )
      )
    await prepare("error")
    seed(home, ["out/part-000000-0.parquet"])
    const again = await prepare("overwrite")
    expect(again._tag === "Success" && again.success).toEqual({ removed: 0, resumed: true })
    expect(filesOf(home)).toContain("out/part-000000-0.parquet")
  })

  it("a claim left by a job that is no longer running is taken over, with the next number", async () => {
    const home = tempHome()
    seed(home, ["out/_runbatch/ML.PUBLIC.DEAD/plan.json"])
    await run(
      home,
      Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/out/", "ML.PUBLIC.DEAD"), (layout) =>
        SaveMode.prepare({ layout, mode: "error", job: "ML.PUBLIC.DEAD" })
      )
    )
    const taken = await run(
      home,
      Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/out/", "ML.PUBLIC.J2"), (layout) =>
        SaveMode.prepare({
          layout,
          mode: "overwrite",
          job: "ML.PUBLIC.J2",
          isActive: (holder) => Effect.succeed(holder.job !== "ML.PUBLIC.DEAD")
        })
      )
    )
    expect(taken._tag).toBe("Success")
    // The dead job's claim stays (numbers only grow); its private folder goes with the overwrite.
    expect(filesOf(home)).toEqual([`${claims}/000000000001.json`, `${claims}/000000000002.json`])
    expect(
      JSON.parse(readFileSync(join(stageDir(home, "RESULTS"), `${claims}/000000000002.json`), "utf8")).job
    ).toBe("ML.PUBLIC.J2")
  })

  it("a later job of the same name is another job: it takes over an ended one's claim, never resumes it", async () => {
    const home = tempHome()
    const prepare = (instance: string, mode: "error" | "overwrite") =>
      run(
        home,
        Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/out/", "ML.PUBLIC.NIGHTLY"), (layout) =>
          SaveMode.prepare({
            layout,
            mode,
            job: "ML.PUBLIC.NIGHTLY",
            instance,
            isActive: (holder) => Effect.succeed(holder.instance === "second")
          })
        )
      )
    expect((await prepare("first", "error"))._tag).toBe("Success")
    seed(home, ["out/part-000000-0.parquet"])
    // The first NIGHTLY ended and was removed; a new NIGHTLY in error mode must see the results.
    const refused = await prepare("second", "error")
    expect(refused._tag === "Failure" && refused.failure._tag).toBe("OutputNotEmpty")
    const overwrite = await prepare("second", "overwrite")
    expect(overwrite._tag === "Success" && overwrite.success).toEqual({ removed: 1, resumed: false })
    // And the same job preparing again is resumed.
    const again = await prepare("second", "error")
    expect(again._tag === "Success" && again.success).toEqual({ removed: 0, resumed: true })
  })

  it("a later job of the same name starts with an empty private folder; a resumed one keeps its own", async () => {
    const home = tempHome()
    const prepare = (instance: string) =>
      run(
        home,
        Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/out/", "ML.PUBLIC.NIGHTLY"), (layout) =>
          SaveMode.prepare({
            layout,
            mode: "error",
            job: "ML.PUBLIC.NIGHTLY",
            instance,
            isActive: (holder) => Effect.succeed(holder.instance === "second")
          })
        )
      )
    const staged = `out/_runbatch/${OutputLayout.jobFolder("ML.PUBLIC.NIGHTLY")}/input/data_00000.parquet`
    expect((await prepare("first"))._tag).toBe("Success")
    // The first NIGHTLY staged its input, then its client was killed (or the job removed).
    seed(home, [staged])
    expect((await prepare("second"))._tag).toBe("Success")
    expect(filesOf(home)).not.toContain(staged)
    // The second NIGHTLY stages, and resuming it finds its input where it left it.
    seed(home, [staged])
    const resumed = await prepare("second")
    expect(resumed._tag === "Success" && resumed.success.resumed).toBe(true)
    expect(filesOf(home)).toContain(staged)
  })

  it("jobs racing to take over from a job that is gone: exactly one does, whatever their modes", async () => {
    for (let round = 0; round < 5; round++) {
      const home = tempHome()
      seed(home, ["out/part-000000-0.parquet"])
      await run(
        home,
        Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/out/", "ML.PUBLIC.DEAD"), (layout) =>
          SaveMode.prepare({ layout, mode: "overwrite", job: "ML.PUBLIC.DEAD" })
        )
      )
      const attempt = (i: number) =>
        Effect.flatMap(layoutOf("@ML.PUBLIC.RESULTS/out/", `ML.PUBLIC.T${i}`), (layout) =>
          Effect.result(
            SaveMode.prepare({
              layout,
              mode: i % 2 === 0 ? "overwrite" : "error",
              job: `ML.PUBLIC.T${i}`,
              // Only the dead job has stopped; every taker is alive.
              isActive: (holder) => Effect.succeed(holder.job !== "ML.PUBLIC.DEAD")
            })
          )
        )
      const results = await Effect.runPromise(
        Effect.all(
          Array.from({ length: 6 }, (_, i) => attempt(i)),
          { concurrency: "unbounded" }
        ).pipe(Effect.provide(storeLayer(home, { objectStore })))
      )
      expect(results.filter((r) => r._tag === "Success")).toHaveLength(1)
      for (const r of results) if (r._tag === "Failure") expect(r.failure._tag).toBe("OutputClaimed")
    }
  })

  it("finds the claims a removal would reach: of a folder it lies in, or holds; old claims by their key", async () => {
    const home = tempHome()
    const claimed = await run(
      home,
      Effect.gen(function* () {
        yield* SaveMode.prepare({
          layout: yield* layoutOf("@ML.PUBLIC.RESULTS/out/", "ML.PUBLIC.A"),
          mode: "error",
          job: "ML.PUBLIC.A"
        })
        yield* SaveMode.prepare({
          layout: yield* layoutOf("@ML.PUBLIC.RESULTS/deep/x/", "ML.PUBLIC.B"),
          mode: "error",
          job: "ML.PUBLIC.B"
        })
      })
    )
    expect(claimed._tag).toBe("Success")
    // A claim written before claims named their folder.
    seed(home, [`_runbatch/claims/${OutputLayout.claimsKey("old/y")}/000000000001.json`])
    writeFileSync(
      join(
        stageDir(home, "RESULTS"),
        `_runbatch/claims/${OutputLayout.claimsKey("old/y")}/000000000001.json`
      ),
      JSON.stringify({ job: "ML.PUBLIC.C", claimed_at: "2026-12-07T00:00:00.000Z" })
    )
    const reaching = async (location: string) => {
      const result = await run(
        home,
        Effect.flatMap(StageLocation.parse(location), (parsed) => SaveMode.claimsReaching(parsed))
      )
      if (result._tag === "Failure") throw new Error(String(result.failure))
      return result.success.map((claim) => `${claim.job} ${claim.output}`).sort()
    }
    expect(await reaching("@ML.PUBLIC.RESULTS/out/part-000000-0.parquet")).toEqual([
      "ML.PUBLIC.A @ML.PUBLIC.RESULTS/out/"
    ])
    expect(await reaching("@ML.PUBLIC.RESULTS/out")).toEqual(["ML.PUBLIC.A @ML.PUBLIC.RESULTS/out/"])
    expect(await reaching("@ML.PUBLIC.RESULTS/deep/")).toEqual(["ML.PUBLIC.B @ML.PUBLIC.RESULTS/deep/x/"])
    expect(await reaching("@ML.PUBLIC.RESULTS/")).toEqual([
      "ML.PUBLIC.A @ML.PUBLIC.RESULTS/out/",
      "ML.PUBLIC.B @ML.PUBLIC.RESULTS/deep/x/"
    ])
    expect(await reaching("@ML.PUBLIC.RESULTS/outside/f")).toEqual([])
    expect(await reaching("@ML.PUBLIC.RESULTS/out_x")).toEqual([])
    expect(await reaching("@ML.PUBLIC.RESULTS/ou")).toEqual(["ML.PUBLIC.A @ML.PUBLIC.RESULTS/out/"])
    expect(await reaching("@ML.PUBLIC.RESULTS/ou/")).toEqual([])
    expect(await reaching("@ML.PUBLIC.RESULTS/old/y/f.parquet")).toEqual([
      "ML.PUBLIC.C @ML.PUBLIC.RESULTS/old/y/"
    ])

    const refuse = (active: boolean) =>
      run(
        home,
        Effect.flatMap(StageLocation.parse("@ML.PUBLIC.RESULTS/deep/"), (parsed) =>
          SaveMode.refuseRemovingClaimed(parsed, () => Effect.succeed(active))
        )
      )
    const refused = await refuse(true)
    expect(refused._tag === "Failure" && refused.failure._tag).toBe("OutputClaimed")
    expect((await refuse(false))._tag).toBe("Success")
  })
})
