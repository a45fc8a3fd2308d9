/**
 * Listing speed of the local backend on 100k files (the bar: under 2 s without MD5s).
 * Not a test: run it with
 *
 *   npx vitest bench --run --project @runbatch/stage-io
 *
 * It creates 100 folders of 1,000 empty files in a fresh temp home (once, outside the timings),
 * then times `list` with and without MD5s, and a prefix listing, as the real service does them.
 * Set RUNBATCH_BENCH_FILES to change the count.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { LocalAccount } from "@runbatch/account"
import { Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, bench, describe, expect } from "vitest"
import { StageStore } from "../src/index.ts"
import { stageDir } from "./support.ts"

const FILES = Number(process.env["RUNBATCH_BENCH_FILES"] ?? 100_000)
const PER_FOLDER = 1_000

let home = ""
let runtime: ManagedRuntime.ManagedRuntime<StageStore, never>

const list = (location: string, options: { readonly withoutMd5?: boolean; readonly pattern?: string }) =>
  runtime.runPromise(StageStore.use((store) => store.list(location, options)))

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "runbatch-bench-"))
  const stage = stageDir(home, "BENCH")
  for (let i = 0; i < FILES; i++) {
    const folder = join(stage, `d${String(Math.floor(i / PER_FOLDER)).padStart(4, "0")}`)
    if (i % PER_FOLDER === 0) mkdirSync(folder, { recursive: true })
    writeFileSync(join(folder, `f${String(i).padStart(7, "0")}.bin`), "")
  }
  runtime = ManagedRuntime.make(
    StageStore.layerLocal().pipe(
      Layer.provide(LocalAccount.layer({ home, database: "ML", schema: "PUBLIC" }))
    )
  )
})

afterAll(async () => {
  await runtime.dispose()
  rmSync(home, { recursive: true, force: true })
})

describe(`list ${FILES} files`, () => {
  const options = { iterations: 5, warmupIterations: 1, time: 0, warmupTime: 0 }

  bench(
    "list without md5",
    async () => {
      expect((await list("@BENCH", { withoutMd5: true })).length).toBe(FILES)
    },
    options
  )

  bench(
    "list with md5",
    async () => {
      expect((await list("@BENCH", {})).length).toBe(FILES)
    },
    options
  )

  bench(
    "list with a pattern matching 1 in 10, without md5",
    async () => {
      expect((await list("@BENCH", { withoutMd5: true, pattern: ".*0\\.bin" })).length).toBe(FILES / 10)
    },
    options
  )
})
