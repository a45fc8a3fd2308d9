/**
 * The output committer: how a job's results become files that count, on storage that is write-once
 * (SPCS stage volumes and object stores cannot rename, modify or lock files).
 *
 * 1. `writePart` encodes a shard's output as a new file `part-<shard>-<attempt>.parquet`, never reusing
 *    a name: a retry or a resumed job writes a new attempt.
 * 2. `commitShard` writes the attempt's commit record (write-once, named by shard and attempt). Once a
 *    shard has a readable record it counts as done; if attempts of one shard ever both commit (a replica
 *    thought dead that was not), the lowest attempt wins, deterministically. A record left unreadable
 *    by a crash mid-write simply does not count, so no shard can be wedged by one.
 * 3. `finalize` (the coordinator, once every shard is committed) writes `_manifest.json` listing the
 *    parts that count, removes every other file of the folder and the temporary files its killed
 *    writers left, writes `_SUCCESS` last, and removes the job's private files. A crash at any point
 *    leaves no `_SUCCESS`, and finalising again continues.
 *
 * Only `StageStore.write`, `readBytes`, `list`, `remove` and `removeTemporaryFiles` are used: no
 * rename, no overwrite.
 */
import {
  OutputClaimed,
  ResultsCorrupt,
  ResultsIncomplete,
  StageFileError,
  type StageFileExists,
  StageLocation
} from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect, Schema, Stream } from "effect"
import {
  commitRecord,
  isReserved,
  type OutputLayout,
  parseCommitRecordName,
  part,
  partName,
  relativeToOutput
} from "./OutputLayout.ts"
import {
  CommitRecord,
  encodeJson,
  FORMAT,
  type JobInfo,
  OutputManifest,
  type PartInfo,
  type SchemaField
} from "./OutputManifest.ts"
import * as ParquetCodec from "./ParquetCodec.ts"
import * as ParquetStream from "./ParquetStream.ts"
import { claimant } from "./SaveMode.ts"
import { type StageError, StageStore } from "./StageStore.ts"

export interface CommitterOptions {
  readonly layout: OutputLayout
  readonly compression?: ParquetCodec.ParquetCompression
  readonly rowGroupSize?: number
  readonly now?: () => Date
}

const decodeJson = <A>(schema: Schema.Codec<A, unknown>, bytes: Uint8Array, location: string) =>
  Schema.decodeUnknownEffect(Schema.fromJsonString(schema))(new TextDecoder().decode(bytes)).pipe(
    Effect.mapError(
      (error) =>
        new ResultsCorrupt({ location, reason: `${location} is not a valid runbatch file: ${error.message}` })
    )
  )

/** Read and decode a small JSON file of the output folder. */
export const readJson = <A>(schema: Schema.Codec<A, unknown>, location: string) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const bytes = yield* store.readBytes(location, { maxBytes: 256 * 1024 * 1024 })
    return yield* decodeJson(schema, bytes, location)
  })

/** Rows of a part as they are produced, with how many of them recorded an error. */
export interface PartBatch {
  readonly batch: Arrow.RecordBatch
  readonly errors: number
}

/** What writing a part gives: the part, and its columns as its commit record states them. */
export interface WrittenPart {
  readonly part: PartInfo
  readonly schema: ReadonlyArray<SchemaField>
}

export interface OutputCommitter {
  readonly layout: OutputLayout
  /** Encode and write one attempt's part for a shard (`errors`: its rows that recorded an error). */
  readonly writePart: (
    shard: number,
    attempt: number,
    table: Arrow.Table,
    errors?: number
  ) => Effect.Effect<
    { readonly part: PartInfo; readonly schema: ReadonlyArray<SchemaField> },
    StageError | StageFileExists
  >
  /**
   * Write one attempt's part from batches as they are produced, row group by row group: memory holds a
   * row group, never the part. `whenEmpty` gives the batch of no rows (the part's columns) written when
   * there are no batches. A failure of the batches fails the write, leaving no part.
   */
  readonly writePartStream: <E, R, E2, R2>(
    shard: number,
    attempt: number,
    batches: Stream.Stream<PartBatch, E, R>,
    whenEmpty: Effect.Effect<Arrow.RecordBatch, E2, R2>
  ) => Effect.Effect<WrittenPart, StageError | StageFileExists | E | E2, R | R2>
  /** Make a written part count for its shard. */
  readonly commitShard: (written: {
    readonly part: PartInfo
    readonly schema: ReadonlyArray<SchemaField>
  }) => Effect.Effect<CommitRecord, StageError | ResultsCorrupt>
  /** The record that counts for each committed shard (the lowest readable attempt). */
  readonly committed: Effect.Effect<ReadonlyMap<number, CommitRecord>, StageError | ResultsCorrupt>
  /** Write the manifest, clean up, write `_SUCCESS`; requires every shard `0..shards-1` committed. */
  readonly finalize: (
    shards: number,
    job: JobInfo
  ) => Effect.Effect<OutputManifest, StageError | ResultsIncomplete | ResultsCorrupt | OutputClaimed>
}

/** A committer for one job's output folder; its operations need the StageStore. */
export const make = (options: CommitterOptions) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const { layout } = options
    const now = options.now ?? (() => new Date())
    const provide = <A, E>(effect: Effect.Effect<A, E, StageStore>) =>
      Effect.provideService(effect, StageStore, store)

    const writePart: OutputCommitter["writePart"] = (shard, attempt, table, errors) =>
      Effect.gen(function* () {
        const name = partName(shard, attempt)
        const bytes = yield* Effect.try({
          try: () =>
            ParquetCodec.encode(table, {
              ...(options.compression === undefined ? {} : { compression: options.compression }),
              ...(options.rowGroupSize === undefined ? {} : { rowGroupSize: options.rowGroupSize })
            }),
          catch: (error) =>
            new StageFileError({
              location: StageLocation.format(part(layout, name)),
              problem: "unreadable",
              detail: `cannot encode the results as parquet: ${String(error)}`
            })
        })
        const stored = yield* store.write(StageLocation.format(part(layout, name)), bytes)
        return {
          part: {
            name,
            shard,
            attempt,
            rows: table.numRows,
            bytes: stored.bytes,
            sha256: stored.sha256,
            ...(errors === undefined ? {} : { errors })
          },
          schema: ParquetCodec.describeSchema(table.schema)
        }
      })

    const writePartStream = <E, R, E2, R2>(
      shard: number,
      attempt: number,
      batches: Stream.Stream<PartBatch, E, R>,
      whenEmpty: Effect.Effect<Arrow.RecordBatch, E2, R2>
    ): Effect.Effect<WrittenPart, StageError | StageFileExists | E | E2, R | R2> =>
      Effect.gen(function* () {
        const name = partName(shard, attempt)
        const location = StageLocation.format(part(layout, name))
        let rows = 0
        let errors = 0
        let schema: Arrow.Schema | undefined
        const counted = batches.pipe(
          Stream.map(({ batch, errors: batchErrors }) => {
            schema ??= batch.schema
            rows += batch.numRows
            errors += batchErrors
            return batch
          })
        )
        const bytes = ParquetStream.encodeStream(
          counted,
          Effect.tap(whenEmpty, (batch) => Effect.sync(() => (schema = batch.schema))),
          (error) =>
            new StageFileError({
              location,
              problem: "unreadable",
              detail: `cannot encode the results as parquet: ${String(error)}`
            }),
          {
            ...(options.compression === undefined ? {} : { compression: options.compression }),
            ...(options.rowGroupSize === undefined ? {} : { rowGroupSize: options.rowGroupSize })
          }
        )
        const context = yield* Effect.context<R | R2>()
        const stored = yield* store.write(location, Stream.provideContext(bytes, context))
        return {
          part: { name, shard, attempt, rows, bytes: stored.bytes, sha256: stored.sha256, errors },
          schema: ParquetCodec.describeSchema(schema!)
        }
      })

    const commitShard: OutputCommitter["commitShard"] = (written) =>
      Effect.gen(function* () {
        const location = StageLocation.format(commitRecord(layout, written.part.shard, written.part.attempt))
        const record: CommitRecord = {
          part: written.part,
          schema: written.schema,
          committedAt: now().toISOString()
        }
        return yield* store.write(location, encodeJson(CommitRecord, record)).pipe(
          Effect.as(record),
          // Committing the same attempt again (a retried call) finds its own record.
          Effect.catchTag("StageFileExists", () => provide(readJson(CommitRecord, location)))
        )
      })

    const committed: OutputCommitter["committed"] = provide(committedRecords(layout.commits))

    // A commit record says a part was written, not that it is still there: a part removed while the job
    // ran (a direct REMOVE on Snowflake) must not end in a `_SUCCESS` over missing rows. One listing
    // of the folder checks every part's presence and size.
    const checkPartsPresent = (output: string, parts: ReadonlyArray<PartInfo>) =>
      Effect.gen(function* () {
        const listed = new Map(
          (yield* store.list(output, { withoutMd5: true })).map((entry) => [entry.path, entry.size])
        )
        for (const info of parts) {
          const size = listed.get(part(layout, info.name).path)
          if (size !== info.bytes) {
            return yield* new ResultsCorrupt({
              location: output,
              reason: `the part ${info.name} of shard ${info.shard} ${size === undefined ? "was removed" : `has ${size} bytes, its commit record says ${info.bytes}`} after it was committed. The job's output cannot be completed; run the job again into an empty folder (or with mode overwrite).`
            })
          }
        }
      })

    const finalize: OutputCommitter["finalize"] = (shards, job) =>
      Effect.gen(function* () {
        const output = StageLocation.format(layout.output)
        const holder = yield* provide(claimant(layout))
        if (holder !== job.job) {
          return yield* new OutputClaimed({
            location: output,
            job: holder ?? "(nobody: the claim was removed)"
          })
        }
        const records = yield* committed
        const missing = Array.from({ length: shards }, (_, i) => i).filter((i) => !records.has(i))
        if (missing.length > 0) {
          return yield* new ResultsIncomplete({
            location: output,
            reason: `shard(s) ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", …" : ""} of ${shards} have no commit record.`
          })
        }
        const ordered = [...records.values()].sort((a, b) => a.part.shard - b.part.shard)
        const schema = ordered[0]?.schema ?? []
        const mismatch = ordered.find((r) => JSON.stringify(r.schema) !== JSON.stringify(schema))
        if (mismatch !== undefined) {
          return yield* new ResultsCorrupt({
            location: output,
            reason: `the part ${mismatch.part.name} has a different schema than ${ordered[0]!.part.name}; every part of a job must have the same columns.`
          })
        }
        const parts = ordered.map((r) => r.part)
        yield* checkPartsPresent(output, parts)
        const manifest: OutputManifest = {
          format: FORMAT,
          jobInfo: job,
          finishedAt: now().toISOString(),
          schema,
          rows: parts.reduce((sum, p) => sum + p.rows, 0),
          bytes: parts.reduce((sum, p) => sum + p.bytes, 0),
          parts
        }
        const manifestLocation = StageLocation.format(layout.manifest)
        // Finalising again after a crash: the manifest already written stands if it lists the same parts.
        const written = yield* store.write(manifestLocation, encodeJson(OutputManifest, manifest)).pipe(
          Effect.as(manifest),
          Effect.catchTag("StageFileExists", () =>
            Effect.flatMap(provide(readJson(OutputManifest, manifestLocation)), (existing) =>
              JSON.stringify(existing.parts) === JSON.stringify(parts)
                ? Effect.succeed(existing)
                : Effect.fail(
                    new ResultsCorrupt({
                      location: output,
                      reason: "a _manifest.json from another run is in the folder and lists other parts."
                    })
                  )
            )
          )
        )
        // Everything not listed goes: superseded attempts, parts of crashed attempts, stray files.
        const keep = new Set([...parts.map((p) => p.name), "_manifest.json", "_SUCCESS"])
        const entries = yield* store.list(output, { withoutMd5: true })
        for (const entry of entries) {
          const path = relativeToOutput(layout, entry.path)
          if (!isReserved(path) && !keep.has(path)) yield* store.remove(entry.location)
        }
        // Listings never show what this job's writers left when killed mid-write (temporary files
        // beside its parts and manifest, and in its private folder); every one of them has ended now.
        yield* store.removeTemporaryFiles(output, { recursive: false })
        yield* store.removeTemporaryFiles(StageLocation.format(layout.job))
        yield* store
          .write(StageLocation.format(layout.success), new Uint8Array())
          .pipe(Effect.catchTag("StageFileExists", () => Effect.void))
        // The job's private folder goes; its claim stays, as claims do (SaveMode).
        yield* store.remove(StageLocation.format(layout.job))
        return written
      })

    return { layout, writePart, writePartStream, commitShard, committed, finalize } satisfies OutputCommitter
  })

/**
 * For each shard with a readable commit record, the record of its lowest attempt. Records that cannot
 * be read (left half-written by a crash) are skipped.
 */
export const committedRecords = (commits: StageLocation.StageLocation) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const entries = yield* store.list(StageLocation.format(commits), { withoutMd5: true })
    const candidates = entries
      .map((entry) => ({ entry, id: parseCommitRecordName(entry.path) }))
      .filter(
        (c): c is { entry: (typeof entries)[number]; id: { shard: number; attempt: number } } =>
          c.id !== undefined
      )
      .sort((a, b) => a.id.shard - b.id.shard || a.id.attempt - b.id.attempt)
    const records = new Map<number, CommitRecord>()
    for (const { entry, id } of candidates) {
      if (records.has(id.shard)) continue
      const record = yield* Effect.result(readJson(CommitRecord, entry.location))
      if (record._tag === "Success") records.set(id.shard, record.success)
    }
    return records as ReadonlyMap<number, CommitRecord>
  })
