/**
 * Arrow ⇄ parquet through parquet-wasm, the one place stage-io (and the runtime, through it) touches
 * the parquet format. Arrow crosses into WebAssembly as an IPC stream; the module is loaded once per
 * process.
 */
import * as Arrow from "apache-arrow"
import {
  Compression,
  readParquet,
  readSchema,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet
} from "parquet-wasm"
import * as DictionaryChoice from "./DictionaryChoice.ts"

export type ParquetCompression = "zstd" | "snappy" | "uncompressed"

export interface EncodeOptions {
  /** Default snappy: what Snowflake, Spark and pyarrow write by default, and 2× faster than zstd here. */
  readonly compression?: ParquetCompression
  /** Rows per row group; default 131072. */
  readonly rowGroupSize?: number
}

const COMPRESSION: Record<ParquetCompression, Compression> = {
  zstd: Compression.ZSTD,
  snappy: Compression.SNAPPY,
  uncompressed: Compression.UNCOMPRESSED
}

export const DEFAULT_ROW_GROUP_SIZE = 131_072

/**
 * The writer's settings: every part of runbatch is written with these. `first` is the file's first
 * batch: which columns get a dictionary is chosen from its values (DictionaryChoice).
 */
export const writerProperties = (options: EncodeOptions = {}, first?: Arrow.RecordBatch) => {
  let builder = new WriterPropertiesBuilder()
    .setCompression(COMPRESSION[options.compression ?? "snappy"])
    .setMaxRowGroupSize(options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE)
    .setCreatedBy("runbatch")
  if (first !== undefined) {
    const choice = DictionaryChoice.choose(first)
    if (choice.nestedDistinct) {
      builder = builder.setDictionaryEnabled(false)
      for (const name of choice.withDictionary) builder = builder.setColumnDictionaryEnabled(name, true)
    } else {
      for (const name of choice.withoutDictionary) builder = builder.setColumnDictionaryEnabled(name, false)
    }
  }
  return builder.build()
}

/** Parquet bytes of an Arrow table. */
export const encode = (table: Arrow.Table, options: EncodeOptions = {}): Uint8Array => {
  const wasmTable = WasmTable.fromIPCStream(Arrow.tableToIPC(table, "stream"))
  return writeParquet(wasmTable, writerProperties(options, table.batches[0]))
}

export interface DecodeOptions {
  /** Only these row groups (0-based). */
  readonly rowGroups?: ReadonlyArray<number>
  /** Rows per decoded record batch. */
  readonly batchSize?: number
  readonly columns?: ReadonlyArray<string>
}

/** An Arrow table from parquet bytes. Throws on bytes that are not parquet. */
export const decode = (bytes: Uint8Array, options: DecodeOptions = {}): Arrow.Table => {
  const wasmTable = readParquet(bytes, {
    ...(options.rowGroups === undefined ? {} : { rowGroups: [...options.rowGroups] }),
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.columns === undefined ? {} : { columns: [...options.columns] })
  })
  return Arrow.tableFromIPC(wasmTable.intoIPCStream())
}

/** The Arrow schema stored in parquet bytes, without decoding the data. */
export const schemaOf = (bytes: Uint8Array): Arrow.Schema => {
  const wasmSchema = readSchema(bytes)
  return Arrow.tableFromIPC(wasmSchema.intoIPCStream()).schema
}

/** A table from record batches sharing one schema (an empty table keeps the schema). */
export const tableOf = (batches: ReadonlyArray<Arrow.RecordBatch>, schema?: Arrow.Schema): Arrow.Table =>
  batches.length === 0 && schema !== undefined ? new Arrow.Table(schema) : new Arrow.Table([...batches])

/** `name: Float64 (nullable)` per field: how manifests record a schema, stable and readable. */
export const describeSchema = (
  schema: Arrow.Schema
): Array<{ readonly name: string; readonly type: string; readonly nullable: boolean }> =>
  schema.fields.map((field) => ({ name: field.name, type: String(field.type), nullable: field.nullable }))
