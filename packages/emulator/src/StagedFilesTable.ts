/**
 * Queries over staged parquet files, rewritten for DuckDB before the dialect runs:
 *
 * - `@stage/path (FILE_FORMAT => 'fmt' [, PATTERN => 're'])` in FROM becomes `read_parquet([…])` of the
 *   stage's files under the path (PATTERN matched as LIST matches it); the format must exist and be
 *   PARQUET.
 * - `$1:COL` and `$1:"Col"` (a column of the staged file; path elements are case-sensitive, as
 *   Snowflake's) become the column `"COL"` / `"Col"`. `$1` as a whole, and deeper paths, are refused.
 * - `TABLE(INFER_SCHEMA(LOCATION => '@stage/path', FILE_FORMAT => 'fmt' [, FILES => ('a', …)]))`
 *   becomes a table of the files' columns: COLUMN_NAME, TYPE (Snowflake's: `NUMBER(38, 0)`, `REAL`,
 *   `TEXT`, …), NULLABLE, EXPRESSION (`$1:"COL"::TYPE`), FILENAMES, ORDER_ID.
 */
import { EmulatorSqlError, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { fileFormatNamed } from "./handlers/FileFormats.ts"
import { stageLocation, syntaxError } from "./handlers/StageSyntax.ts"
import { requireStage } from "./handlers/Stages.ts"
import { duckDbString, isSymbol, isWord, significant, type Token } from "./SqlTokens.ts"
import type { Statement, StatementContext } from "./Statement.ts"

/** Whether the statement reads staged files (and so needs this rewrite). */
export const readsStagedFiles = (tokens: ReadonlyArray<Token>): boolean =>
  tokens.some((t) => t.kind === "location" || t.kind === "variable" || isWord(t, "INFER_SCHEMA"))

/** Index of the first significant token at or after `from`, or tokens.length. */
const nextAt = (tokens: ReadonlyArray<Token>, from: number): number => {
  let i = from
  while (i < tokens.length && !significant(tokens[i]!)) i++
  return i
}

type ArgumentValue = string | ReadonlyArray<string>

/**
 * `( NAME => 'value' | ('a', 'b'), … )` from the `(` at `open`: the arguments by upper-case name, and
 * the index of the closing `)`.
 */
const namedArguments = (statement: Statement, tokens: ReadonlyArray<Token>, open: number) =>
  Effect.gen(function* () {
    const values = new Map<string, ArgumentValue>()
    let i = nextAt(tokens, open + 1)
    while (i < tokens.length && !isSymbol(tokens[i], ")")) {
      const name = tokens[i]
      const arrow = nextAt(tokens, i + 1)
      if (name?.kind !== "word" || !isSymbol(tokens[arrow], "=>"))
        return yield* syntaxError(statement, `expected NAME => value at '${name?.text ?? "the end"}'`)
      let at = nextAt(tokens, arrow + 1)
      const value = tokens[at]
      if (value?.kind === "string") values.set(name.text.toUpperCase(), value.value)
      else if (isSymbol(value, "(")) {
        const list: Array<string> = []
        at = nextAt(tokens, at + 1)
        while (at < tokens.length && !isSymbol(tokens[at], ")")) {
          const item = tokens[at]!
          if (item.kind === "string") list.push(item.value)
          else if (!isSymbol(item, ","))
            return yield* syntaxError(statement, `${name.text} takes quoted names: ('a', 'b')`)
          at = nextAt(tokens, at + 1)
        }
        values.set(name.text.toUpperCase(), list)
      } else return yield* syntaxError(statement, `${name.text} takes a quoted value`)
      i = nextAt(tokens, at + 1)
      if (isSymbol(tokens[i], ",")) i = nextAt(tokens, i + 1)
    }
    if (i >= tokens.length) return yield* syntaxError(statement, "a ( is not closed")
    return { values, close: i }
  })

const text = (values: ReadonlyMap<string, ArgumentValue>, name: string): string | undefined => {
  const value = values.get(name)
  return typeof value === "string" ? value : undefined
}

/** The local paths of the parquet files a staged-file reference reads, checked and listed. */
const stagedFiles = (
  statement: Statement,
  context: StatementContext,
  where: string,
  values: ReadonlyMap<string, ArgumentValue>
) =>
  Effect.gen(function* () {
    const formatName = text(values, "FILE_FORMAT")
    if (formatName === undefined)
      return yield* syntaxError(
        statement,
        `${where} needs FILE_FORMAT => 'name' (a named PARQUET file format)`
      )
    const { key, format } = yield* fileFormatNamed(statement, context, formatName)
    if (format.type !== "PARQUET")
      return yield* new EmulatorSqlError({
        statement: statement.text,
        code: "000002",
        sqlState: "0A000",
        reason: `the emulator reads staged files of TYPE = PARQUET only; ${key} is ${format.type}.`
      })
    const location = yield* stageLocation(where, context)
    yield* requireStage(statement, context, location)
    const workspace = yield* context.workspace
    const pattern = text(values, "PATTERN")
    // FILES name files relative to the location's folder.
    const files = values.get("FILES")
    const folder = location.isDirectory
      ? location.path
      : location.path.slice(0, Math.max(0, location.path.lastIndexOf("/")))
    const prefix = folder === "" ? "" : `${folder}/`
    const entries = (yield* workspace.stages.list(
      StageLocation.format(location),
      pattern === undefined ? {} : { pattern }
    )).filter((entry) => typeof files !== "object" || files.some((file) => entry.path === `${prefix}${file}`))
    if (entries.length === 0)
      return yield* new EmulatorSqlError({
        statement: statement.text,
        code: "002003",
        sqlState: "02000",
        reason: `no staged files match ${StageLocation.format(location)}${pattern === undefined ? "" : ` (PATTERN '${pattern}')`}.`
      })
    const paths = yield* Effect.forEach(entries, (entry) =>
      Effect.flatMap(StageLocation.parse(entry.location), workspace.account.stagePath)
    )
    return { paths, entries, location, workspace }
  })

const readParquet = (paths: ReadonlyArray<string>) => `read_parquet([${paths.map(duckDbString).join(", ")}])`

/** The type INFER_SCHEMA gives a parquet column DuckDB reads as `duckDbType`. */
export const inferredType = (duckDbType: string): string => {
  const type = duckDbType.trim().toUpperCase()
  if (/^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?)$/.test(type)) return "NUMBER(38, 0)"
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type)
  if (decimal !== null) return `NUMBER(${decimal[1]}, ${decimal[2]})`
  if (type === "FLOAT" || type === "DOUBLE") return "REAL"
  if (type === "VARCHAR") return "TEXT"
  if (type === "BOOLEAN" || type === "DATE" || type === "TIME") return type
  if (type === "BLOB") return "BINARY"
  if (type === "TIMESTAMP WITH TIME ZONE") return "TIMESTAMP_LTZ"
  if (type.startsWith("TIMESTAMP")) return "TIMESTAMP_NTZ"
  return "VARIANT"
}

/** A column name as a path element of `$1`: quoted, with `"` doubled. */
const pathElement = (name: string) => `"${name.replace(/"/g, '""')}"`

const inferSchemaTable = (
  statement: Statement,
  context: StatementContext,
  values: ReadonlyMap<string, ArgumentValue>
) =>
  Effect.gen(function* () {
    const location = text(values, "LOCATION")
    if (location === undefined)
      return yield* syntaxError(statement, "INFER_SCHEMA needs LOCATION => '@stage/path'")
    const { paths, entries, workspace } = yield* stagedFiles(statement, context, location, values)
    const described = yield* workspace.sql.query(`DESCRIBE SELECT * FROM ${readParquet(paths)}`).pipe(
      Effect.mapError(
        (error) =>
          new EmulatorSqlError({
            statement: statement.text,
            code: "100071",
            sqlState: "22000",
            reason: `the staged files cannot be read as parquet: ${error.message}`
          })
      )
    )
    const filenames = entries.map((entry) => entry.path).join(", ")
    const rows = Array.from({ length: described.numRows }, (_, i) => {
      const name = String(described.getChild("column_name")?.get(i))
      const type = inferredType(String(described.getChild("column_type")?.get(i)))
      return `(${[
        duckDbString(name),
        duckDbString(type),
        "TRUE",
        duckDbString(`$1:${pathElement(name)}::${type}`),
        duckDbString(filenames),
        String(i)
      ].join(", ")})`
    })
    return `(SELECT * FROM (VALUES ${rows.join(", ")}) AS INFERRED(COLUMN_NAME, TYPE, NULLABLE, EXPRESSION, FILENAMES, ORDER_ID))`
  })

/** `tokens` with staged-file references, `$1:` columns and INFER_SCHEMA tables replaced (raw tokens). */
export const withStagedFiles = (
  statement: Statement,
  tokens: ReadonlyArray<Token>,
  context: StatementContext
) =>
  Effect.gen(function* () {
    const out: Array<Token> = []
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!
      if (token.kind === "variable") {
        const colon = nextAt(tokens, i + 1)
        const element = tokens[nextAt(tokens, colon + 1)]
        const after = tokens[nextAt(tokens, nextAt(tokens, colon + 1) + 1)]
        if (!isSymbol(tokens[colon], ":") || (element?.kind !== "word" && element?.kind !== "quoted"))
          return yield* syntaxError(
            statement,
            `the emulator reads ${token.text} by column only: write ${token.text}:COLUMN (or ${token.text}:"Column")`
          )
        if (isSymbol(after, ".") || isSymbol(after, "["))
          return yield* syntaxError(statement, `the emulator reads top-level columns of ${token.text} only`)
        out.push({ kind: "raw", text: element.kind === "quoted" ? element.text : pathElement(element.text) })
        i = nextAt(tokens, colon + 1)
        continue
      }
      if (token.kind === "location") {
        const open = nextAt(tokens, i + 1)
        if (!isSymbol(tokens[open], "("))
          return yield* syntaxError(
            statement,
            `${token.text} needs its file format: ${token.text} (FILE_FORMAT => 'name')`
          )
        const { values, close } = yield* namedArguments(statement, tokens, open)
        const { paths } = yield* stagedFiles(statement, context, token.text, values)
        out.push({ kind: "raw", text: readParquet(paths) })
        i = close
        continue
      }
      if (isWord(token, "TABLE")) {
        const open = nextAt(tokens, i + 1)
        const fn = nextAt(tokens, open + 1)
        const args = nextAt(tokens, fn + 1)
        if (
          isSymbol(tokens[open], "(") &&
          isWord(tokens[fn], "INFER_SCHEMA") &&
          isSymbol(tokens[args], "(")
        ) {
          const { values, close } = yield* namedArguments(statement, tokens, args)
          const end = nextAt(tokens, close + 1)
          if (!isSymbol(tokens[end], ")")) return yield* syntaxError(statement, "TABLE( is not closed")
          out.push({ kind: "raw", text: yield* inferSchemaTable(statement, context, values) })
          i = end
          continue
        }
      }
      out.push(token)
    }
    return out
  })
