import { describe, expect, it } from "@effect/vitest"
import { beginMarker, endMarker, newPerformanceDoc, replaceGeneratedSection } from "../src/performance-doc.ts"

describe("replaceGeneratedSection", () => {
  const doc = `# Performance\n\nHand-written intro.\n\n${beginMarker}\nold table\n${endMarker}\n\n## Notes\n\nKept as is.\n`

  it("replaces only what is between the markers", () => {
    expect(replaceGeneratedSection(doc, "new table")).toBe(
      `# Performance\n\nHand-written intro.\n\n${beginMarker}\nnew table\n${endMarker}\n\n## Notes\n\nKept as is.\n`
    )
  })

  it("gives the same document when run twice", () => {
    const once = replaceGeneratedSection(doc, "table")
    expect(replaceGeneratedSection(once, "table")).toBe(once)
  })

  it("appends the section to a document without markers", () => {
    expect(replaceGeneratedSection("# Perf\n\nintro", "table")).toBe(
      `# Perf\n\nintro\n\n${beginMarker}\ntable\n${endMarker}\n`
    )
  })

  it("refuses markers it cannot pair, rather than guess", () => {
    expect(() => replaceGeneratedSection(`${beginMarker}\nno end`, "table")).toThrow(
      "fix the markers by hand"
    )
    expect(() => replaceGeneratedSection(`${endMarker}\n${beginMarker}\n`, "table")).toThrow()
    expect(() => replaceGeneratedSection(`${beginMarker}\n${beginMarker}\n${endMarker}\n`, "table")).toThrow()
  })

  it("starts a new page with an intro that explains the ratio and the markers", () => {
    const fresh = newPerformanceDoc()
    expect(fresh).toContain("rows/s ÷ reference rows/s, so higher is better")
    expect(fresh).toContain("npm run bench -- --quick")
    expect(replaceGeneratedSection(fresh, "table")).toContain(`${beginMarker}\ntable\n${endMarker}\n`)
  })
})
