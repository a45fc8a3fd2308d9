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
})
