/**
 * The code blocks of the documentation that are meant to run: every fenced block of README.md and
 * docs/**\/*.md whose info string starts with `ts`, `typescript`, `js` or `mjs`. A test compiles each
 * one (see compile-doc-blocks.ts), and tools that run an example fetch it by name (`namedExample`).
 *
 * Two markers, each an HTML comment on its own line right above the block (blank lines between them
 * and the fence are allowed, anything else is not):
 *
 * - `<!-- no-check: REASON -->` — the block is a deliberate fragment (a type excerpt, a value's shape)
 *   and is not compiled; the reason is required and is printed with the check's results.
 * - `<!-- example: NAME -->` — the block is a named, complete program that tools run as it is written
 *   (`namedExample(root, NAME)`). Names are unique across README.md and docs/.
 *
 * The two never combine: a named example is run, so it must compile, and a block that is skipped
 * cannot be one. A marker above a block of another language, a marker with nothing below it, a
 * malformed marker (`<!-- no-check -->` without a reason) and an unclosed fence are errors, so a typo
 * never skips a check silently.
 *
 * Fences are CommonMark's: three or more backticks or tildes, closed by a run of the same character at
 * least as long. A fence may be indented (inside a list item); its indentation is removed from the
 * block's lines.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

export const checkedLanguages = ["ts", "typescript", "js", "mjs"] as const
export type CheckedLanguage = (typeof checkedLanguages)[number]

export interface CodeBlock {
  /** The markdown file, as given (relative to the repository root when read by `docCodeBlocks`). */
  readonly file: string
  /** 1-based line of the opening fence; the code's first line is `line + 1`. */
  readonly line: number
  readonly language: CheckedLanguage
  readonly code: string
  /** From `<!-- example: NAME -->`. */
  readonly name?: string
  /** From `<!-- no-check: REASON -->`: the block is not compiled, for this reason. */
  readonly skip?: string
}

interface Marker {
  readonly kind: "no-check" | "example"
  readonly value: string
  readonly line: number
}

const isChecked = (language: string): language is CheckedLanguage =>
  (checkedLanguages as ReadonlyArray<string>).includes(language)

// A backtick fence's info string has no backtick (else the line is inline code); a tilde fence's may.
const openingFence = /^(\s*)(`{3,}(?=[^`]*$)|~{3,})\s*(\S*)/
const markerLine = /^\s*<!--\s*(no-check|example)\s*:\s*(.*?)\s*-->\s*$/
const malformedMarker = /^\s*<!--\s*(no-check|example)\b/

const removeIndent = (line: string, indent: number): string => {
  const leading = /^ */.exec(line)?.[0].length ?? 0
  return line.slice(Math.min(indent, leading))
}

/** The checked-language fenced blocks of one markdown text, with their markers; see the module comment. */
export const codeBlocks = (markdownText: string, file: string): ReadonlyArray<CodeBlock> => {
  const lines = markdownText.split(/\r?\n/)
  const blocks: Array<CodeBlock> = []
  const fail = (line: number, message: string): never => {
    throw new Error(`${file}:${line}: ${message}`)
  }
  let markers: Array<Marker> = []
  let index = 0
  while (index < lines.length) {
    const text = lines[index]!
    const lineNumber = index + 1
    const fence = openingFence.exec(text)
    if (fence === null) {
      const marker = markerLine.exec(text)
      if (marker !== null) {
        const kind = marker[1] as Marker["kind"]
        const value = marker[2]!
        if (value === "")
          fail(lineNumber, `<!-- ${kind}: … --> needs a ${kind === "example" ? "name" : "reason"}.`)
        if (kind === "example" && !/^[a-z0-9][a-z0-9-]*$/.test(value)) {
          fail(lineNumber, `example name "${value}": use lower-case letters, digits and dashes.`)
        }
        markers.push({ kind, value, line: lineNumber })
      } else if (malformedMarker.test(text)) {
        fail(lineNumber, "a marker is written <!-- no-check: REASON --> or <!-- example: NAME -->.")
      } else if (text.trim() !== "" && markers.length > 0) {
        fail(markers[0]!.line, "a marker must stand right above a code block (only blank lines between).")
      }
      index++
      continue
    }
    const [, indent = "", run = "", language = ""] = fence
    const closing = new RegExp(`^\\s*${run[0] === "`" ? "`" : "~"}{${run.length},}\\s*$`)
    const end = lines.findIndex((candidate, at) => at > index && closing.test(candidate))
    if (end === -1) fail(lineNumber, `the code fence ${run}${language} is never closed.`)
    const above = markers
    markers = []
    index = end + 1
    if (!isChecked(language)) {
      if (above.length > 0) {
        fail(
          above[0]!.line,
          `markers apply to ${checkedLanguages.join("/")} blocks; this one is "${language}".`
        )
      }
      continue
    }
    const name = above.filter((marker) => marker.kind === "example")
    const skip = above.filter((marker) => marker.kind === "no-check")
    if (name.length > 1 || skip.length > 1) fail(above[1]!.line, "one marker of each kind per block.")
    if (name.length > 0 && skip.length > 0) {
      fail(above[0]!.line, "a named example is run, so it must compile: it cannot also be no-check.")
    }
    blocks.push({
      file,
      line: lineNumber,
      language,
      code: lines
        .slice(lineNumber, end)
        .map((codeLine) => removeIndent(codeLine, indent.length))
        .join("\n"),
      ...(name[0] === undefined ? {} : { name: name[0].value }),
      ...(skip[0] === undefined ? {} : { skip: skip[0].value })
    })
  }
  if (markers.length > 0) fail(markers[0]!.line, "a marker must stand right above a code block.")
  return blocks
}

const markdownUnder = (root: string, folder: string): ReadonlyArray<string> =>
  readdirSync(join(root, folder), { withFileTypes: true })
    .map((entry) => ({ entry, path: `${folder}/${entry.name}` }))
    .sort((a, b) => a.path.localeCompare(b.path))
    .flatMap(({ entry, path }) => {
      if (entry.isDirectory()) return markdownUnder(root, path)
      return entry.isFile() && entry.name.endsWith(".md") ? [path] : []
    })

/** The documentation whose code blocks are checked: README.md and docs/**\/*.md, relative to root. */
export const docFiles = (root: string): ReadonlyArray<string> => [
  ...(existsSync(join(root, "README.md")) ? ["README.md"] : []),
  ...(existsSync(join(root, "docs")) ? markdownUnder(root, "docs") : [])
]

/** The code blocks of every documentation file under root; fails when two examples share a name. */
export const docCodeBlocks = (root: string): ReadonlyArray<CodeBlock> => {
  const blocks = docFiles(root).flatMap((file) => codeBlocks(readFileSync(join(root, file), "utf8"), file))
  const named = new Map<string, CodeBlock>()
  for (const block of blocks) {
    if (block.name === undefined) continue
    const first = named.get(block.name)
    if (first !== undefined) {
      throw new Error(
        `${block.file}:${block.line}: the example name "${block.name}" is taken by ${first.file}:${first.line}.`
      )
    }
    named.set(block.name, block)
  }
  return blocks
}

/** The block marked `<!-- example: NAME -->` in README.md or docs/ under root. */
export const namedExample = (root: string, name: string): CodeBlock => {
  const blocks = docCodeBlocks(root)
  const found = blocks.find((block) => block.name === name)
  if (found === undefined) {
    const names = blocks.flatMap((block) => block.name ?? [])
    throw new Error(
      `No example named "${name}" in README.md or docs/; there are: ${names.join(", ") || "none"}.`
    )
  }
  return found
}
