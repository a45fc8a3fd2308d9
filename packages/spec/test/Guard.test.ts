import { describe, expect, it } from "@effect/vitest"
import { Guard } from "../src/index.ts"

const { count, literal, nullable, optional, string, struct } = Guard

const guard = struct({
  name: string,
  state: literal("starting", "running"),
  code: optional(nullable(count)),
  args: Guard.array(string),
  env: Guard.record(string)
})

const good = { name: "j", state: "running", args: ["a"], env: { A: "1" } }

describe("Guard", () => {
  it("passes a value of the shape through as it is, other fields included", () => {
    const value = { ...good, code: null, extra: true }
    expect(Guard.check(guard, value)).toStrictEqual({ ok: true, value })
  })

  it("names the first problem and where it is", () => {
    const problem = (value: unknown) => {
      const checked = Guard.check(guard, value)
      return checked.ok ? undefined : checked.reason
    }
    expect(problem({ ...good, name: undefined })).toBe("name: missing")
    expect(problem({ ...good, state: "paused" })).toBe(
      'state: expected one of "starting", "running", found "paused"'
    )
    expect(problem({ ...good, code: -1 })).toBe("code: expected a whole number of at least 0, found -1")
    expect(problem({ ...good, args: ["a", null] })).toBe("args[1]: expected a string, found null")
    expect(problem({ ...good, env: { A: 1 } })).toBe("env.A: expected a string, found 1")
    expect(problem([])).toBe("expected an object, found a list")
  })

  it("reads a record of its version, or of version 1 without one, and refuses others", () => {
    expect(Guard.versioned(guard, 1, good).ok).toBe(true)
    expect(Guard.versioned(guard, 1, { ...good, version: 1 }).ok).toBe(true)
    expect(Guard.versioned(guard, 1, { ...good, version: 2 })).toStrictEqual({
      ok: false,
      found: "2",
      reason: "it is version 2"
    })
    expect(Guard.versioned(guard, 2, good)).toMatchObject({ ok: false, found: "1" })
    expect(Guard.parseVersioned(guard, 1, "{")).toMatchObject({ ok: false, found: null })
  })
})
