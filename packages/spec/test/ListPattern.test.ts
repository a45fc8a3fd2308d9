import { describe, expect, it } from "@effect/vitest"
import { InvalidStageLocation, ListPattern } from "@runbatch/spec"
import { Effect } from "effect"

describe("ListPattern.compile", () => {
  const cases = [
    [".*\\.jpg", "cats/1.jpg", true],
    [".*\\.jpg", "cats/1.jpg.bak", false],
    ["jpg", "cats/1.jpg", false],
    ["cats/.*", "cats/1.jpg", true],
    ["cats/.*", "dogs/cats/1.jpg", false],
    ["a|b", "a", true],
    ["a|b", "ab", false],
    [".*data_[0-9]+[.]parquet", "in/data_12.parquet", true],
    [".*data_[0-9]+[.]parquet", "in/data_x.parquet", false],
    ["[\\w\\-./]*", "a-b/c.d", true]
  ] as const

  it.each(cases)("%s against %s: %s", (pattern, path, expected) => {
    const matches = Effect.runSync(ListPattern.compile("@S", pattern))
    expect(matches(path)).toBe(expected)
  })

  it("without a pattern everything matches", () => {
    expect(Effect.runSync(ListPattern.compile("@S", undefined))("anything/at/all")).toBe(true)
  })

  it("answers a pattern that backtracks exponentially in JavaScript's engine at once (linear time)", () => {
    // With RegExp this took minutes; a hang would end the test at its timeout.
    const matches = Effect.runSync(ListPattern.compile("@S", ".*(a+)+c"))
    expect(matches("a".repeat(41))).toBe(false)
    expect(matches(`${"a".repeat(41)}c`)).toBe(true)
  })

  it.each(["(", "[a-", "*", "a{2,1}", "(a)\\1", "(?<=a)b"])("refuses the invalid regex %s", (pattern) => {
    const error = Effect.runSync(Effect.flip(ListPattern.compile("@S/dir/", pattern)))
    expect(error).toBeInstanceOf(InvalidStageLocation)
    expect(error.input).toBe("@S/dir/")
    expect(error.reason).toContain(JSON.stringify(pattern))
  })
})
