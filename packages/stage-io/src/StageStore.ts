/**
 * The StageStore service: files on stages, write-once. `StageStore.layerLocal` keeps them in the local
 * account's `stages/<DB>/<SCHEMA>/<STAGE>/` folders (the same code serves a stage volume mounted in
 * Snowpark Container Services, with `objectStore: true`); `SnowflakeStages.layer` in @runbatch/session
 * implements the same shape on Snowflake (LIST / GET / PUT / REMOVE), and `stageStoreConformance` in
 * @runbatch/testkit holds both to it. Files are never renamed or overwritten: a write to an existing name
 * fails with StageFileExists, which is what lets commit records decide which files count.
 *
 * Locations are full stage locations (`@DB.SCHEMA.STAGE/path`), resolved against the account's current
 * database and schema when unqualified (`@STAGE/path`); a trailing slash names a folder. Model version
 * files (`snow://model/DB.SCHEMA.MODEL/versions/V1/path`) can be listed and read, never written or
 * removed. A location that could leave its stage (`..`, percent-encoded dots or slashes, backslashes,
 * NUL) fails with InvalidStageLocation; one a symbolic link takes outside its stage fails with
 * StageFileError "escapes_stage".
 */
import { LocalAccount, type LocalAccountOptions } from "@runbatch/account"
import type { InvalidStageLocation, LocalFileError, StageFileError, StageFileExists } from "@runbatch/spec"
import { Context, type Effect, Layer, type Stream } from "effect"
import { type LocalStageStoreOptions, make as makeLocal } from "./LocalStageStore.ts"

/** One file, as `LIST` reports it. */
export interface StageEntry {
  /** Full stage location of the file, e.g. `@ML.PUBLIC.IMAGES/cats/1.png`. */
  readonly location: string
  /**
   * `LIST`'s `name` column: the stage name in lower case, then the path (`images/cats/1.png`). For
   * model version files, the path inside the version folder.
   */
  readonly name: string
  /** Path inside the stage (`cats/1.png`). */
  readonly path: string
  readonly size: number
  /** Hex MD5 of the contents, as LIST reports it; `""` with `withoutMd5`. */
  readonly md5: string
  readonly lastModified: Date
}

export interface ListOptions {
  /**
   * A JavaScript regular expression matched against the whole path inside the stage (anchored at both
   * ends, as Snowflake's `LIST … PATTERN` and `RLIKE` match), e.g. `.*\.png`. An invalid expression
   * fails with InvalidStageLocation.
   */
  readonly pattern?: string
  /** Skip the MD5 of each file (listing 100k files stays fast); `md5` is then `""`. */
  readonly withoutMd5?: boolean
}

export interface ReadBytesOptions {
  /**
   * Refuse files larger than this (StageFileError "too_large") before reading them. Default: the
   * largest file Node can hold in one buffer (2 GiB - 1).
   */
  readonly maxBytes?: number
}

/** What `write` accepts: the whole contents, or chunks streamed in order (memory stays bounded). */
export type WriteData<E = never> = Uint8Array | Stream.Stream<Uint8Array, E>

/** What a write stored: its size and the sha256 of its bytes (hex), computed as it was written. */
export interface WrittenFile {
  readonly bytes: number
  readonly sha256: string
}

export type StageError = InvalidStageLocation | StageFileError

/**
 * How another thread or process opens this same store: plain data, so it crosses a worker-thread or
 * process boundary. Each backend adds its kind (the Snowflake backend will carry its connection).
 */
export type StoreRecipe = {
  readonly kind: "local"
  readonly home: string
  readonly database: string
  readonly schema: string
  readonly objectStore: boolean
  /** Stages mounted outside the home (LocalAccountOptions.stageMounts). */
  readonly stageMounts?: Readonly<Record<string, string>>
}

export interface StageStoreShape {
  /** The current database and schema: unqualified locations (`@STAGE/path`) resolve against them. */
  readonly context: { readonly database: string; readonly schema: string }
  /** How to open this store elsewhere; undefined when it cannot be (an in-memory store). */
  readonly recipe?: StoreRecipe
  /**
   * Files under a location, recursively, sorted by path. Like `LIST @stage/path`, a location without a
   * trailing slash is a prefix (`@S/dir` lists `dir/…`, `dir2/…` and `dir.txt`); with a slash it is a
   * folder (`@S/dir/` lists `dir/…` only); the stage root lists everything. A stage nobody wrote to yet
   * lists as empty.
   *
   * Locally, symbolic links to regular files inside the stage are listed like files; links pointing
   * outside the stage, dangling links and links to folders are left out (with a warning in the log).
   * Writers' temporary files are never listed.
   */
  readonly list: (
    location: string,
    options?: ListOptions
  ) => Effect.Effect<ReadonlyArray<StageEntry>, StageError>
  /** A file's bytes as a stream of chunks (64 KiB locally); StageFileError "not_found" if missing. */
  readonly read: (location: string) => Stream.Stream<Uint8Array, StageError>
  /** A whole file, refused (StageFileError "too_large") beyond `maxBytes` before reading it. */
  readonly readBytes: (location: string, options?: ReadBytesOptions) => Effect.Effect<Uint8Array, StageError>
  /**
   * A whole file into a buffer the caller gives, sized to the file beforehand (`size`): a batch of
   * files read into one buffer, with no buffer per file. Returns the file's size: `into.byteLength`
   * when its bytes are in `into`; any other number when the file is no longer that long (it changed
   * since it was sized; `into` holds nothing useful — read it again with `readBytes`). Refused past
   * `maxBytes` (StageFileError "too_large") and failing as `readBytes` does.
   */
  readonly readInto: (
    location: string,
    into: Uint8Array,
    options?: ReadBytesOptions
  ) => Effect.Effect<number, StageError>
  /**
   * A file's size in bytes without reading it (locally one `stat`; what `LIST` reports for it
   * remotely); StageFileError "not_found" if missing, as `readBytes` fails on the same location.
   */
  readonly size: (location: string) => Effect.Effect<number, StageError>
  /**
   * Write a new file; folders (and the stage, schema and database levels) come into being as needed.
   * Fails with StageFileExists when the name is taken: never overwrites, and of two concurrent writes
   * of one name exactly one succeeds. A failure of the data stream fails the write with that error and
   * leaves no file behind (a crash in object-store mode can leave a partial one; see the layer).
   */
  readonly write: <E = never>(
    location: string,
    data: WriteData<E>
  ) => Effect.Effect<WrittenFile, StageError | StageFileExists | E>
  /**
   * Copy local files and folders onto the stage (write-once, streamed); returns the locations
   * written. A file goes to a file location, or under its own name into a folder location (trailing
   * slash); a folder's files, and several paths, go under the location taken as a folder, keeping
   * their paths below the folder. Every target is checked free before the first copy: a refused put
   * copies nothing (StageFileExists, LocalFileError for a missing path or an empty folder).
   */
  readonly put: (
    localPaths: string | ReadonlyArray<string>,
    location: string
  ) => Effect.Effect<ReadonlyArray<string>, StageError | StageFileExists | LocalFileError>
  /**
   * Remove every file under a location (prefix semantics as `list`: `@S/out` also removes `out2/…`,
   * `@S/out/` only `out/…`); returns how many. Folders left empty are removed too, never the stage.
   */
  readonly remove: (location: string) => Effect.Effect<number, StageError>
  /**
   * Remove what writers killed mid-write left under a location (prefix semantics as `remove`; only
   * the folder's own files with `recursive: false`): locally, in normal mode, their hidden temporary
   * files — empty, partial, or a second name of a file they finished — which listings never show.
   * Returns how many went; a store whose writes leave no such files removes none. Call it only once
   * every writer of the location has ended: a live writer's write would fail.
   */
  readonly removeTemporaryFiles: (
    location: string,
    options?: { readonly recursive?: boolean }
  ) => Effect.Effect<number, StageError>
  /** A file location: whether that file exists. A folder location: whether any file is under it. */
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
) {
  /**
   * Stages as folders of the embedded local account. `objectStore: true` forbids rename, link and
   * overwrite, as on a Snowpark Container Services stage volume.
   */
  static readonly layerLocal = (
    options: LocalStageStoreOptions = {}
  ): Layer.Layer<StageStore, never, LocalAccount> =>
    Layer.effect(
      StageStore,
      LocalAccount.useSync((account) => makeLocal(account, options))
    )

  /**
   * The same, with its own LocalAccount (home from the options or RUNBATCH_HOME): for processes that
   * need only stage files, such as replicas.
   */
  static readonly layerLocalHome = (
    options: LocalAccountOptions & LocalStageStoreOptions = {}
  ): Layer.Layer<StageStore | LocalAccount> => {
    const { objectStore, ...account } = options
    return StageStore.layerLocal(objectStore === undefined ? {} : { objectStore }).pipe(
      Layer.provideMerge(LocalAccount.layer(account))
    )
  }

  /** The store a recipe describes (in a pipeline worker thread, say). */
  static readonly layerFromRecipe = (recipe: StoreRecipe): Layer.Layer<StageStore> =>
    StageStore.layerLocal({ objectStore: recipe.objectStore }).pipe(
      Layer.provide(
        LocalAccount.layer({
          home: recipe.home,
          database: recipe.database,
          schema: recipe.schema,
          ...(recipe.stageMounts === undefined ? {} : { stageMounts: recipe.stageMounts })
        })
      )
    )
}
