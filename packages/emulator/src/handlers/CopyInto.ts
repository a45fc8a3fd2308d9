/**
 * `COPY INTO` between tables and stages, parquet only:
 *
 * - `COPY INTO @stage/dir/ FROM (query) | table FILE_FORMAT = (TYPE = PARQUET) [HEADER = TRUE]
 *   [OVERWRITE = TRUE] [SINGLE = TRUE] [MAX_FILE_SIZE = bytes] [DETAILED_OUTPUT = TRUE]` writes
 *   parquet files named as Snowflake names them (`data_0_0_0.snappy.parquet`, `data_0_0_1…` in a
 *   folder, `<prefix>_0_0_0.snappy.parquet` after a prefix, the name itself with SINGLE). Without
 *   MAX_FILE_SIZE (or with SINGLE) it is one file; with it, the rows are split in order into as many
 *   files as keep each at about that size or less (Snowflake's files also depend on its threads: the
 *   count is not the same there). It answers `rows_unloaded, input_bytes, output_bytes`, or with
 *   DETAILED_OUTPUT one row per file: `FILE_NAME` (relative to the location's folder), `FILE_SIZE`,
 *   `ROW_COUNT` (column names and FILE_NAME's form unverified on a real account). Files already under
 *   the location are refused unless OVERWRITE = TRUE, which removes them first, as Snowflake does.
 * - `COPY INTO table FROM @stage[/path] FILE_FORMAT = (TYPE = PARQUET) [PATTERN = 're']
 *   [MATCH_BY_COLUMN_NAME = CASE_SENSITIVE | CASE_INSENSITIVE]` appends the files' rows (by name with
 *   MATCH_BY_COLUMN_NAME — ignoring case either way, as DuckDB matches names — by position otherwise) and answers one row per file. Snowflake's load
 *   history (skipping files loaded before) is not kept: every matching file is loaded.
 */
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { basename, dirname, join } from "node:path"
import {
  EmulatorSqlError,
  type InvalidStageLocation,
  StageLocation,
  UnsupportedStatement
} from "@runbatch/spec"
import { Effect } from "effect"
import { toDuckDb } from "../DuckDbDialect.ts"
import { column } from "../RowTypes.ts"
import { duckDbString, isSymbol, isWord, significant, type Token } from "../SqlTokens.ts"
import type { Statement, StatementContext, StatementHandler } from "../Statement.ts"
import { rows, status } from "../StatementRows.ts"
import { nameAt } from "./SessionStatements.ts"
import {
  argumentAt,
  booleanOption,
  listMatching,
  type Options,
  optionsFrom,
  stageLocation,
  syntaxError
} from "./StageSyntax.ts"
import { requireStage } from "./Stages.ts"

/** Index in `tokens` of the first significant token at or after `from` that is the word `word`. */
const wordIndex = (tokens: ReadonlyArray<Token>, from: number, word: string) => {
  for (let i = from; i < tokens.length; i++) if (isWord(tokens[i], word)) return i
  return -1
}

const nextSignificant = (tokens: ReadonlyArray<Token>, from: number) => {
  for (let i = from; i < tokens.length; i++) if (significant(tokens[i]!)) return i
  return -1
}

/** Index of the parenthesis closing the one at `open`. */
const closing = (tokens: ReadonlyArray<Token>, open: number) => {
  let depth = 0
  for (let i = open; i < tokens.length; i++) {
    if (isSymbol(tokens[i], "(")) depth++
    if (isSymbol(tokens[i], ")") && --depth === 0) return i
  }
  return -1
}

const requireParquet = (statement: Statement, options: Options) => {
  const type = options.get("FILE_FORMAT.TYPE") ?? options.get("FILE_FORMAT")
  return type === "PARQUET"
    ? Effect.void
    : Effect.fail(
        new UnsupportedStatement({
          statement: statement.text,
          kind: `COPY INTO with FILE_FORMAT ${type === undefined ? "CSV (the default)" : type}`,
          hint: "The emulator copies parquet only: add FILE_FORMAT = (TYPE = PARQUET)"
        })
      )
}

const fileSize = (path: string) => Effect.promise(() => stat(path).then((s) => s.size))

/**
 * The `index`-th unloaded file's location: SINGLE names it, a folder gets data_0_0_<index>…, a prefix
 * gets <prefix>_0_0_<index>….
 */
const unloadTarget = (location: StageLocation.StageLocation, single: boolean, index: number) => {
  if (single) return Effect.succeed({ ...location, isDirectory: false })
  const suffix = `_0_0_${index}.snappy.parquet`
  if (location.isDirectory) return StageLocation.child(location, `data${suffix}`, { isDirectory: false })
  return Effect.succeed({ ...location, path: `${location.path}${suffix}`, isDirectory: false })
}

/** A whole number of bytes from MAX_FILE_SIZE, or a syntax error naming the value. */
const maxFileSize = (statement: Statement, options: Options) => {
  const value = options.get("MAX_FILE_SIZE")
  if (value === undefined) return Effect.succeed(undefined)
  const bytes = Number(value)
  return Number.isSafeInteger(bytes) && bytes > 0
    ? Effect.succeed(bytes)
    : Effect.fail(syntaxError(statement, `MAX_FILE_SIZE = ${value} is not a positive number of bytes`))
}

interface Unloaded {
  readonly name: string
  readonly rows: number
  readonly bytes: number
}

/**
 * Unload `query` into the files `fileAt(i)` names: one file, or — over `maxBytes` — the rows of a first
 * whole write split in order (by row number in that file) into enough files of about `maxBytes` each.
 */
const writeFiles = (
  context: StatementContext,
  query: string,
  maxBytes: number | undefined,
  fileAt: (index: number) => Effect.Effect<StageLocation.StageLocation, InvalidStageLocation>
) =>
  Effect.gen(function* () {
    const workspace = yield* context.workspace
    const pathAt = (index: number) =>
      Effect.flatMap(fileAt(index), (file) => workspace.account.stagePath(file))
    const write = (select: string, path: string) =>
      Effect.andThen(
        Effect.promise(() => mkdir(dirname(path), { recursive: true })),
        () =>
          workspace.sql.execute(
            `COPY (\n${select}\n) TO ${duckDbString(path)} (FORMAT parquet, COMPRESSION snappy)`
          )
      )
    const describe = (path: string) =>
      Effect.gen(function* () {
        const counted = yield* workspace.sql.query(`SELECT COUNT(*) FROM read_parquet(${duckDbString(path)})`)
        return {
          name: basename(path),
          rows: Number(counted.getChildAt(0)?.get(0) ?? 0),
          bytes: yield* fileSize(path)
        }
      })
    const first = yield* pathAt(0)
    if (maxBytes === undefined) {
      yield* write(query, first)
      return [yield* describe(first)]
    }
    return yield* Effect.acquireUseRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "emulator-unload-"))),
      (scratch) =>
        Effect.gen(function* () {
          const whole = join(scratch, "whole.parquet")
          yield* write(query, whole)
          const { rows, bytes } = yield* describe(whole)
          const files = Math.max(1, Math.min(rows, Math.ceil(bytes / maxBytes)))
          const perFile = Math.ceil(rows / files)
          const unloaded: Array<Unloaded> = []
          for (let i = 0; i < files; i++) {
            const path = i === 0 ? first : yield* pathAt(i)
            yield* write(
              `SELECT * EXCLUDE (file_row_number) FROM read_parquet(${duckDbString(whole)}, file_row_number = true) WHERE file_row_number >= ${i * perFile} AND file_row_number < ${(i + 1) * perFile} ORDER BY file_row_number`,
              path
            )
            unloaded.push(yield* describe(path))
          }
          return unloaded
        }),
      (scratch) => Effect.promise(() => rm(scratch, { recursive: true, force: true }))
    )
  })

const unload = (statement: Statement, context: StatementContext) =>
  Effect.gen(function* () {
    const tokens = statement.tokens
    const into = wordIndex(tokens, 0, "INTO")
    const target = argumentAt(tokens, into + 1)
    const from = target === undefined ? -1 : wordIndex(tokens, target.next, "FROM")
    if (target === undefined || from === -1)
      return yield* syntaxError(
        statement,
        "write COPY INTO @stage/folder/ FROM (query) FILE_FORMAT = (TYPE = PARQUET)"
      )
    const start = nextSignificant(tokens, from + 1)
    let query: string
    let rest: number
    if (isSymbol(tokens[start], "(")) {
      const end = closing(tokens, start)
      if (end === -1) return yield* syntaxError(statement, "the query after FROM is not closed with )")
      query = toDuckDb(tokens.slice(start + 1, end), context.literals, context.names)
      rest = end + 1
    } else {
      const words = tokens.slice(start).filter(significant)
      const name = nameAt(words, 0)
      if (name.text === "") return yield* syntaxError(statement, "FROM takes a table name or a (query)")
      query = `SELECT * FROM ${toDuckDb(words.slice(0, name.end), context.literals, context.names)}`
      rest = tokens.indexOf(words[name.end - 1]!) + 1
    }
    const options = yield* optionsFrom(statement, tokens, rest)
    yield* requireParquet(statement, options)
    const location = yield* stageLocation(target.text, context)
    yield* requireStage(statement, context, location)
    const workspace = yield* context.workspace
    const existing = yield* workspace.stages.list(StageLocation.format(location))
    if (existing.length > 0) {
      if (!booleanOption(options, "OVERWRITE", false))
        return yield* new EmulatorSqlError({
          statement: statement.text,
          code: "001030",
          sqlState: "22000",
          reason: `Files already existing at the unload destination: ${StageLocation.format(location)}. Use overwrite option to force unloading.`
        })
      for (const entry of existing) {
        const path = yield* workspace.account.stagePath(yield* StageLocation.parse(entry.location))
        yield* Effect.promise(() => rm(path, { force: true }))
      }
    }
    const single = booleanOption(options, "SINGLE", false)
    const maxBytes = single ? undefined : yield* maxFileSize(statement, options)
    const files = yield* writeFiles(context, query, maxBytes, (index) =>
      unloadTarget(location, single, index)
    )
    const number = (name: string) => column(name, "fixed", { precision: 38, nullable: false })
    if (booleanOption(options, "DETAILED_OUTPUT", false))
      return rows(
        [["FILE_NAME", "text"], number("FILE_SIZE"), number("ROW_COUNT")],
        files.map((file) => [file.name, String(file.bytes), String(file.rows)])
      )
    const total = (key: "rows" | "bytes") => String(files.reduce((sum, file) => sum + file[key], 0))
    return rows(
      [number("rows_unloaded"), number("input_bytes"), number("output_bytes")],
      [[total("rows"), total("bytes"), total("bytes")]]
    )
  })

const load = (statement: Statement, context: StatementContext) =>
  Effect.gen(function* () {
    const tokens = statement.tokens
    const words = statement.words
    const into = words.findIndex((t) => isWord(t, "INTO"))
    const table = nameAt(words, into + 1)
    const from = wordIndex(tokens, tokens.indexOf(words[table.end - 1] ?? words[into]!) + 1, "FROM")
    const source = from === -1 ? undefined : argumentAt(tokens, from + 1)
    if (table.text === "" || source === undefined)
      return yield* syntaxError(
        statement,
        "write COPY INTO table FROM @stage/path FILE_FORMAT = (TYPE = PARQUET)"
      )
    const options = yield* optionsFrom(statement, tokens, source.next)
    yield* requireParquet(statement, options)
    const location = yield* stageLocation(source.text, context)
    yield* requireStage(statement, context, location)
    const workspace = yield* context.workspace
    const { entries } = yield* listMatching(context, location, options)
    if (entries.length === 0) return status("Copy executed with 0 files processed.")
    const paths = yield* Effect.forEach(entries, (entry) =>
      Effect.flatMap(StageLocation.parse(entry.location), workspace.account.stagePath)
    )
    const list = `[${paths.map(duckDbString).join(", ")}]`
    const perFile = yield* workspace.sql.query(
      `SELECT filename, COUNT(*) AS N FROM read_parquet(${list}, filename = true) GROUP BY filename`
    )
    const counts = new Map<string, string>()
    for (let i = 0; i < perFile.numRows; i++)
      counts.set(String(perFile.getChildAt(0)?.get(i)), String(perFile.getChildAt(1)?.get(i)))
    const byName = (options.get("MATCH_BY_COLUMN_NAME") ?? "NONE") !== "NONE"
    const target = toDuckDb(words.slice(into + 1, table.end), context.literals, context.names)
    yield* workspace.sql.execute(
      `INSERT INTO ${target} ${byName ? "BY NAME " : ""}SELECT * FROM read_parquet(${list}, union_by_name = ${byName})`
    )
    const number = (name: string) => column(name, "fixed", { precision: 38 })
    return rows(
      [
        ["file", "text"],
        ["status", "text"],
        number("rows_parsed"),
        number("rows_loaded"),
        number("error_limit"),
        number("errors_seen"),
        ["first_error", "text"],
        number("first_error_line"),
        number("first_error_character"),
        ["first_error_column_name", "text"]
      ],
      entries.map((entry, i) => {
        const n = counts.get(paths[i]!) ?? "0"
        return [entry.name, "LOADED", n, n, "1", "0", null, null, null, null]
      })
    )
  })

export const copyInto: StatementHandler = {
  kind: "COPY INTO",
  matches: ({ keywords }) => keywords.startsWith("COPY INTO"),
  run: (statement, context) => {
    const into = wordIndex(statement.tokens, 0, "INTO")
    const target = argumentAt(statement.tokens, into + 1)
    return target?.text.startsWith("@") === true ? unload(statement, context) : load(statement, context)
  }
}
