/**
 * Large results as Snowflake serves them: the first rows inline in the response, the rest in chunk
 * files the driver downloads by URL (`chunks: [{url, rowCount, uncompressedSize}]`). A chunk's body
 * is its rows as JSON arrays joined by commas, without the outer brackets — the driver reads it as
 * `JSON.parse('[' + body + ']')`. Chunks are written to files as the rows stream out of DuckDB, so a
 * result of any size passes through a bounded amount of memory, and are removed with the session.
 *
 * Chunk URLs carry a key drawn when the emulator starts: the driver fetches them without its session
 * token (Snowflake serves them from cloud storage), so the key is what keeps other local processes out.
 */
import { randomBytes } from "node:crypto"
import { mkdir, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { EmulatorBadRequest } from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"

export interface ChunkInfo {
  readonly url: string
  readonly rowCount: number
  readonly uncompressedSize: number
  readonly compressedSize: number
}

/** Rows encoded for a response: those sent inline and the chunk files holding the rest. */
export interface EncodedRows {
  readonly rowset: ReadonlyArray<ReadonlyArray<string | null>>
  readonly chunks: ReadonlyArray<ChunkInfo>
  readonly total: number
}

export interface ChunkLimits {
  /** Encoded bytes sent inline at most; a result that fits is sent whole. */
  readonly inlineBytes: number
  /** Encoded bytes per chunk file, about. */
  readonly chunkBytes: number
}

export const DEFAULT_CHUNK_LIMITS: ChunkLimits = { inlineBytes: 1 << 20, chunkBytes: 8 << 20 }

const QUERY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export interface ResultChunks {
  /** Encode `batches` (every column text, as QueryResult renders them) into inline rows and chunk files. */
  readonly write: <E>(
    queryId: string,
    batches: Stream.Stream<Arrow.RecordBatch, E>
  ) => Effect.Effect<EncodedRows, E | EmulatorBadRequest>
  /** The file of chunk `index` of `queryId`, if `key` is the emulator's chunk key. */
  readonly file: (queryId: string, index: string, key: string | null) => string | undefined
  /** Remove the chunk files of a query. */
  readonly remove: (queryId: string) => Effect.Effect<void>
  readonly removeAll: Effect.Effect<void>
}

const rowsOf = (batch: Arrow.RecordBatch): Array<string> => {
  const columns = Array.from({ length: batch.numCols }, (_, i) => batch.getChildAt(i)!)
  const rows = new Array<string>(batch.numRows)
  const values = new Array<string | null>(columns.length)
  for (let r = 0; r < batch.numRows; r++) {
    for (let c = 0; c < columns.length; c++) values[c] = (columns[c]!.get(r) as string | null) ?? null
    rows[r] = JSON.stringify(values)
  }
  return rows
}

export const makeResultChunks = (options: {
  /** Folder of this emulator's chunk files; removed on `removeAll`. */
  readonly dir: string
  /** The base URL chunk URLs start with (`http://127.0.0.1:PORT`). */
  readonly baseUrl: () => string
  readonly limits?: ChunkLimits
}): ResultChunks => {
  const key = randomBytes(16).toString("hex")
  const limits = options.limits ?? DEFAULT_CHUNK_LIMITS
  const queryDir = (queryId: string) => join(options.dir, queryId)

  const write = <E>(queryId: string, batches: Stream.Stream<Arrow.RecordBatch, E>) =>
    Effect.gen(function* () {
      if (!QUERY_ID.test(queryId))
        return yield* new EmulatorBadRequest({ endpoint: "query-request", reason: `bad query id ${queryId}` })
      const inline: Array<string> = []
      let inlineBytes = 0
      const chunks: Array<ChunkInfo> = []
      let pending: Array<string> = []
      let pendingBytes = 0
      let total = 0
      const flush = Effect.suspend(() => {
        if (pending.length === 0) return Effect.void
        const index = chunks.length
        const body = pending.join(",")
        const info: ChunkInfo = {
          url: `${options.baseUrl()}/emulator/chunks/${queryId}/${index}?key=${key}`,
          rowCount: pending.length,
          uncompressedSize: Buffer.byteLength(body),
          compressedSize: Buffer.byteLength(body)
        }
        chunks.push(info)
        pending = []
        pendingBytes = 0
        return Effect.tryPromise({
          try: async () => {
            await mkdir(queryDir(queryId), { recursive: true })
            await writeFile(join(queryDir(queryId), `${index}.json`), body)
          },
          catch: (error) =>
            new EmulatorBadRequest({
              endpoint: "query-request",
              reason: `the result could not be written to ${options.dir}: ${(error as Error).message}`
            })
        })
      })
      yield* Stream.runForEach(batches, (batch) =>
        Effect.gen(function* () {
          for (const row of rowsOf(batch)) {
            total++
            if (
              chunks.length === 0 &&
              pending.length === 0 &&
              inlineBytes + row.length <= limits.inlineBytes
            ) {
              inline.push(row)
              inlineBytes += row.length + 1
              continue
            }
            pending.push(row)
            pendingBytes += row.length + 1
            if (pendingBytes >= limits.chunkBytes) yield* flush
          }
        })
      )
      yield* flush
      return { rowset: inline.map((row) => JSON.parse(row) as Array<string | null>), chunks, total }
    })

  return {
    write,
    file: (queryId, index, given) =>
      given === key && QUERY_ID.test(queryId) && /^\d{1,9}$/.test(index)
        ? join(queryDir(queryId), `${index}.json`)
        : undefined,
    remove: (queryId) =>
      QUERY_ID.test(queryId)
        ? Effect.promise(() => rm(queryDir(queryId), { recursive: true, force: true }))
        : Effect.void,
    removeAll: Effect.promise(() => rm(options.dir, { recursive: true, force: true }))
  }
}
