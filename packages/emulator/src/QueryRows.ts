/**
 * A query's result as Snowflake rows: its columns from DuckDB's `DESCRIBE`, then the query wrapped so
 * that DuckDB renders each column as Snowflake's raw text (RowTypes), streamed through the session's
 * Sql (which spools to parquet, so memory stays bounded) into inline rows and chunk files.
 */
import type { SqlShape } from "@runbatch/session"
import type { DatabaseBusy, EmulatorBadRequest, SnowflakeStatementError, SqlError } from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect } from "effect"
import type { EncodedRows, ResultChunks } from "./ResultChunks.ts"
import { type Encoding, encodingOf, type RowTypeColumn, rowTypeOf } from "./RowTypes.ts"

export interface DescribedColumn {
  readonly name: string
  readonly duckDbType: string
  readonly nullable: boolean
  readonly encoding: Encoding
}

const textColumn = (table: Arrow.Table, name: string): Array<string> => {
  const vector = table.getChild(name)
  return Array.from({ length: table.numRows }, (_, i) => String(vector?.get(i) ?? ""))
}

/** The columns of a DuckDB query, as DuckDB types them, without running it. */
export const describe = (
  sql: SqlShape,
  query: string
): Effect.Effect<ReadonlyArray<DescribedColumn>, SqlError | SnowflakeStatementError | DatabaseBusy> =>
  Effect.map(sql.query(`DESCRIBE ${query}`), (table) => {
    const names = textColumn(table, "column_name")
    const types = textColumn(table, "column_type")
    const nulls = textColumn(table, "null")
    return names.map((name, i) => ({
      name,
      duckDbType: types[i]!,
      nullable: nulls[i] !== "NO",
      encoding: encodingOf(types[i]!)
    }))
  })

export const rowTypeOfColumns = (columns: ReadonlyArray<DescribedColumn>): ReadonlyArray<RowTypeColumn> =>
  columns.map((c) => rowTypeOf(c.name, c.encoding, c.nullable))

/** `query` with every column rendered as Snowflake's raw text, under positional names. */
export const renderedQuery = (query: string, columns: ReadonlyArray<DescribedColumn>): string => {
  const names = columns.map((_, i) => `"c${i}"`)
  const projection = columns.map((column, i) => `${column.encoding.render(names[i]!)} AS ${names[i]}`)
  // The query starts on a line of its own, so DuckDB's "LINE n" in an error is the line of the query.
  return `SELECT ${projection.join(", ")} FROM (\n${query}\n) AS q(${names.join(", ")})`
}

/** Run `query` and encode its rows for a response: inline rows and chunk files. */
export const queryRows = (
  sql: SqlShape,
  chunks: ResultChunks,
  queryId: string,
  query: string,
  columns: ReadonlyArray<DescribedColumn>
): Effect.Effect<EncodedRows, SqlError | SnowflakeStatementError | DatabaseBusy | EmulatorBadRequest> =>
  columns.length === 0
    ? Effect.succeed({ rowset: [], chunks: [], total: 0 })
    : chunks.write(queryId, sql.streamQuery(renderedQuery(query, columns)))
