import { describe, expect, it } from "@effect/vitest"
import type { Relation } from "@runbatch/session"
import * as Arrow from "apache-arrow"
import { dryRunText } from "../src/cli/DryRunText.ts"
import type { DryRunReport } from "../src/DryRun.ts"
import * as InputSource from "../src/InputSource.ts"

const report = (overrides: Partial<DryRunReport> = {}): DryRunReport => ({
  job: "ML.PUBLIC.J",
  model: { name: "ML.PUBLIC.M", version: "V1", function: "predict", engine: "onnx" },
  input: { description: "files under @ML.PUBLIC.S/imgs/", rows: 3, columns: [] },
  output: { location: "@ML.PUBLIC.R/out/", mode: "error", existingFiles: 0, columns: [] },
  columnMapping: [],
  columnHandling: [],
  params: {},
  plugins: [],
  onError: "fail",
  parallelism: { replicas: 1, workersPerReplica: 2, threadsPerWorker: 1, shards: 1, batchRows: 64 },
  sample: {
    rows: 3,
    outputs: Arrow.tableFromArrays({ y: new Float64Array([1, 2, 3]) }),
    errors: [],
    openSeconds: 0.1,
    rowsPerSecond: 1000,
    metrics: {}
  },
  estimate: { rowsPerSecond: 2000, seconds: 0.0015 },
  wouldFail: false,
  ...overrides
})

const textOf = (r: DryRunReport): string => {
  const printed = dryRunText(r)
  return printed.kind === "text" ? printed.text : ""
}

describe("the dry run's text", () => {
  it("a short estimate is 'under a second', not 'about under a second'", () => {
    const text = textOf(report())
    expect(text).toContain("2 worker(s): under a second for 3 row(s)")
    expect(text).not.toContain("about under")
    expect(textOf(report({ estimate: { rowsPerSecond: 10, seconds: 90 } }))).toContain("about 1m30s")
  })

  it("when every sample row failed, the model is the likely cause, not the rows", () => {
    const errors = [0, 1, 2].map((row) => ({ row, message: "Got invalid dimensions" }))
    const text = textOf(report({ wouldFail: true, sample: { ...report().sample, errors } }))
    expect(text).toContain("every sample row failed (3 of 3), so the model is the likely cause")
    expect(text).not.toContain("Fix the rows")
  })

  it("when some failed, those rows are to fix, or --on-error record", () => {
    const errors = [{ row: 1, message: "bad value" }]
    const text = textOf(report({ wouldFail: true, sample: { ...report().sample, errors } }))
    expect(text).toContain("1 of 3 sample row(s) failed and --on-error is fail. Fix those rows")
  })
})

describe("the input as a person names it", () => {
  const listing = { description: "data frame (3 rows)" } as Relation
  it("a files input is the files under its folder, not a data frame", () => {
    expect(InputSource.describe(InputSource.files("@ML.PUBLIC.S/imgs/", { pattern: ".*png" }), listing)).toBe(
      "files under @ML.PUBLIC.S/imgs/ matching .*png"
    )
    expect(
      InputSource.describe(InputSource.table("T"), { description: "table ML.PUBLIC.T" } as Relation)
    ).toBe("table ML.PUBLIC.T")
  })
})
