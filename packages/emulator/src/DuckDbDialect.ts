/**
 * A Snowflake statement rewritten for DuckDB, token by token, never inside literals or quoted names:
 *
 * - unquoted identifiers in upper case, as Snowflake stores them (`create table t (a int)` makes
 *   `T` with column `A`; DuckDB would keep the spelling); quoted ones keep their case;
 * - bind placeholders (`?`, `:1`) replaced by literals (Bindings);
 * - string literals re-written without backslash escapes, which DuckDB does not read;
 * - Snowflake type names in type positions (after `::`, `AS` inside `CAST(`, a column definition)
 *   mapped to DuckDB's: `NUMBER(p,s)` → `DECIMAL(p,s)`, `NUMBER`/`INT` → `DECIMAL(38,0)` (Snowflake's
 *   integers are NUMBER(38,0)), `FLOAT` → `DOUBLE`, `VARIANT`/`OBJECT`/`ARRAY` → `JSON`,
 *   `TIMESTAMP_NTZ` → `TIMESTAMP`, `TIMESTAMP_LTZ`/`TIMESTAMP_TZ` → `TIMESTAMPTZ`, `BINARY` → `BLOB`;
 * - `CURRENT_DATABASE()` and its siblings replaced by the session's values as literals;
 * - a few Snowflake functions DuckDB spells otherwise renamed (`PARSE_JSON` → `JSON`, `IFF` → `IF`,
 *   `NVL` → `COALESCE`, `ARRAY_CONSTRUCT` → `LIST_VALUE`, `OBJECT_CONSTRUCT` → `JSON_OBJECT`).
 */
import { duckDbString, isSymbol, isWord, significant, type Token } from "./SqlTokens.ts"

/** What a type name becomes, and whether a `(n)` after it is dropped (DuckDB takes no precision there). */
interface TypeMapping {
  readonly duckDb: string
  /** Appended when no `(…)` follows (`NUMBER` alone is NUMBER(38,0)). */
  readonly defaultArguments?: string
  readonly dropArguments?: boolean
}

const INTEGER: TypeMapping = { duckDb: "DECIMAL(38,0)", dropArguments: true }
const DECIMAL: TypeMapping = { duckDb: "DECIMAL", defaultArguments: "(38,0)" }
const DOUBLE: TypeMapping = { duckDb: "DOUBLE", dropArguments: true }
const JSON_TYPE: TypeMapping = { duckDb: "JSON", dropArguments: true }
const TIMESTAMP: TypeMapping = { duckDb: "TIMESTAMP", dropArguments: true }
const TIMESTAMPTZ: TypeMapping = { duckDb: "TIMESTAMPTZ", dropArguments: true }
const BLOB: TypeMapping = { duckDb: "BLOB", dropArguments: true }

const TYPES: Readonly<Record<string, TypeMapping>> = {
  NUMBER: DECIMAL,
  NUMERIC: DECIMAL,
  DECIMAL: DECIMAL,
  INT: INTEGER,
  INTEGER: INTEGER,
  BIGINT: INTEGER,
  SMALLINT: INTEGER,
  TINYINT: INTEGER,
  BYTEINT: INTEGER,
  FLOAT: DOUBLE,
  FLOAT4: DOUBLE,
  FLOAT8: DOUBLE,
  REAL: DOUBLE,
  DOUBLE: DOUBLE,
  VARIANT: JSON_TYPE,
  OBJECT: JSON_TYPE,
  ARRAY: JSON_TYPE,
  TIMESTAMP_NTZ: TIMESTAMP,
  DATETIME: TIMESTAMP,
  TIMESTAMP: TIMESTAMP,
  TIMESTAMP_LTZ: TIMESTAMPTZ,
  TIMESTAMP_TZ: TIMESTAMPTZ,
  TIME: { duckDb: "TIME", dropArguments: true },
  BINARY: BLOB,
  VARBINARY: BLOB
}

/** Snowflake functions DuckDB has under another name (same arguments). */
const FUNCTIONS: Readonly<Record<string, string>> = {
  PARSE_JSON: "JSON",
  IFF: "IF",
  NVL: "COALESCE",
  ARRAY_CONSTRUCT: "LIST_VALUE",
  OBJECT_CONSTRUCT: "JSON_OBJECT"
}

/** The session values `CURRENT_*()` stand for. */
export interface SessionNames {
  readonly database: string
  readonly schema: string
  readonly warehouse: string | undefined
  readonly role: string
  readonly user: string
  readonly account: string
  readonly sessionId: string
}

const contextFunction = (name: string, names: SessionNames): string | null | undefined => {
  switch (name) {
    case "CURRENT_DATABASE":
      return names.database
    case "CURRENT_SCHEMA":
      return names.schema
    case "CURRENT_WAREHOUSE":
      return names.warehouse ?? null
    case "CURRENT_ROLE":
      return names.role
    case "CURRENT_USER":
      return names.user
    case "CURRENT_ACCOUNT":
    case "CURRENT_ACCOUNT_NAME":
      return names.account
    case "CURRENT_SESSION":
      return names.sessionId
    case "CURRENT_REGION":
      return "LOCAL"
    default:
      return undefined
  }
}

/** Index of the next significant token after `index`, or -1. */
const nextSignificant = (tokens: ReadonlyArray<Token>, index: number): number => {
  for (let i = index + 1; i < tokens.length; i++) if (significant(tokens[i]!)) return i
  return -1
}

const previousSignificant = (tokens: ReadonlyArray<Token>, index: number): number => {
  for (let i = index - 1; i >= 0; i--) if (significant(tokens[i]!)) return i
  return -1
}

/**
 * Indices of the tokens that stand in a type position: after `::`; after `AS` at the top level of a
 * `CAST(` / `TRY_CAST(`; the word after a column name in `CREATE TABLE … (` column definitions or
 * after `ADD [COLUMN] name` in `ALTER TABLE`.
 */
export const typePositions = (tokens: ReadonlyArray<Token>): ReadonlySet<number> => {
  const positions = new Set<number>()
  const words = tokens.flatMap((token, index) => (significant(token) ? [index] : []))
  const first = (n: number) => (words[n] === undefined ? undefined : tokens[words[n]!])
  const createsTable =
    isWord(first(0), "CREATE") && words.slice(1, 6).some((index) => isWord(tokens[index], "TABLE"))
  // Paren stack: what each open parenthesis is (a cast, a column list, anything else).
  const stack: Array<"cast" | "columns" | "other"> = []
  // A column list comes right after the table name: not once `AS SELECT …` (or `LIKE`, `CLONE`) began.
  let columnListSeen = false
  for (let w = 0; w < words.length; w++) {
    const index = words[w]!
    const token = tokens[index]!
    const top = stack[stack.length - 1]
    if (stack.length === 0 && ["AS", "SELECT", "LIKE", "CLONE"].some((word) => isWord(token, word)))
      columnListSeen = true
    if (isSymbol(token, "(")) {
      const before = tokens[words[w - 1] ?? -1]
      if (isWord(before, "CAST") || isWord(before, "TRY_CAST")) stack.push("cast")
      else if (createsTable && !columnListSeen && stack.length === 0) {
        columnListSeen = true
        stack.push("columns")
        const name = words[w + 1]
        if (name !== undefined && words[w + 2] !== undefined) positions.add(words[w + 2]!)
      } else stack.push("other")
    } else if (isSymbol(token, ")")) stack.pop()
    else if (isSymbol(token, "::")) {
      if (words[w + 1] !== undefined) positions.add(words[w + 1]!)
    } else if (isWord(token, "AS") && top === "cast") {
      if (words[w + 1] !== undefined) positions.add(words[w + 1]!)
    } else if (isSymbol(token, ",") && top === "columns") {
      if (words[w + 2] !== undefined) positions.add(words[w + 2]!)
    } else if (isWord(token, "ADD") && isWord(first(0), "ALTER")) {
      const skip = isWord(tokens[words[w + 1] ?? -1], "COLUMN") ? 1 : 0
      if (words[w + 2 + skip] !== undefined) positions.add(words[w + 2 + skip]!)
    }
  }
  return positions
}

/** The type tokens at `index` rewritten for DuckDB, and how many tokens they replace. */
const mapType = (
  tokens: ReadonlyArray<Token>,
  index: number
): { readonly text: string; readonly consumed: number } | undefined => {
  const token = tokens[index]!
  if (token.kind !== "word") return undefined
  const mapping = TYPES[token.text.toUpperCase()]
  if (mapping === undefined) return undefined
  const open = nextSignificant(tokens, index)
  const hasArguments = open !== -1 && isSymbol(tokens[open], "(")
  if (hasArguments && mapping.dropArguments === true) {
    let close = open
    while (close < tokens.length && !isSymbol(tokens[close], ")")) close++
    return { text: mapping.duckDb, consumed: close - index + 1 }
  }
  return {
    text: hasArguments ? mapping.duckDb : `${mapping.duckDb}${mapping.defaultArguments ?? ""}`,
    consumed: 1
  }
}

/**
 * `tokens` as DuckDB text, with `literals` for the bind placeholders (by position) and `names` for
 * the context functions. A placeholder without a literal is left for DuckDB to refuse.
 */
export const toDuckDb = (
  tokens: ReadonlyArray<Token>,
  literals: ReadonlyMap<number, string>,
  names: SessionNames
): string => {
  const types = typePositions(tokens)
  const out: Array<string> = []
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (types.has(i)) {
      const mapped = mapType(tokens, i)
      if (mapped !== undefined) {
        out.push(mapped.text)
        i += mapped.consumed - 1
        continue
      }
    }
    switch (token.kind) {
      case "placeholder":
        out.push(literals.get(token.position) ?? token.text)
        break
      case "string":
        out.push(duckDbString(token.value))
        break
      case "word": {
        const upper = token.text.toUpperCase()
        const open = nextSignificant(tokens, i)
        const close = open === -1 ? -1 : nextSignificant(tokens, open)
        const value =
          open !== -1 && isSymbol(tokens[open], "(") && isSymbol(tokens[close], ")")
            ? contextFunction(upper, names)
            : undefined
        const qualified = isSymbol(tokens[previousSignificant(tokens, i)], ".")
        const renamed =
          open !== -1 && isSymbol(tokens[open], "(") && !qualified ? FUNCTIONS[upper] : undefined
        if (value !== undefined && !qualified) {
          out.push(value === null ? "NULL" : duckDbString(value))
          i = close
        } else out.push(renamed ?? upper)
        break
      }
      case "comment":
        // A `//` comment is DuckDB's integer division: keep comments out of the text.
        out.push(" ")
        break
      default:
        out.push(token.text)
    }
  }
  return out.join("")
}
