/** Shared test helpers: a fresh home folder per test, the local Sql over it, and plain DuckDB reads. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import { StageLocation } from "@runbatch/spec"
import * as Arrow from "apache-arrow"
import { Effect } from "effect"
import {
  Compression,
  readParquet,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet
} from "parquet-wasm"
import { onTestFinished } from "vitest"
import { type LocalSqlOptions, Sql } from "../src/index.ts"

export const DATABASE = "ML"
export const SCHEMA = "PUBLIC"

/** A new empty folder, removed when the test ends. */
export const tempHome = (): string => {
  const home = mkdtempSync(join(tmpdir(), "runbatch-"))
  onTestFinished(() => rmSync(home, { recursive: true, force: true }))
  return home
}

export const sqlLayer = (
  home: string,
  options: LocalSqlOptions & { readonly database?: string; readonly schema?: string } = {}
) => Sql.layerLocalAccount({ home, database: DATABASE, schema: SCHEMA, threads: 2, ...options })

/** Run `effect` against a fresh Sql over `home` (its scope closes afterwards). */
export const withSql = <A, E>(
  home: string,
  effect: Effect.Effect<A, E, Sql>,
  options: LocalSqlOptions & { readonly database?: string; readonly schema?: string } = {}
): Effect.Effect<A, E> => effect.pipe(Effect.provide(sqlLayer(home, options)))

export const stage = (text: string) =>
  Effect.orDie(StageLocation.parse(text, { database: DATABASE, schema: SCHEMA }))

/** Rows of a query run by a plain DuckDB instance (no runbatch code), as JS objects. */
export const duckRows = async (sql: string): Promise<Array<Record<string, unknown>>> => {
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false"
  })
  const connection = await instance.connect()
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

export const sqlPath = (path: string): string => `'${path.replace(/'/g, "''")}'`

/** Write an Arrow table as parquet with parquet-wasm (keeps names DuckDB would rename, like `a` and `A`). */
export const writeArrowParquet = (table: Arrow.Table): Uint8Array =>
  writeParquet(
    WasmTable.fromIPCStream(Arrow.tableToIPC(table, "stream")),
    new WriterPropertiesBuilder().setCompression(Compression.ZSTD).build()
  )

/** Some row groups of a parquet file, read with parquet-wasm (the runtime's reader), as Arrow. */
export const readRowGroups = (path: string, rowGroups: ReadonlyArray<number>): Arrow.Table =>
  Arrow.tableFromIPC(readParquet(readFileSync(path), { rowGroups: [...rowGroups] }).intoIPCStream())

export const rowsOf = (table: Arrow.Table): Array<Record<string, unknown>> =>
  table.toArray().map((row) => ({ ...(row as { toJSON(): Record<string, unknown> }).toJSON() }))
