/**
 * Two jobs aiming at one output folder, started together, each client waiting a seeded random moment
 * before every call it makes to the stage store, the SQL session and the launcher — so each step of
 * one client lands at every point of the other's: before, during and after the other reserves its
 * name, claims the folder, stages its input and starts. Whatever the timing, one job runs and finishes
 * with exactly its rows; the other fails with OutputClaimed before it writes anything and leaves no
 * job behind; the winner's staged input is never touched. (Before the job existed while it staged,
 * an overwrite took the folder from it, deleted its input, and both ended FAILED or interleaved.)
 */
import { describe, expect, it } from "@effect/vitest"
import { Sql } from "@runbatch/session"
import { JobLauncher } from "@runbatch/spcs-launcher"
import { StageStore } from "@runbatch/stage-io"
import { TestEngine } from "@runbatch/testkit"
import { Effect, Exit, Layer } from "effect"
import { Account, InputSource, runBatch } from "../../src/index.ts"
import {
  LINEAR_BIAS,
  LINEAR_WEIGHTS,
  linearColumns,
  linearRows,
  localSession,
  logLinear,
  tempHome
} from "../support.ts"

const ROWS = 2000
const SEEDS = [11, 23, 37, 41, 59, 67, 73, 89]

/** mulberry32: the same delays for the same seed, so a failing interleaving can be replayed. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** `service` with a wait of up to `maxMillis` before each of its operations (methods and effects). */
const delayed = <S extends object>(service: S, next: () => number, maxMillis: number): S => {
  const pause = Effect.suspend(() => Effect.sleep(Math.floor(next() * maxMillis)))
  return new Proxy(service, {
    get: (target, key, receiver) => {
      const value = Reflect.get(target, key, receiver) as unknown
      if (Effect.isEffect(value)) return Effect.andThen(pause, value)
      if (typeof value !== "function") return value
      return (...args: Array<unknown>) => {
        const result = (value as (...a: Array<unknown>) => unknown).apply(target, args)
        return Effect.isEffect(result) ? Effect.andThen(pause, result) : result
      }
    }
  })
}

/** The local account, its stage store, SQL and launcher each pausing at random before every call. */
const raceAccount = (home: string, seed: number) => {
  const next = random(seed)
  return Layer.mergeAll(
    Layer.effect(
      StageStore,
      StageStore.useSync((s) => delayed(s, next, 25))
    ),
    Layer.effect(
      Sql,
      Sql.useSync((s) => delayed(s, next, 25))
    ),
    Layer.effect(
      JobLauncher,
      JobLauncher.useSync((s) => delayed(s, next, 25))
    )
  ).pipe(Layer.provideMerge(Account.layerLocal({ home, database: "ML", schema: "PUBLIC" })))
}

describe("two jobs racing for one output folder", () => {
  it("one runs and finishes with exactly its rows, the other gets OutputClaimed and leaves nothing, at any timing", async () => {
    const home = tempHome()
    const session = localSession(home)
    await session.sql.createTable("POINTS", {
      kind: "relation",
      relation: await session.sql.createDataFrame(linearRows(ROWS), linearColumns)
    })
    await logLinear(session)
    for (const seed of SEEDS) {
      const output = `@ML.PUBLIC.RESULTS/race-${seed}/`
      const job = (name: string, mode: "error" | "overwrite", clientSeed: number) =>
        runBatch({
          model: "LINEAR",
          input: InputSource.table("POINTS"),
          outputSpec: { stageLocation: output, mode },
          jobSpec: { jobName: name, block: true },
          plugins: [TestEngine.packageDir]
        }).pipe(
          Effect.flatMap((handle) => handle.status),
          Effect.provide(raceAccount(home, clientSeed)),
          Effect.exit
        )
      // The overwrite job is the dangerous one: it clears the folder once it holds the claim.
      const [first, second] = await Effect.runPromise(
        Effect.all([job(`FIRST_${seed}`, "error", seed), job(`SECOND_${seed}`, "overwrite", seed * 7 + 1)], {
          concurrency: "unbounded"
        })
      )
      const outcomes = [first, second].map((exit) =>
        Exit.isSuccess(exit)
          ? exit.value
          : (Exit.findErrorOption(exit) as { value?: { _tag?: string } }).value?._tag
      )
      expect(outcomes.sort(), `seed ${seed}`).toEqual(["DONE", "OutputClaimed"])
      const loser = Exit.isSuccess(first) ? `SECOND_${seed}` : `FIRST_${seed}`
      await expect(session.jobs.getJob(loser), `seed ${seed}: the loser left no job`).rejects.toMatchObject({
        _tag: "JobNotFound"
      })
      const results = await session.readResults(output)
      expect(results.numRows, `seed ${seed}`).toBe(ROWS)
      const byId = new Map(results.toArray().map((row) => [Number(row["ID"]), row]))
      for (const row of linearRows(ROWS)) {
        expect(byId.get(row.ID)?.["y"], `seed ${seed}, row ${row.ID}`).toBeCloseTo(
          LINEAR_WEIGHTS[0] * row.X + LINEAR_WEIGHTS[1] * row.Z + LINEAR_BIAS,
          9
        )
      }
      // A finished folder holds only its results.
      const files = (await session.stages.list(output)).map((f) => f.path.slice(f.path.lastIndexOf("/") + 1))
      expect(files.filter((f) => !/^part-\d+-\d+\.parquet$/.test(f)).sort()).toEqual([
        "_SUCCESS",
        "_manifest.json"
      ])
    }
  })
})
