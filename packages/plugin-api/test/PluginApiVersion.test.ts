import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { PLUGIN_API_PACKAGE_VERSION } from "@runbatch/plugin-api"

describe("PLUGIN_API_PACKAGE_VERSION", () => {
  it("is the version in package.json, which plugins' peer ranges are checked against", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string
    }
    expect(PLUGIN_API_PACKAGE_VERSION).toBe(pkg.version)
  })
})
