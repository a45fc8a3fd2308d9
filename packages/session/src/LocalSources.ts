/**
 * The local Sql's relations over files: parquet files on a stage (each file's header checked for
 * column names DuckDB would rename), and data frames (rows in memory, written as parquet in the
 * session folder).
 */
import { randomUUID } from "node:crypto"
import { stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { ensureDir } from "@runbatch/account"
import { Identifier, LocalFileError, type Signature, StageLocation } from "@runbatch/spec"
import * as Arrow from "apache-arrow"
import { Effect } from "effect"
import { makeTable } from "./ArrowColumns.ts"
import { toDuckDbSql } from "./ColumnType.ts"
import { messageOf, sqlString } from "./Connection.ts"
import type { LocalSession } from "./LocalSession.ts"
import { columnsFromRows } from "./RowValues.ts"
import { refuseParquetCollisions } from "./SourceHeaders.ts"
import { dataFilesUnder } from "./StageFiles.ts"

/** A local file that exists and is a file, not a folder. */
export const checkLocalFile = (path: string): Effect.Effect<void, LocalFileError> =>
  Effect.tryPromise({
    try: () => stat(path),
    catch: (error) =>
      new LocalFileError({
        path,
        reason: (error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist." : messageOf(error)
      })
  }).pipe(
    Effect.flatMap((stats) =>
      stats.isFile()
        ? Effect.void
        : Effect.fail(
            new LocalFileError({ path, reason: "it is a folder, not a file; pass the files in it." })
          )
    )
  )

/** Arrow rows → a parquet file, through parquet-wasm (loaded on first use: 15 MB of wasm). */
const writeArrowParquet = (table: Arrow.Table, path: string): Effect.Effect<void, LocalFileError> =>
  Effect.tryPromise({
    try: async () => {
      const { Compression, Table, WriterPropertiesBuilder, writeParquet } = await import("parquet-wasm")
      const properties = new WriterPropertiesBuilder().setCompression(Compression.ZSTD).build()
      await writeFile(path, writeParquet(Table.fromIPCStream(Arrow.tableToIPC(table, "stream")), properties))
    },
    catch: (error) => new LocalFileError({ path, reason: messageOf(error) })
  })

/** Parquet files under a stage location, optionally filtered by `pattern`, as one relation. */
export const readParquet = (session: LocalSession) =>
  Effect.fn("Sql.readParquet")(function* (location: string, readOptions: { readonly pattern?: string } = {}) {
    const { account, context, warehouse, relation } = session
    const parsed = yield* StageLocation.parse(location, context)
    const files = yield* dataFilesUnder(account, parsed, readOptions.pattern)
    yield* warehouse.use({}, (connection) =>
      refuseParquetCollisions(
        connection,
        files.map((f) => ({
          localPath: f.localPath,
          display: StageLocation.format({ ...parsed, path: f.path, isDirectory: false })
        }))
      )
    )
    return relation({
      description: `parquet ${StageLocation.format(parsed)}`,
      sql: `SELECT * FROM read_parquet([${files.map((f) => sqlString(f.localPath)).join(", ")}])`,
      access: {}
    })
  })

/**
 * Rows given in memory, typed by `schema`, written as the parquet file `file`: their columns, and the
 * DuckDB query that reads them back, each column cast to its type.
 */
export const writeFrame = (
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
  schema: ReadonlyArray<Signature.Feature>,
  file: string
) =>
  Effect.gen(function* () {
    const columns = yield* columnsFromRows(rows, schema)
    yield* writeArrowParquet(makeTable(columns, rows.length), file)
    const select = columns
      .map(
        (c) => `CAST(${Identifier.quote(c.name)} AS ${toDuckDbSql(c.type)}) AS ${Identifier.quote(c.name)}`
      )
      .join(", ")
    return { columns, sql: `SELECT ${select} FROM read_parquet(${sqlString(file)})` }
  })

/** Rows given in memory, typed by `schema`: written as a parquet file in the session folder, read back cast. */
export const createDataFrame = (session: LocalSession) =>
  Effect.fn("Sql.createDataFrame")(function* (
    rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
    schema: ReadonlyArray<Signature.Feature>
  ) {
    const { sessionDir, relation } = session
    yield* ensureDir(sessionDir)
    const { columns, sql } = yield* writeFrame(
      rows,
      schema,
      join(sessionDir, `frame-${randomUUID()}.parquet`)
    )
    return relation({
      description: `data frame (${rows.length} rows)`,
      sql,
      access: {},
      notNull: columns.filter((c) => !c.nullable).map((c) => c.name)
    })
  })
