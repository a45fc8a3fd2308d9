import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { StageStore } from "@runbatch/stage-io"
import { Effect } from "effect"
import { stagedInputChange } from "../src/StagedInputCheck.ts"
import { tempHome } from "./support.ts"

const FOLDER = "@ML.PUBLIC.RESULTS/out/_runbatch/JOB/input/"
const planned = new TextEncoder().encode("PAR1 planned rows PAR1")
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** A plan's input of one file, `data.parquet`, as planned; `withSha256: false` is an older plan. */
const inputOf = (withSha256: boolean) => ({
  input: {
    location: FOLDER,
    files: [
      {
        path: "data.parquet",
        bytes: planned.byteLength,
        rowGroups: [1],
        ...(withSha256 ? { sha256: sha256(planned) } : {})
      }
    ]
  }
})

/** What the check says of the staged file holding `staged` (nothing: no file). */
const check = (staged: Uint8Array | undefined, withSha256: boolean) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    if (staged !== undefined) yield* store.write(`${FOLDER}data.parquet`, staged)
    return yield* stagedInputChange(inputOf(withSha256))
  }).pipe(
    Effect.provide(
      StageStore.layerLocalHome({
        home: tempHome(),
        database: "ML",
        schema: "PUBLIC"
      })
    )
  )

/** `planned` with one byte changed: same size. */
const changedInPlace = Uint8Array.from(planned, (byte, i) => (i === 6 ? byte ^ 1 : byte))

describe("stagedInputChange", () => {
  it.effect("the file as planned: no change", () =>
    Effect.gen(function* () {
      expect(yield* check(planned, true)).toBeUndefined()
    })
  )

  it.effect("one byte changed, same size: named by its sha256", () =>
    Effect.gen(function* () {
      expect(yield* check(changedInPlace, true)).toBe(
        `its staged input file ${FOLDER}data.parquet changed since the job was planned (its sha256 differs; same size).`
      )
    })
  )

  it.effect("a plan without sha256 (an older plan) checks sizes only", () =>
    Effect.gen(function* () {
      expect(yield* check(changedInPlace, false)).toBeUndefined()
      expect(yield* check(planned.subarray(1), false)).toBe(
        `its staged input file ${FOLDER}data.parquet is changed.`
      )
    })
  )

  it.effect("a file cut short or gone: refused before any hashing", () =>
    Effect.gen(function* () {
      expect(yield* check(planned.subarray(1), true)).toBe(
        `its staged input file ${FOLDER}data.parquet is changed.`
      )
      expect(yield* check(undefined, true)).toBe(`its staged input file ${FOLDER}data.parquet is gone.`)
    })
  )
})
