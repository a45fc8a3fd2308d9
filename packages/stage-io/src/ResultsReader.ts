/**
 * Reading a job's results back: only the parts its manifest lists, each checked against the manifest's
 * byte count, sha256 and row count, decoded to Arrow one row group at a time (memory stays bounded by
 * the largest row group, whatever the results' size). A folder without `_SUCCESS` is refused with ResultsIncomplete unless
 * `allowIncomplete` is set; then the committed parts of the job(s) in flight are read, and a folder with
 * none is refused with NoResultsCommitted (there are no columns to read, let alone rows). A job over no
 * rows writes one part of no rows: its results have the output's columns.
 */
import {
  type LocalCopyFailed,
  NoResultsCommitted,
  ResultsCorrupt,
  ResultsIncomplete,
  StageFileError,
  StageLocation
} from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"
import { committedRecords, readJson } from "./OutputCommitter.ts"
import { MANIFEST, make as makeLayout, RESERVED, SUCCESS } from "./OutputLayout.ts"
import { type CommitRecord, OutputManifest, type PartInfo, type SchemaField } from "./OutputManifest.ts"
import * as ParquetCodec from "./ParquetCodec.ts"
import * as ResultPart from "./ResultPart.ts"
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
  /**
   * The rows as Arrow record batches of at most a row group each, part by part, each part verified
   * before any of its rows is yielded (see ./ResultPart.ts). Pulling it reads; stopping early reads no
   * further.
   */
  readonly batches: Stream.Stream<
    Arrow.RecordBatch,
    ResultsCorrupt | StageError | LocalCopyFailed,
    StageStore
  >
}

/**
 * Every part the results list is there with the size the manifest gives, checked in one listing before
 * any row is read, so a missing or cut part fails the read before it has yielded anything. (A part of
 * the right size whose bytes changed is caught by its sha256, part by part, as it is read.)
 */
const checkPartsPresent = (output: string, parts: ReadonlyArray<PartInfo>) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const sizes = new Map(
      (yield* store.list(output, { withoutMd5: true })).map((entry) => [entry.location, entry.size])
    )
    for (const part of parts) {
      const size = sizes.get(ResultPart.partLocation(output, part))
      if (size === undefined) {
        return yield* new ResultsCorrupt({
          location: output,
          reason: `the part ${part.name} listed by the manifest is missing.`
        })
      }
      if (size !== part.bytes) {
        return yield* new ResultsCorrupt({
          location: output,
          reason: `${part.name} has ${size} bytes, the manifest says ${part.bytes}.`
        })
      }
    }
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
    // Nothing at all there is a wrong path, not a job that has not finished.
    if (
      !complete &&
      !hasManifest &&
      options.allowIncomplete !== true &&
      (yield* store.list(display, { withoutMd5: true })).length === 0
    ) {
      return yield* new StageFileError({
        location: display,
        problem: "not_found",
        detail: "it holds no files"
      })
    }
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
    yield* checkPartsPresent(display, parts)
    // Parts the manifest does not list would be a sign of tampering; results ignore them by design.
    const batches = Stream.fromIterable(parts).pipe(
      Stream.flatMap((part) => ResultPart.batches(display, part))
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
        ? yield* ResultPart.schema(results.location, first)
        : undefined
    return ParquetCodec.tableOf(batches, schema)
  })

/**
 * Every result row as a stream of Arrow record batches (see `Results.batches`): any size of results in
 * bounded memory. The checks of `readResults` happen when the stream starts.
 */
export const streamResults = (
  location: string,
  options: ReadResultsOptions = {}
): Stream.Stream<
  Arrow.RecordBatch,
  ResultsIncomplete | NoResultsCommitted | ResultsCorrupt | StageError | LocalCopyFailed,
  StageStore
> => Stream.unwrap(Effect.map(readResults(location, options), (results) => results.batches))
