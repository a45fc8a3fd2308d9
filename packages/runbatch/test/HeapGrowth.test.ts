import { describe, expect, it } from "@effect/vitest"
import { setHeapGrowth, VARIABLE } from "../src/cli/HeapGrowth.ts"

describe("RUNBATCH_HEAP_GROWING_PERCENT", () => {
  it.each(["x", "-1", "1.5", "50%"])("%s is refused, naming the variable and what it takes", (text) => {
    expect(setHeapGrowth({ [VARIABLE]: text })).toBe(
      `RUNBATCH_HEAP_GROWING_PERCENT is ${JSON.stringify(text)}, not a whole number (0 for V8's own)`
    )
  })

  it("0 leaves V8's own factor and is accepted", () => {
    expect(setHeapGrowth({ [VARIABLE]: "0" })).toBeUndefined()
  })
})
