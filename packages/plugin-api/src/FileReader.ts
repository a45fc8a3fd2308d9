/**
 * Reading stage files: a capability the host gives plugins, so a plugin never opens paths itself and
 * reads the same way on a laptop (a folder) and in Snowpark Container Services (a stage mount). Files
 * are named by full stage location (`@DB.SCHEMA.STAGE/dir/file.png`); a location that could leave its
 * stage is refused before anything is read.
 */
import type { StageFileError } from "@runbatch/spec"
import { Context, type Effect, type Stream } from "effect"

export interface ReadOptions {
  /** Refuse files larger than this many bytes (StageFileError "too_large") before reading them. */
  readonly maxBytes?: number
}

export interface FileReaderShape {
  /** The whole file. */
  readonly read: (location: string, options?: ReadOptions) => Effect.Effect<Uint8Array, StageFileError>
  /**
   * The whole file into `into`, a buffer sized to it beforehand (`size`), so that many files can be
   * read into one buffer with none of their own (`readBinaryColumn` does). Returns the file's size:
   * `into.byteLength` when its bytes are in `into`; any other number when the file is no longer that
   * long (it changed since it was sized: `into` holds nothing useful; `read` it instead). Fails as
   * `read` does (a file over `maxBytes` is refused before it is read).
   *
   * Optional: added in plugin-api 0.1 without a new API version, so a host or a test's reader that
   * lacks it still fits; callers fall back to `read` (`readBinaryColumn` does).
   */
  readonly readInto?: (
    location: string,
    into: Uint8Array,
    options?: ReadOptions
  ) => Effect.Effect<number, StageFileError>
  /** The file in chunks, for files too large to hold at once. */
  readonly stream: (location: string, options?: ReadOptions) => Stream.Stream<Uint8Array, StageFileError>
  /** Size in bytes. */
  readonly size: (location: string) => Effect.Effect<number, StageFileError>
}

export class FileReader extends Context.Service<FileReader, FileReaderShape>()(
  "@runbatch/plugin-api/FileReader"
) {}
