import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import {
  compileDocBlocks,
  type DocBlocksCompilation,
  formatBlockDiagnostic
} from "../src/compile-doc-blocks.ts"
import { codeBlocks, docCodeBlocks, docFiles, namedExample } from "../src/doc-blocks.ts"

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))

const markdown = (...lines: ReadonlyArray<string>) => lines.join("\n")

describe("codeBlocks", () => {
  it("finds ts, typescript, js and mjs blocks with their line and code, and nothing else", () => {
    const text = markdown(
      "# Title",
      "",
      "```ts",
      "const a = 1",
      "",
      "console.log(a)",
      "```",
      "```sh",
      "npx runbatch demo",
      "```",
      "````typescript title=x",
      "const fence = '```'",
      "````",
      "- a list item:",
      "  ```js",
      "  console.log(1)",
      "  ```",
      "~~~mjs `quoted` info",
      "await 1",
      "~~~",
      "```ts is inline code```, not a fence",
      "```json",
      "{}",
      "```"
    )
    expect(codeBlocks(text, "doc.md")).toEqual([
      { file: "doc.md", line: 3, language: "ts", code: "const a = 1\n\nconsole.log(a)" },
      { file: "doc.md", line: 11, language: "typescript", code: "const fence = '```'" },
      { file: "doc.md", line: 15, language: "js", code: "console.log(1)" },
      { file: "doc.md", line: 18, language: "mjs", code: "await 1" }
    ])
  })

  it("reads the no-check and example markers on the line above a block (blank lines allowed)", () => {
    const text = markdown(
      "<!-- no-check: a type excerpt -->",
      "```ts",
      "type A = {",
      "```",
      "<!-- example: quickstart -->",
      "",
      "```mjs",
      "console.log(1)",
      "```",
      "```ts",
      "```"
    )
    expect(codeBlocks(text, "doc.md")).toEqual([
      { file: "doc.md", line: 2, language: "ts", code: "type A = {", skip: "a type excerpt" },
      { file: "doc.md", line: 7, language: "mjs", code: "console.log(1)", name: "quickstart" },
      { file: "doc.md", line: 10, language: "ts", code: "" }
    ])
  })

  it("ignores what looks like a marker inside a block of another language", () => {
    const text = markdown("```md", "<!-- no-check: not a marker here -->", "```", "```ts", "x", "```")
    expect(codeBlocks(text, "doc.md")).toEqual([{ file: "doc.md", line: 4, language: "ts", code: "x" }])
  })

  it.each([
    [["<!-- no-check -->", "```ts", "```"], "doc.md:1: a marker is written"],
    [["<!-- no-check: -->", "```ts", "```"], "doc.md:1: <!-- no-check: … --> needs a reason."],
    [["<!-- example: Quick Start -->", "```ts", "```"], 'doc.md:1: example name "Quick Start"'],
    [["<!-- no-check: why -->", "Some text.", "```ts", "```"], "doc.md:1: a marker must stand right above"],
    [["<!-- example: a -->", "```sh", "```"], 'this one is "sh"'],
    [["<!-- no-check: why -->"], "doc.md:1: a marker must stand right above a code block."],
    [["<!-- example: a -->", "<!-- example: b -->", "```ts", "```"], "doc.md:2: one marker of each kind"],
    [["<!-- example: a -->", "<!-- no-check: why -->", "```ts", "```"], "it cannot also be no-check"],
    [["text", "```ts", "const a = 1"], "doc.md:2: the code fence ```ts is never closed."]
  ])("refuses %j", (lines, message) => {
    expect(() => codeBlocks(markdown(...lines), "doc.md")).toThrow(message)
  })
})

// Compiled in the same program as the documentation (one program is what takes the time): a wrong API
// name in a ts and in a js block, and a skipped block that would not compile.
const wrongBlocks = codeBlocks(
  markdown(
    "```ts",
    'import { Session } from "@runbatch/runbatch"',
    'await using session = Session.local({ home: "./.runbatch" })',
    'session.tabel("wines")',
    "```",
    "```mjs",
    'import { Session } from "@runbatch/runbatch"',
    "",
    'Session.locale({ home: "./.runbatch" })',
    "```",
    "<!-- no-check: not code -->",
    "```ts",
    "{ rows, schema }",
    "```"
  ),
  "wrong.md"
)

describe("the documentation's code blocks", () => {
  const blocks = docCodeBlocks(repoRoot)
  const files = [...new Set(blocks.map((block) => block.file))]
  let compiled: DocBlocksCompilation = { diagnostics: [], global: [] }
  const problemsIn = (file: string) =>
    compiled.diagnostics.filter((diagnostic) => diagnostic.block.file === file).map(formatBlockDiagnostic)

  beforeAll(() => {
    compiled = compileDocBlocks(repoRoot, [...blocks, ...wrongBlocks])
    const skipped = blocks.filter((block) => block.skip !== undefined)
    console.log(
      [
        `${blocks.length - skipped.length} code blocks of README.md and docs/ compiled, ${skipped.length} skipped:`,
        ...skipped.map((block) => `  ${block.file}:${block.line}: ${block.skip}`)
      ].join("\n")
    )
  })

  it("are read from README.md and every markdown file under docs/", () => {
    expect(docFiles(repoRoot)).toEqual(expect.arrayContaining(["README.md", "docs/plugins/authoring.md"]))
    expect(files).toContain("README.md")
  })

  it("compile with valid compiler options", () => {
    expect(compiled.global).toEqual([])
  })

  it("would fail on a wrong API name, reported at its markdown line, in ts and js blocks alike", () => {
    expect(problemsIn("wrong.md")).toEqual([
      "wrong.md:4: TS2551: Property 'tabel' does not exist on type 'Session'. Did you mean 'table'?",
      "wrong.md:9: TS2551: Property 'locale' does not exist on type 'typeof Session'. Did you mean 'local'?"
    ])
  })

  it.each(files)("compile in %s", (file) => {
    expect(problemsIn(file)).toEqual([])
  })

  it("include the examples that tools run, by name", () => {
    for (const name of ["quickstart-ts", "quickstart-mjs", "effect"]) {
      const example = namedExample(repoRoot, name)
      expect(example.skip).toBeUndefined()
      expect(example.code).toContain("@runbatch/runbatch")
    }
    expect(namedExample(repoRoot, "quickstart-mjs").language).toBe("mjs")
    expect(() => namedExample(repoRoot, "no-such-example")).toThrow('No example named "no-such-example"')
  })
})
