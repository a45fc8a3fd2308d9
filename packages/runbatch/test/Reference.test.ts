import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { cliReference } from "../src/cli/Help.ts"

describe("docs/reference/cli.md", () => {
  it("is what the command declarations render (run npm run docs:cli after changing a command)", () => {
    const page = readFileSync(new URL("../../../docs/reference/cli.md", import.meta.url), "utf8")
    expect(page).toBe(cliReference())
  })
})
