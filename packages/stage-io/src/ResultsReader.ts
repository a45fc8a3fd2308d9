/**
 * Reading a job's results back: only the parts its manifest lists, each checked against the manifest's
 * byte count, sha256 and row count, decoded to Arrow one part at a time (memory stays bounded by the
 * largest part). A folder without `_SUCCESS` is refused with ResultsIncomplete unless
 * `allowIncomplete` is set; then the committed parts of the job(s) in flight are read, and a folder with
 * none is refused with NoResultsCommitted (there are no columns to read, let alone rows). A job over no
 * rows writes one part of no rows: its results have the output's columns.
 */
import { createHash } from "node:crypto"
import { NoResultsCommitted, ResultsCorrupt, ResultsIncomplete, StageLocation } from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"
import { committedRecords, readJson } from "./OutputCommitter.ts"
import { MANIFEST, make as makeLayout, RESERVED, SUCCESS } from "./OutputLayout.ts"
import { type CommitRecord, OutputManifest, type PartInfo, type SchemaField } from "./OutputManifest.ts"
import * as ParquetCodec from "./ParquetCodec.ts"
import { type StageError, StageStore } from "./StageStore.ts"

export interface ReadResultsOptions {
  /** Read a folder without `_SUCCESS`: its committed parts so far. */
  readonly allowIncomplete?: boolean
  /** The database and schema an unqualified location resolves against; default: the store's. */
  readonly context?: { readonly database: string; readonly schema: string }
}

export interface Results {
  readonly location: string
  /** True when `_SUCCESS` is present. */
  readonly complete: boolean
  /** The manifest, when the job wrote one. */
  readonly manifest: OutputManifest | undefined
  readonly parts: ReadonlyArray<PartInfo>
  readonly schema: ReadonlyArray<SchemaField>
  readonly rows: number
  /** The rows as Arrow record batches, part by part, each part verified before it is yielded. */
  readonly batches: Stream.Stream<Arrow.RecordBatch, ResultsCorrupt | StageError, StageStore>
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** Read and verify one part. */
export const readPart = (location: string, part: PartInfo) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const output = StageLocation.format({ ...(yield* StageLocation.parse(location)), isDirectory: true })
    const partLocation = `${output}${part.name}`
    const corrupt = (reason: string) => new ResultsCorrupt({ location, reason })
    if (!(yield* store.exists(partLocation)))
      return yield* corrupt(`the part ${part.name} listed by the manifest is missing.`)
    const bytes = yield* store.readBytes(partLocation)
    if (bytes.byteLength !== part.bytes) {
      return yield* corrupt(`${part.name} has ${bytes.byteLength} bytes, the manifest says ${part.bytes}.`)
    }
    if (sha256(bytes) !== part.sha256)
      return yield* corrupt(`${part.name} does not match its sha256 in the manifest.`)
    const table = yield* Effect.try({
      try: () => ParquetCodec.decode(bytes),
      catch: (error) => corrupt(`${part.name} is not readable parquet: ${String(error)}`)
    })
    if (table.numRows !== part.rows) {
      return yield* corrupt(`${part.name} has ${table.numRows} rows, the manifest says ${part.rows}.`)
    }
    return table
  })

/** The committed parts of the job(s) writing a folder that has no manifest yet. */
const committedParts = (location: StageLocation.StageLocation) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const reserved: StageLocation.StageLocation = {
      ...location,
      path: location.path === "" ? RESERVED : `${location.path}/${RESERVED}`,
      isDirectory: true
    }
    const entries = yield* store.list(StageLocation.format(reserved), { withoutMd5: true })
    const jobs = new Set(
      entries
        .map((entry) => /\/([^/]+)\/commits\/[^/]+$/.exec(entry.path)?.[1])
        .filter((job): job is string => job !== undefined)
    )
    const records: Array<CommitRecord> = []
    for (const job of jobs) {
      const commits = { ...reserved, path: `${reserved.path}/${job}/commits` }
      records.push(...(yield* committedRecords(commits)).values())
    }
    return records.sort((a, b) => a.part.shard - b.part.shard)
  })

/** Open the results in an output folder. */
export const readResults = (
  location: string,
  options: ReadResultsOptions = {}
): Effect.Effect<Results, ResultsIncomplete | NoResultsCommitted | ResultsCorrupt | StageError, StageStore> =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const folder = StageLocation.asDirectory(
      yield* StageLocation.parse(location, options.context ?? store.context)
    )
    const display = StageLocation.format(folder)
    const layout = makeLayout(folder, "results-reader")
    const complete = yield* store.exists(StageLocation.format(layout.success))
    const hasManifest = yield* store.exists(StageLocation.format(layout.manifest))
    if (!complete && options.allowIncomplete !== true) {
      return yield* new ResultsIncomplete({
        location: display,
        reason: "there is no _SUCCESS marker: the job failed, was cancelled, or is still running."
      })
    }
    if (complete && !hasManifest) {
      return yield* new ResultsCorrupt({
        location: display,
        reason: `${SUCCESS} is present but ${MANIFEST} is missing.`
      })
    }
    const manifest = hasManifest
      ? yield* readJson(OutputManifest, StageLocation.format(layout.manifest))
      : undefined
    const records = manifest === undefined ? yield* committedParts(folder) : []
    const parts = manifest?.parts ?? records.map((r) => r.part)
    if (manifest === undefined && parts.length === 0)
      return yield* new NoResultsCommitted({ location: display })
    const schema = manifest?.schema ?? records[0]?.schema ?? []
    // Parts the manifest does not list would be a sign of tampering; results ignore them by design.
    const batches = Stream.fromIterable(parts).pipe(
      Stream.mapEffect((part) => readPart(display, part)),
      Stream.flatMap((table) => Stream.fromIterable(table.batches))
    )
    return {
      location: display,
      complete,
      manifest,
      parts,
      schema,
      rows: parts.reduce((sum, p) => sum + p.rows, 0),
      batches
    }
  })

/**
 * Every result row as one Arrow table (small results; stream `batches` for large ones). Results of no
 * rows keep their columns: the schema comes from the first part.
 */
export const readTable = (location: string, options: ReadResultsOptions = {}) =>
  Effect.gen(function* () {
    const results = yield* readResults(location, options)
    const batches = yield* Stream.runCollect(results.batches)
    const first = results.parts[0]
    const schema =
      batches.length === 0 && first !== undefined
        ? (yield* readPart(results.location, first)).schema
        : undefined
    return ParquetCodec.tableOf(batches, schema)
  })
