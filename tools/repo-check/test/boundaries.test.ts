import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { checkRepo } from "../src/check-repo.ts"
import { formatViolation } from "../src/violation.ts"

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}/`, import.meta.url))

describe("checkRepo", () => {
  it("finds no violation in this repository", () => {
    const { packages, violations } = checkRepo(repoRoot)
    expect(packages.map((workspacePackage) => workspacePackage.name)).toContain("@runbatch/repo-check")
    expect(violations.map(formatViolation)).toEqual([])
  })

  it("finds each broken rule of the bad fixture, and nothing else", () => {
    const { violations } = checkRepo(fixture("bad-workspace"))
    const found = violations.map((violation) => `${violation.package} ${violation.rule}`).sort()
    expect(found).toEqual(
      [
        "@runbatch/engine-b plugin-imports-plugin",
        "@runbatch/plugin-host missing-tsconfig-reference",
        "@runbatch/registry-client native-module-owner",
        "@runbatch/runbatch core-imports-plugin",
        "@runbatch/session undeclared-workspace-dependency",
        "@runbatch/session shared-library-range",
        "@runbatch/plugin-host shared-library-pin",
        "@runbatch/spec shared-library-dependency",
        "@runbatch/spcs-launcher forbidden-import",
        "@runbatch/stage-io undeclared-dependency",
        "@runbatch/testkit extra-tsconfig-reference",
        "@runbatch/widgets unknown-package",
        "@runbatch/encoder-a plugin-imports-runtime"
      ].sort()
    )
  })

  it("places each violation and says how to fix it", () => {
    const { violations } = checkRepo(fixture("bad-workspace"))
    expect(violations.find((violation) => violation.rule === "plugin-imports-runtime")).toEqual({
      package: "@runbatch/encoder-a",
      file: "plugins/encoder-a/src/index.ts",
      line: 1,
      specifier: "@runbatch/runtime",
      rule: "plugin-imports-runtime",
      severity: "error",
      message:
        "plugins/encoder-a/src/index.ts imports @runbatch/runtime: a plugin may import only @runbatch/plugin-api, " +
        "@runbatch/plugin-http and @runbatch/spec (design.md §2). Move the shared code into plugin-api or spec."
    })
    const missingReference = violations.find((violation) => violation.rule === "missing-tsconfig-reference")
    expect(missingReference?.file).toBe("packages/plugin-host/tsconfig.json")
    expect(missingReference?.message).toContain('Add { "path": "../plugin-api" }')
    const nested = violations.find((violation) => violation.rule === "shared-library-dependency")
    expect(nested?.file).toBe("packages/spec/package.json")
    expect(nested?.message).toContain(
      'Declare "peerDependencies": { "effect": "^4.1.0" } and "devDependencies": { "effect": "4.1.0" } instead'
    )
    const unknown = violations.find((violation) => violation.rule === "unknown-package")
    expect(unknown?.severity).toBe("warning")
    expect(unknown?.message).toContain("not in the boundary table; add it to tools/repo-check/src/rules.ts")
  })

  it("accepts a workspace that follows every rule", () => {
    const { packages, violations } = checkRepo(fixture("good-workspace"))
    expect(packages.map((workspacePackage) => workspacePackage.kind)).toEqual([
      "core",
      "core",
      "core",
      "core",
      "core",
      "core",
      "plugin",
      "plugin",
      "tool"
    ])
    expect(violations.map(formatViolation)).toEqual([])
  })
})
