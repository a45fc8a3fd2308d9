import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import * as Spec from "@runbatch/spec"

const REFERENCE = fileURLToPath(new URL("../../../docs/reference/errors.md", import.meta.url))

/** Every exported class whose instances carry a `_tag` (Schema.TaggedError classes), by tag. */
const exportedErrorTags = (): Array<string> =>
  (Object.values(Spec) as ReadonlyArray<unknown>)
    .filter(
      (
        value
      ): value is (new (...args: never) => Error) & { identifier: string; fields: Record<string, unknown> } =>
        typeof value === "function" &&
        value.prototype instanceof Error &&
        "fields" in value &&
        typeof value.fields === "object" &&
        value.fields !== null &&
        "_tag" in value.fields
    )
    .map((cls) => cls.identifier)
    .sort()

describe("ERROR_CATALOGUE", () => {
  const tags = exportedErrorTags()

  it("finds the exported error classes", () => {
    expect(tags.length).toBeGreaterThanOrEqual(20)
    expect(tags).toContain("InvalidSpec")
    expect(tags).toContain("StageFileError")
  })

  it.each(tags)("the exported error %s has a catalogue entry", (tag) => {
    expect(Spec.ERROR_CATALOGUE.map((e) => e.tag)).toContain(tag)
  })

  it.each(Spec.ERROR_CATALOGUE.map((e) => e.tag))(
    "the catalogue entry %s is an exported error class",
    (tag) => {
      expect(tags).toContain(tag)
    }
  )

  it("has one complete entry per tag", () => {
    const seen = Spec.ERROR_CATALOGUE.map((e) => e.tag)
    expect(new Set(seen).size).toBe(seen.length)
    for (const entry of Spec.ERROR_CATALOGUE) {
      expect(entry.area.trim(), entry.tag).not.toBe("")
      expect(entry.summary.trim(), entry.tag).not.toBe("")
      expect(entry.fix.trim(), entry.tag).not.toBe("")
    }
  })
})

describe("docs/reference/errors.md", () => {
  it("is rendered from the catalogue (run `npm run docs:errors` when this fails)", () => {
    const onDisk = existsSync(REFERENCE) ? readFileSync(REFERENCE, "utf8") : "<missing>"
    expect(
      onDisk,
      "docs/reference/errors.md is out of date with packages/spec/src/errors/ErrorCatalogue.ts: run `npm run docs:errors`"
    ).toBe(Spec.renderReference())
  })

  it("renders a section and a table row per error", () => {
    const page = Spec.renderReference()
    for (const entry of Spec.ERROR_CATALOGUE) {
      expect(page).toContain(`### ${entry.tag}\n\n${entry.summary}\n\n**Fix:** ${entry.fix}`)
      expect(page).toContain(`[\`${entry.tag}\`](#${entry.tag.toLowerCase()})`)
    }
    for (const area of new Set(Spec.ERROR_CATALOGUE.map((e) => e.area)))
      expect(page).toContain(`## ${area}\n`)
    expect(page.endsWith("\n")).toBe(true)
    expect(page.endsWith("\n\n")).toBe(false)
  })
})
