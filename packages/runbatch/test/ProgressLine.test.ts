import { describe, expect, it } from "@effect/vitest"
import { doneSummary, progressLine } from "../src/cli/WaitForJob.ts"

const progress = {
  rows: 2500,
  resumedRows: 0,
  totalRows: 10_000,
  shardsDone: 2,
  shards: 8,
  rowsPerSecond: 1250.4,
  errors: 0,
  etaSeconds: 6,
  metrics: {}
}

describe("the CLI's progress line", () => {
  it("shows the bar, percent, rows, rate and time left", () => {
    expect(progressLine(progress, 10)).toBe("[###.......]  25%  2,500/10,000 rows  1,250 rows/s  ETA 6s")
  })

  it("adds recorded errors and the engine's counters that are not zero", () => {
    const line = progressLine(
      { ...progress, errors: 3, metrics: { prompt_tokens: 12_000, completion_tokens: 340, http_retries: 0 } },
      10
    )
    expect(line).toBe(
      "[###.......]  25%  2,500/10,000 rows  1,250 rows/s  ETA 6s  3 error(s)  12,000 prompt tokens  340 completion tokens"
    )
  })

  it("has no time left before a rate is known, and a full bar without one when done", () => {
    expect(progressLine({ ...progress, rows: 0, rowsPerSecond: 0, etaSeconds: null }, 4)).toBe(
      "[....]   0%  0/10,000 rows  0 rows/s"
    )
    expect(progressLine({ ...progress, rows: 10_000, etaSeconds: 0 }, 4)).toBe(
      "[####] 100%  10,000/10,000 rows  1,250 rows/s"
    )
  })

  it("shows a job over no rows that ended as done, not at 0% with time left", () => {
    const none = { ...progress, rows: 0, totalRows: 0, rowsPerSecond: 0 }
    expect(progressLine({ ...none, etaSeconds: 0 }, 4)).toBe("[####] 100%  0/0 rows")
    // Still starting (no totals yet): nothing done.
    expect(progressLine({ ...none, etaSeconds: null }, 4)).toBe("[....]   0%  0/0 rows  0 rows/s")
  })
})

describe("the CLI's DONE line", () => {
  const row = (seconds: number) => ({
    createdTime: new Date(0),
    completedTime: new Date(seconds * 1000)
  })
  const done = (rows: number) => ({ ...progress, rows, totalRows: rows, etaSeconds: 0 })

  it("gives the job's own time and rate", () => {
    expect(doneSummary("J", row(4) as never, done(10_000))).toBe(
      "Job J DONE: 10,000 row(s) in 4s, 2,500 rows/s."
    )
  })

  it("gives no rate for a job over no rows", () => {
    expect(doneSummary("J", row(2) as never, done(0))).toBe("Job J DONE: 0 row(s) in 2s.")
  })

  it("counts a resumed job's earlier rows and gives its last attempt's rate", () => {
    expect(doneSummary("J", row(9) as never, { ...done(10_000), resumedRows: 7500 })).toBe(
      "Job J DONE: 10,000 row(s), 7,500 of them committed by earlier attempts; the last attempt ran 2,500 row(s) at 1,250 rows/s."
    )
  })
})
