import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalLayout } from "@runbatch/spec"

describe("LocalLayout", () => {
  it.each([
    ["RUNBATCH", "RUNBATCH"],
    ["MY_DB$1", "MY_DB$1"],
    ["my stage", "my%20stage"],
    ["a/b", "a%2Fb"],
    ["..", "%2E%2E"],
    [".", "%2E"],
    ["a\\b", "a%5Cb"],
    ['q"x', "q%22x"],
    ["café", "caf%C3%A9"]
  ])("maps the identifier %j to one safe segment %j and back", (name, expected) => {
    const segment = LocalLayout.segment(name)
    expect(segment).toBe(expected)
    expect(segment).not.toMatch(/[/\\]/)
    expect(segment === "." || segment === "..").toBe(false)
    expect(LocalLayout.fromSegment(segment)).toBe(name)
  })

  it("places every kind of object under its own folder of the home", () => {
    const home = "/h"
    expect(LocalLayout.databaseFile(home, "ML")).toBe(join(home, "warehouse", "ML.duckdb"))
    expect(LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "my stage" })).toBe(
      join(home, "stages", "ML", "PUBLIC", "my%20stage")
    )
    expect(LocalLayout.stageDir(home, { kind: "user", database: "", schema: "", stage: "~" })).toBe(
      join(home, "user-stage")
    )
    expect(LocalLayout.stageDir(home, { kind: "table", database: "ML", schema: "PUBLIC", stage: "T" })).toBe(
      join(home, "table-stages", "ML", "PUBLIC", "T")
    )
    // A table stage never shares a folder with the named stage of the same name.
    expect(LocalLayout.stageDir(home, { kind: "named", database: "ML", schema: "PUBLIC", stage: "T" })).toBe(
      join(home, "stages", "ML", "PUBLIC", "T")
    )
    expect(LocalLayout.versionDir(home, { database: "ML", schema: "PUBLIC", name: "WINE" }, "V1")).toBe(
      join(home, "registry", "ML", "PUBLIC", "WINE", "versions", "V1")
    )
    expect(LocalLayout.jobDir(home, { database: "ML", schema: "PUBLIC", name: "JOB_1" })).toBe(
      join(home, "jobs", "ML", "PUBLIC", "JOB_1")
    )
  })

  it("keeps names that differ only by case apart", () => {
    expect(LocalLayout.segment("Abc")).not.toBe(LocalLayout.segment("ABC"))
  })
})
