/**
 * The parts of stage statements: a location (`@db.sch.stage/path`, or quoted `'@"my stage"/x'`), a
 * local file URL (`file:///tmp/a.csv`, or quoted), and `NAME = value` options with nested lists
 * (`FILE_FORMAT = (TYPE = PARQUET)` gives `FILE_FORMAT.TYPE`). Locations resolve against the session's
 * database and schema and can never leave their stage (StageLocation refuses `..` and the like).
 */
import { EmulatorSqlError, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { isSymbol, significant, type Token } from "../SqlTokens.ts"
import type { Statement, StatementContext } from "../Statement.ts"

export const syntaxError = (statement: Statement, reason: string) =>
  new EmulatorSqlError({ statement: statement.text, code: "001003", sqlState: "42000", reason })

/**
 * The unquoted or quoted text starting at token `index` (past whitespace): a string literal's value,
 * or everything up to the next whitespace or `;`. Returns the index after it.
 */
export const argumentAt = (
  tokens: ReadonlyArray<Token>,
  index: number
): { readonly text: string; readonly next: number } | undefined => {
  let i = index
  while (i < tokens.length && !significant(tokens[i]!)) i++
  const first = tokens[i]
  if (first === undefined) return undefined
  if (first.kind === "string") return { text: first.value, next: i + 1 }
  let text = ""
  while (i < tokens.length && tokens[i]!.kind !== "space" && tokens[i]!.kind !== "comment") {
    const token = tokens[i]!
    // An unquoted `=` starts an option (PATTERN=…) only after the argument.
    if (text !== "" && isSymbol(token, "=")) break
    text += token.text
    i++
  }
  return text === "" ? undefined : { text, next: i }
}

/** Index of the first token of `tokens` after the statement's `n` leading words. */
export const afterWords = (tokens: ReadonlyArray<Token>, n: number): number => {
  let seen = 0
  for (let i = 0; i < tokens.length; i++) {
    if (significant(tokens[i]!) && ++seen === n) return i + 1
  }
  return tokens.length
}

/** The two arguments after a statement's first word (`PUT <from> <to>`), or a syntax error giving `usage`. */
export const twoArguments = (statement: Statement, usage: string) => {
  const source = argumentAt(statement.tokens, afterWords(statement.tokens, 1))
  const target = source === undefined ? undefined : argumentAt(statement.tokens, source.next)
  return source === undefined || target === undefined
    ? Effect.fail(syntaxError(statement, usage))
    : Effect.succeed({ source, target })
}

/** The stage's files under `location`, filtered by the statement's `PATTERN` option when it has one. */
export const listMatching = (
  context: StatementContext,
  location: StageLocation.StageLocation,
  options: Options
) =>
  Effect.gen(function* () {
    const workspace = yield* context.workspace
    const pattern = options.get("PATTERN")
    const entries = yield* workspace.stages.list(
      StageLocation.format(location),
      pattern === undefined ? {} : { pattern }
    )
    return { entries, pattern }
  })

/** A stage location written in a statement, resolved against the session's database and schema. */
export const stageLocation = (text: string, context: StatementContext) =>
  StageLocation.parse(text, { database: context.session.database, schema: context.session.schema })

/** A `file://` URL as a local path; fails naming the URL otherwise. */
export const localPath = (statement: Statement, url: string): Effect.Effect<string, EmulatorSqlError> => {
  const match = /^file:\/\/(.*)$/i.exec(url)
  if (match === null || match[1] === "")
    return Effect.fail(
      syntaxError(statement, `'${url}' is not a local file URL; write file:///absolute/path`)
    )
  let path = match[1]!
  try {
    path = decodeURIComponent(path)
  } catch {
    // Not percent-encoded: the path as written.
  }
  if (!path.startsWith("/"))
    return Effect.fail(
      syntaxError(
        statement,
        `'${url}' is not an absolute path; the emulator and the client share a filesystem, write file:///absolute/path`
      )
    )
  return Effect.succeed(path)
}

export type Options = ReadonlyMap<string, string>

/**
 * `NAME = value` pairs from token `index` on; a parenthesised value's pairs become `NAME.INNER`.
 * Values: a string literal's text, or a word or number upper-cased.
 */
export const optionsFrom = (
  statement: Statement,
  tokens: ReadonlyArray<Token>,
  index: number
): Effect.Effect<Options, EmulatorSqlError> => {
  const words = tokens.slice(index).filter(significant)
  const options = new Map<string, string>()
  const read = (from: number, prefix: string): number | string => {
    let i = from
    while (i < words.length) {
      const name = words[i]!
      if (isSymbol(name, ")")) return i + 1
      if (isSymbol(name, ",")) {
        i++
        continue
      }
      if (name.kind !== "word" || !isSymbol(words[i + 1], "="))
        return `expected NAME = value at '${name.text}'`
      const key = `${prefix}${name.text.toUpperCase()}`
      const value = words[i + 2]
      if (value === undefined) return `${key} has no value`
      if (isSymbol(value, "(")) {
        const end = read(i + 3, `${key}.`)
        if (typeof end === "string") return end
        i = end
        continue
      }
      options.set(key, value.kind === "string" ? value.value : value.text.toUpperCase())
      i += 3
    }
    return prefix === "" ? i : "a ( is not closed"
  }
  const outcome = read(0, "")
  return typeof outcome === "string" ? Effect.fail(syntaxError(statement, outcome)) : Effect.succeed(options)
}

export const booleanOption = (options: Options, name: string, fallback: boolean): boolean => {
  const value = options.get(name)
  return value === undefined ? fallback : value === "TRUE" || value === "1"
}
