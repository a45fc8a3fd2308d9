/**
 * A query's rows in bounded memory, failures included. DuckDB's node bindings cannot stream a query
 * safely: a failure while rows are being fetched (a cast gone wrong at row 500,000) ends the chunks
 * exactly as the end of the result does — the C API's fetch returns no chunk for both, and the bindings
 * do not expose `duckdb_result_error` — so an export would stop early and look complete.
 *
 * So the query runs to its end first, `COPY`'d into a parquet file (a failure fails that statement, as
 * with any other; DuckDB writes it a row group at a time, in the query's order), and that file is
 * streamed back, its row count checked against what `COPY` wrote. The file is removed with the scope.
 *
 * What comes back is what `query` gives: the columns keep their names (spooled under positional ones,
 * so a cast can name any column) and their values, parquet carrying each type back as the same one or
 * one printed alike (a fixed-size array as a list, an ENUM as text) — except the few it cannot carry
 * (HUGEINT, UHUGEINT and UNION, at any depth), which are spooled as their described types, top-level
 * ones as the very text `query` gives. A statement DuckDB cannot use as a subquery (EXPLAIN) is read
 * whole: it is small.
 */

import { rm } from "node:fs/promises"
import { type DuckDBType, DuckDBTypeId } from "@duckdb/node-api"
import { SqlError } from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect, type Scope, Stream } from "effect"
import { fromDuckDb, toDuckDbSql } from "./ColumnType.ts"
import { type Column, type Connection, messageOf, sqlString } from "./Connection.ts"
import { chunkBatches, tableFromReader } from "./DuckDbValues.ts"

export interface SpoolOptions {
  /** The parquet file to spool into (in the session's folder); removed when the scope closes. */
  readonly file: string
  /** Only the first `limit` rows (so a preview never runs the rest); all when absent. */
  readonly limit?: number
}

/** Types parquet would bring back as another DuckDB type, and another text. */
const NOT_CARRIED = new Set<DuckDBTypeId>([DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT, DuckDBTypeId.UNION])

const holdsNotCarried = (type: DuckDBType): boolean => {
  switch (type.typeId) {
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return holdsNotCarried(type.valueType)
    case DuckDBTypeId.STRUCT:
      return type.entryTypes.some(holdsNotCarried)
    case DuckDBTypeId.MAP:
      return holdsNotCarried(type.keyType) || holdsNotCarried(type.valueType)
    default:
      return NOT_CARRIED.has(type.typeId)
  }
}

/** The statement that spools `sql`: positional names, casts where parquet would change a type, a limit. */
const spoolSql = (sql: string, columns: ReadonlyArray<Column>, limit: number | undefined): string => {
  const names = columns.map((_, i) => `"c${i}"`)
  const projection = columns.map((column, i) =>
    holdsNotCarried(column.type)
      ? `CAST(${names[i]} AS ${toDuckDbSql(fromDuckDb(column.type))}) AS ${names[i]}`
      : names[i]
  )
  const limited = limit === undefined ? "" : `\nLIMIT ${limit}`
  // The query starts on the first line, so DuckDB's "LINE n" in an error is the line of the query.
  return `SELECT ${projection.join(", ")} FROM (${sql}\n) AS spooled(${names.join(", ")})${limited}`
}

/** A failure of a statement this module wrote, told as a failure of the caller's query. */
const asQueryError = (sql: string) => (error: SqlError) => new SqlError({ ...error, statement: sql })

/** A statement that cannot be spooled, read whole as `query` reads it, in one batch. */
const readWhole = (connection: Connection, sql: string) =>
  Effect.flatMap(connection.all(sql), (reader) =>
    Effect.try({
      try: () => Stream.fromIterable(tableFromReader(reader, reader.currentRowCount).batches),
      catch: (error) => new SqlError({ statement: sql, reason: messageOf(error) })
    })
  )

/**
 * Run `sql` to its end into `options.file`, then its rows as record batches of a DuckDB chunk each
 * (one batch of no rows when there are none, which carries the columns); a stream that ends with fewer
 * rows than were written fails with SqlError.
 */
export const spooledRows = (
  connection: Connection,
  sql: string,
  options: SpoolOptions
): Effect.Effect<Stream.Stream<Arrow.RecordBatch, SqlError>, SqlError, Scope.Scope> =>
  Effect.gen(function* () {
    const columns = yield* connection.columns(sql)
    const spool = spoolSql(sql, columns, options.limit)
    // Only a statement that cannot be a subquery fails here: the query itself just prepared.
    if ((yield* Effect.result(connection.columns(spool)))._tag === "Failure")
      return yield* readWhole(connection, sql)
    yield* Effect.addFinalizer(() => Effect.promise(() => rm(options.file, { force: true })))
    const written = yield* connection
      .all(`COPY (${spool}\n) TO ${sqlString(options.file)} (FORMAT parquet)`)
      .pipe(Effect.mapError(asQueryError(sql)))
    const expected = Number(written.getRowsJS()[0]?.[0] ?? 0)
    const scan = yield* connection
      .stream(`SELECT * FROM read_parquet(${sqlString(options.file)})`)
      .pipe(Effect.mapError(asQueryError(sql)))
    const batches = chunkBatches(
      scan.columns.map((spooled, i) => ({ name: columns[i]?.name ?? spooled.name, type: spooled.type }))
    )
    return Stream.suspend(() => {
      let read = 0
      const cutShort = Effect.suspend(() =>
        read === expected
          ? Effect.void
          : Effect.fail(
              new SqlError({
                statement: sql,
                reason: `its rows were cut short: ${read} of ${expected} read back from ${options.file}`
              })
            )
      )
      return scan.chunks.pipe(
        Stream.mapEffect((chunk) =>
          Effect.try({
            try: () => {
              read += chunk.rowCount
              return batches.fromChunk(chunk)
            },
            catch: (error) => new SqlError({ statement: sql, reason: messageOf(error) })
          })
        ),
        Stream.orElseIfEmpty(() => Stream.sync(batches.empty)),
        Stream.concat(Stream.drain(Stream.fromEffect(cutShort)))
      )
    })
  })
