/**
 * Column names exactly as a source file spells them, read before DuckDB gets to rename any: parquet
 * through `parquet_schema()` (the file's own schema elements, struct fields included), CSV by reading
 * the header line as data with the dialect DuckDB sniffs (delimiter, quote, escape, skipped lines), so
 * quoting and separators are parsed exactly as the later `read_csv` will.
 */
import type { CaseCollision, SqlError } from "@runbatch/spec"
import { Effect } from "effect"
import { refuseCaseCollisions } from "./CaseCollisions.ts"
import { type Connection, sqlString } from "./Connection.ts"
import { type CsvOptions, csvReaderArguments } from "./CsvOptions.ts"

interface SchemaElement {
  readonly name: string
  readonly children: number
}

/** Sibling name lists of one parquet schema (the top-level columns, then every group's fields). */
const siblingGroups = (
  elements: ReadonlyArray<SchemaElement>
): Array<{ path: string; names: Array<string> }> => {
  const groups: Array<{ path: string; names: Array<string> }> = []
  let next = 0
  const readGroup = (path: string, count: number) => {
    const names: Array<string> = []
    for (let i = 0; i < count && next < elements.length; i++) {
      const element = elements[next++]!
      names.push(element.name)
      if (element.children > 0)
        readGroup(path === "" ? element.name : `${path}.${element.name}`, element.children)
    }
    groups.push({ path, names })
  }
  const root = elements[next++]
  if (root !== undefined) readGroup("", root.children)
  return groups
}

/**
 * Refuse parquet files whose columns (or a struct's fields) differ only by case. `display` names each
 * file in the error (a stage path rather than a local one, say).
 */
export const refuseParquetCollisions = (
  connection: Connection,
  files: ReadonlyArray<{ readonly localPath: string; readonly display: string }>
): Effect.Effect<void, SqlError | CaseCollision> =>
  Effect.gen(function* () {
    if (files.length === 0) return
    const reader = yield* connection.all(
      `SELECT file_name, name, coalesce(num_children, 0) FROM parquet_schema([${files.map((f) => sqlString(f.localPath)).join(", ")}])`
    )
    const byFile = new Map<string, Array<SchemaElement>>()
    for (const [file, name, children] of reader.getRowsJS()) {
      const elements = byFile.get(String(file)) ?? []
      elements.push({ name: String(name), children: Number(children) })
      byFile.set(String(file), elements)
    }
    for (const file of files) {
      for (const group of siblingGroups(byFile.get(file.localPath) ?? [])) {
        yield* refuseCaseCollisions(
          group.names,
          group.path === "" ? "column" : `field (in ${group.path})`,
          `The parquet file ${file.display}`
        )
      }
    }
  })

const unlessEmpty = (value: unknown): string => (value === "(empty)" ? "" : String(value ?? ""))

/** The `read_csv` arguments DuckDB sniffs for a file, and whether its first line is a header. */
const sniff = (connection: Connection, path: string, options: CsvOptions) =>
  Effect.map(
    connection.all(
      `SELECT Delimiter, Quote, Escape, HasHeader, SkipRows, Comment FROM sniff_csv(${sqlString(path)}${csvReaderArguments(path, options)})`
    ),
    (reader) => {
      const [delimiter, quote, escapeChar, hasHeader, skipRows, comment] = reader.getRowsJS()[0] ?? []
      return {
        hasHeader: hasHeader === true,
        dialect: [
          `delim = ${sqlString(unlessEmpty(delimiter))}`,
          `quote = ${sqlString(unlessEmpty(quote))}`,
          `escape = ${sqlString(unlessEmpty(escapeChar))}`,
          `comment = ${sqlString(unlessEmpty(comment))}`,
          `skip = ${Number(skipRows ?? 0)}`
        ].join(", ")
      }
    }
  )

/** The header of a CSV file as written (undefined when it has none: told so, or none found by DuckDB). */
export const csvHeader = (
  connection: Connection,
  path: string,
  options: CsvOptions = {}
): Effect.Effect<ReadonlyArray<string> | undefined, SqlError> =>
  Effect.gen(function* () {
    if (options.header === false) return undefined
    const { hasHeader, dialect } = yield* sniff(connection, path, options)
    if (!hasHeader) return undefined
    const reader = yield* connection.first(
      `SELECT * FROM read_csv(${sqlString(path)}, header = false, all_varchar = true, ${dialect})`,
      1
    )
    return (reader.getRowsJS()[0] ?? []).map((cell) => String(cell ?? ""))
  })

/** Refuse a CSV file whose header names differ only by case (DuckDB would rename `A` to `A_1`). */
export const refuseCsvCollisions = (
  connection: Connection,
  path: string,
  options: CsvOptions = {}
): Effect.Effect<void, SqlError | CaseCollision> =>
  Effect.gen(function* () {
    const header = yield* csvHeader(connection, path, options)
    if (header !== undefined) yield* refuseCaseCollisions(header, "column", `The CSV file ${path}`)
  })
