import { describe, expect, it } from "@effect/vitest"
import { fromFlags } from "../src/cli/commands/run.ts"

const base = { model: "M", table: "T", output: "@S/out/" }

describe("run's flags", () => {
  it("--strict-nulls asks for strictNulls in the job spec; without it the spec leaves it out", () => {
    expect(fromFlags({ values: { ...base, "strict-nulls": true }, positionals: [] }).jobSpec).toStrictEqual({
      strictNulls: true
    })
    expect(fromFlags({ values: base, positionals: [] }).jobSpec).toStrictEqual({})
  })

  it("--max-batch-rows and --max-batch-bytes bound the job's batches", () => {
    const values = { ...base, "max-batch-rows": "512", "max-batch-bytes": "16777216" }
    expect(fromFlags({ values, positionals: [] }).jobSpec).toStrictEqual({
      maxBatchRows: 512,
      maxBatchBytes: 16_777_216
    })
  })
})
