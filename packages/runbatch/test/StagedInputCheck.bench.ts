/**
 * What resume's check of a job's staged input costs: 1,000,000 rows staged as one uncompressed parquet
 * file of about 108 MB, checked by size only (an older plan) and by size and sha256. Not a test: run it
 * with
 *
 *   npx vitest bench --run --project @runbatch/runbatch test/StagedInputCheck.bench.ts
 *
 * The input is staged once, outside the timings, as a job stages it (through the hashing pipe); the
 * file is then in the page cache, as it is when a job is resumed soon after it failed.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Materialized, Sql } from "@runbatch/session"
import { StageLocation } from "@runbatch/spec"
import { StageStore } from "@runbatch/stage-io"
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, bench, describe, expect } from "vitest"
import { stagedInputChange } from "../src/StagedInputCheck.ts"

const ROWS = 1_000_000
const LOCATION = "@ML.PUBLIC.JOBS/job/input/"

let home = ""
let runtime: ManagedRuntime.ManagedRuntime<Sql | StageStore, never>
let staged: Materialized

const check = (files: Materialized["files"]) =>
  runtime.runPromise(stagedInputChange({ input: { location: LOCATION, files } }))

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "runbatch-bench-"))
  const account = { home, database: "ML", schema: "PUBLIC" }
  runtime = ManagedRuntime.make(
    Layer.mergeAll(Sql.layerLocalAccount({ ...account, threads: 2 }), StageStore.layerLocalHome(account))
  )
  // About 108 bytes a row that compress poorly: three MD5s in hex.
  const query = `SELECT range AS id, md5(range::VARCHAR) || md5((range * 7)::VARCHAR) || md5((range * 13)::VARCHAR) AS s FROM range(${ROWS})`
  staged = await runtime.runPromise(
    Effect.flatMap(StageLocation.parse(LOCATION), (location) =>
      Sql.use((sql) => sql.sql(query).materialize(location, { targetShards: 1, compression: "uncompressed" }))
    )
  )
  console.log(`staged ${staged.files.map((f) => `${f.path}: ${(f.bytes / 1e6).toFixed(1)} MB`).join(", ")}`)
}, 120_000)

afterAll(async () => {
  await runtime.dispose()
  rmSync(home, { recursive: true, force: true })
})

describe(`resume's check of ${ROWS.toLocaleString("en")} staged rows`, () => {
  bench(
    "sizes and sha256 (streamed through the StageStore)",
    async () => {
      expect(await check(staged.files)).toBeUndefined()
    },
    { iterations: 5, warmupIterations: 1 }
  )

  bench(
    "sizes only (a plan without sha256)",
    async () => {
      expect(await check(staged.files.map(({ sha256: _, ...file }) => file))).toBeUndefined()
    },
    { iterations: 5, warmupIterations: 1 }
  )
})
