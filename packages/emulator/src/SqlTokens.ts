/**
 * Snowflake SQL text as tokens: enough lexing to rewrite a statement safely (bind placeholders,
 * identifier case, type names) without touching what is inside string literals, quoted identifiers
 * and comments, and to tell one statement from two. String literals are decoded with Snowflake's
 * rules (`''` and backslash escapes, `$$…$$`), so they can be written back for DuckDB, which has no
 * backslash escapes.
 */

export type Token =
  /** An unquoted identifier or keyword, as written. */
  | { readonly kind: "word"; readonly text: string }
  /** A double-quoted identifier, as written (quotes included). */
  | { readonly kind: "quoted"; readonly text: string }
  /** A string literal: `text` as written, `value` decoded. */
  | { readonly kind: "string"; readonly text: string; readonly value: string }
  | { readonly kind: "number"; readonly text: string }
  /** `?` (positional, numbered in order) or `:n`. */
  | { readonly kind: "placeholder"; readonly text: string; readonly position: number }
  /** `$1`, a column of a staged file. */
  | { readonly kind: "variable"; readonly text: string }
  | { readonly kind: "comment"; readonly text: string }
  | { readonly kind: "space"; readonly text: string }
  /** Punctuation and operators, one or two characters (`::`, `<=`, `||`, `=>`). */
  | { readonly kind: "symbol"; readonly text: string }
  /** DuckDB text the emulator put in place of Snowflake text (a QUERY_HISTORY() table); kept as is. */
  | { readonly kind: "raw"; readonly text: string }
  /**
   * An unquoted stage location (`@db.s."My Stage"/dir/*.csv`) or local file URL (`file:///tmp/*.csv`),
   * up to the next whitespace: paths are case-sensitive and may hold `/*` or `--`, which are not comments.
   */
  | { readonly kind: "location"; readonly text: string }

/** Text that cannot be lexed: an unclosed literal, quoted name or comment at `offset`. */
export class LexError extends Error {
  readonly reason: string
  readonly offset: number
  constructor(reason: string, offset: number) {
    super(reason)
    this.reason = reason
    this.offset = offset
  }
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/
const DIGIT = /[0-9]/
const TWO_CHAR_SYMBOLS = new Set(["::", "<=", ">=", "<>", "!=", "||", "=>", "->"])
const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  "0": "\u0000",
  "'": "'",
  '"': '"',
  "\\": "\\"
}

/** The position of the end of the single-quoted literal starting at `start`, and its decoded value. */
const readString = (sql: string, start: number): { end: number; value: string } => {
  let value = ""
  let i = start + 1
  while (i < sql.length) {
    const char = sql[i]!
    if (char === "\\") {
      const next = sql[i + 1]
      if (next === undefined) break
      value += ESCAPES[next] ?? next
      i += 2
      continue
    }
    if (char === "'") {
      if (sql[i + 1] === "'") {
        value += "'"
        i += 2
        continue
      }
      return { end: i + 1, value }
    }
    value += char
    i++
  }
  throw new LexError("a string literal is not closed (a ' is missing)", start)
}

/** Tokens of `sql`; fails with LexError on an unclosed literal, identifier or comment. */
export const tokenize = (sql: string): ReadonlyArray<Token> => {
  const tokens: Array<Token> = []
  let positional = 0
  let i = 0
  while (i < sql.length) {
    const char = sql[i]!
    const rest = sql.slice(i, i + 2)
    if (/\s/.test(char)) {
      let end = i + 1
      while (end < sql.length && /\s/.test(sql[end]!)) end++
      tokens.push({ kind: "space", text: sql.slice(i, end) })
      i = end
    } else if (char === "@" || /^file:\/\//i.test(sql.slice(i, i + 7))) {
      let end = i + 1
      let quoted = false
      while (end < sql.length) {
        const c = sql[end]!
        if (c === '"') quoted = !quoted
        else if (!quoted && (/\s/.test(c) || c === ";" || c === ")" || c === ",")) break
        end++
      }
      tokens.push({ kind: "location", text: sql.slice(i, end) })
      i = end
    } else if (rest === "--" || rest === "//") {
      const newline = sql.indexOf("\n", i)
      const end = newline === -1 ? sql.length : newline
      tokens.push({ kind: "comment", text: sql.slice(i, end) })
      i = end
    } else if (rest === "/*") {
      const close = sql.indexOf("*/", i + 2)
      if (close === -1) throw new LexError("a /* comment is not closed", i)
      tokens.push({ kind: "comment", text: sql.slice(i, close + 2) })
      i = close + 2
    } else if (char === "'") {
      const { end, value } = readString(sql, i)
      tokens.push({ kind: "string", text: sql.slice(i, end), value })
      i = end
    } else if (rest === "$$") {
      const close = sql.indexOf("$$", i + 2)
      if (close === -1) throw new LexError("a $$ string is not closed", i)
      tokens.push({ kind: "string", text: sql.slice(i, close + 2), value: sql.slice(i + 2, close) })
      i = close + 2
    } else if (char === '"') {
      let end = i + 1
      for (;;) {
        const close = sql.indexOf('"', end)
        if (close === -1) throw new LexError('a quoted identifier is not closed (a " is missing)', i)
        if (sql[close + 1] === '"') {
          end = close + 2
          continue
        }
        end = close + 1
        break
      }
      tokens.push({ kind: "quoted", text: sql.slice(i, end) })
      i = end
    } else if (char === "?") {
      positional++
      tokens.push({ kind: "placeholder", text: "?", position: positional })
      i++
    } else if (char === ":" && DIGIT.test(sql[i + 1] ?? "")) {
      let end = i + 1
      while (end < sql.length && DIGIT.test(sql[end]!)) end++
      tokens.push({ kind: "placeholder", text: sql.slice(i, end), position: Number(sql.slice(i + 1, end)) })
      i = end
    } else if (char === "$" && DIGIT.test(sql[i + 1] ?? "")) {
      let end = i + 1
      while (end < sql.length && DIGIT.test(sql[end]!)) end++
      tokens.push({ kind: "variable", text: sql.slice(i, end) })
      i = end
    } else if (DIGIT.test(char) || (char === "." && DIGIT.test(sql[i + 1] ?? ""))) {
      const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(sql.slice(i))!
      tokens.push({ kind: "number", text: match[0] })
      i += match[0].length
    } else if (WORD_START.test(char)) {
      let end = i + 1
      while (end < sql.length && WORD_PART.test(sql[end]!)) end++
      tokens.push({ kind: "word", text: sql.slice(i, end) })
      i = end
    } else {
      const symbol = TWO_CHAR_SYMBOLS.has(rest) ? rest : char
      tokens.push({ kind: "symbol", text: symbol })
      i += symbol.length
    }
  }
  return tokens
}

/** Whether a token carries meaning (not whitespace or a comment). */
export const significant = (token: Token): boolean => token.kind !== "space" && token.kind !== "comment"

/** Whether `token` is the keyword `word` (case-insensitive). */
export const isWord = (token: Token | undefined, word: string): boolean =>
  token !== undefined && token.kind === "word" && token.text.toUpperCase() === word

export const isSymbol = (token: Token | undefined, symbol: string): boolean =>
  token !== undefined && token.kind === "symbol" && token.text === symbol

/** The text of `tokens`, as written. */
export const render = (tokens: ReadonlyArray<Token>): string => tokens.map((token) => token.text).join("")

/**
 * The statements of `tokens`, split on top-level semicolons; empty statements (a trailing `;`, only
 * comments) are dropped.
 */
export const splitStatements = (tokens: ReadonlyArray<Token>): ReadonlyArray<ReadonlyArray<Token>> => {
  const statements: Array<Array<Token>> = [[]]
  for (const token of tokens) {
    if (isSymbol(token, ";")) statements.push([])
    else statements[statements.length - 1]!.push(token)
  }
  return statements.filter((statement) => statement.some(significant))
}

/** A DuckDB string literal of `value` (quotes doubled; DuckDB takes every other character as is). */
export const duckDbString = (value: string): string => `'${value.replace(/'/g, "''")}'`
