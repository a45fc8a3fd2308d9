/**
 * The StageStore service: files on stages, write-once. `StageStore.layerLocal` keeps them in the local
 * account's `stages/<DB>/<SCHEMA>/<STAGE>/` folders (the same code serves a stage volume mounted in
 * Snowpark Container Services); a Snowflake layer (LIST / GET / PUT / REMOVE) will implement the
 * same shape. Files are never renamed or overwritten: a write to an existing name fails with
 * StageFileExists, which is what lets commit records decide which files count.
 *
 * Locations are full stage locations (`@DB.SCHEMA.STAGE/path`), resolved against the account's current
 * database and schema when unqualified; model version files (`snow://model/…`) can be read too.
 */
import type { InvalidStageLocation, LocalFileError, StageFileError, StageFileExists } from "@runbatch/spec"
import { Context, type Effect, type Stream } from "effect"

/** One file, as `LIST` reports it. */
export interface StageEntry {
  /** Full stage location of the file, e.g. `@ML.PUBLIC.IMAGES/cats/1.png`. */
  readonly location: string
  /** `LIST`'s `name` column: the stage name in lower case, then the path (`images/cats/1.png`). */
  readonly name: string
  /** Path inside the stage (`cats/1.png`). */
  readonly path: string
  readonly size: number
  /** Hex MD5 of the contents, as LIST reports it. */
  readonly md5: string
  readonly lastModified: Date
}

export interface ListOptions {
  /**
   * A regular expression matched against the whole path inside the stage (anchored at both ends, as
   * Snowflake's `LIST … PATTERN` and `RLIKE` match), e.g. `.*\.png`.
   */
  readonly pattern?: string
  /** Skip the MD5 of each file (listing 100k files stays fast); `md5` is then "". */
  readonly withoutMd5?: boolean
}

export type StageError = InvalidStageLocation | StageFileError

export interface StageStoreShape {
  /**
   * Files under a location, recursively, sorted by path. Like `LIST @stage/path`, a location without a
   * trailing slash is a prefix (`@S/dir` lists `dir/…` and `dir2/…`); with a slash it is a folder.
   */
  readonly list: (
    location: string,
    options?: ListOptions
  ) => Effect.Effect<ReadonlyArray<StageEntry>, StageError>
  /** A file's bytes as a stream. */
  readonly read: (location: string) => Stream.Stream<Uint8Array, StageError>
  /** A whole file, refused (StageFileError "too_large") beyond `maxBytes` before reading it. */
  readonly readBytes: (
    location: string,
    options?: { readonly maxBytes?: number }
  ) => Effect.Effect<Uint8Array, StageError>
  /** Write a new file. Fails with StageFileExists when the name is taken; never overwrites. */
  readonly write: (
    location: string,
    data: Uint8Array | Stream.Stream<Uint8Array, unknown>
  ) => Effect.Effect<void, StageError | StageFileExists>
  /** Copy a local file onto the stage (write-once). */
  readonly put: (
    localPath: string,
    location: string
  ) => Effect.Effect<void, StageError | StageFileExists | LocalFileError>
  /** Remove every file under a location (prefix semantics as `list`); returns how many. */
  readonly remove: (location: string) => Effect.Effect<number, StageError>
  readonly exists: (location: string) => Effect.Effect<boolean, StageError>
  /**
   * The local filesystem path of a file or folder when the stage is a folder on this machine (the
   * local account, or a stage volume mounted in SPCS); undefined for remote stores. The runtime reads
   * parquet shards through it.
   */
  readonly localPath: (location: string) => Effect.Effect<string | undefined, StageError>
}

export class StageStore extends Context.Service<StageStore, StageStoreShape>()(
  "@runbatch/stage-io/StageStore"
) {}
