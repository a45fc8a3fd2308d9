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
  /** The file in chunks, for files too large to hold at once. */
  readonly stream: (location: string, options?: ReadOptions) => Stream.Stream<Uint8Array, StageFileError>
  /** Size in bytes. */
  readonly size: (location: string) => Effect.Effect<number, StageFileError>
}

export class FileReader extends Context.Service<FileReader, FileReaderShape>()(
  "@runbatch/plugin-api/FileReader"
) {}
