import { describe, expect, it } from "@effect/vitest"
import { Signature } from "@runbatch/spec"
import { TestEngine } from "@runbatch/testkit"
import { Cause, Exit } from "effect"
import { results, rowsOf, runInProcess, stage, tempHome } from "./support.ts"

// x is declared not nullable (as a YAML signature or snowflake-ml-python's from_dict stores it by default).
const signature = Signature.signature(
  [Signature.feature("x", "DOUBLE", { nullable: false }), Signature.feature("z", "DOUBLE")],
  [Signature.feature("y", "DOUBLE")]
)
const rows = Array.from({ length: 40 }, (_, i) => ({ ID: i, X: i % 10 === 3 ? null : i * 0.5, Z: 1 }))

describe("strict_nulls", () => {
  it("off (the default): rows with a NULL in a non-nullable feature are scored as the original scores them", async () => {
    const home = tempHome()
    const job = await stage(home, { rows, columns: TestEngine.columns, signature, onError: "record" })
    const { exit } = await runInProcess(home, job)
    expect(Exit.isSuccess(exit)).toBe(true)
    const out = rowsOf(await results(home), "ID")
    expect(out).toHaveLength(40)
    expect(out.every((r) => r["_ERROR"] === null)).toBe(true)
  })

  it("on, with on_error record: each such row carries a clear error, the others are scored", async () => {
    const home = tempHome()
    const job = await stage(home, {
      rows,
      columns: TestEngine.columns,
      signature,
      onError: "record",
      strictNulls: true
    })
    expect(job.plan.strictNulls).toBe(true)
    const { exit } = await runInProcess(home, job)
    expect(Exit.isSuccess(exit)).toBe(true)
    const out = new Map(rowsOf(await results(home), "ID").map((r) => [Number(r["ID"]), r]))
    expect(out.get(3)!["_ERROR"]).toBe(
      'X: NULL, but the feature "x" is not nullable and strict_nulls is on; fill or filter the NULLs in the input, or run without strict_nulls to score the row as the model takes a missing value.'
    )
    expect(out.get(3)!["y"]).toBeNull()
    expect([...out.values()].filter((r) => r["_ERROR"] !== null).map((r) => Number(r["ID"]))).toEqual([
      3, 13, 23, 33
    ])
    expect(out.get(4)!["_ERROR"]).toBeNull()
  })

  it("on, with on_error fail: the first such row fails the job", async () => {
    const home = tempHome()
    const job = await stage(home, { rows, columns: TestEngine.columns, signature, strictNulls: true })
    const { exit } = await runInProcess(home, job)
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
    expect(error).toMatchObject({ _tag: "RowFailed", column: "X" })
    expect((error as Error).message).toContain('the feature "x" is not nullable and strict_nulls is on')
  })
})
