/**
 * Host capabilities for plugin tests, in memory: a FileReader over a map of stage locations to bytes
 * (with the real size-cap and not-found behaviour) and a PluginLogger that keeps what it is told.
 */
import { FileReader, PluginLogger } from "@runbatch/plugin-api"
import { StageFileError } from "@runbatch/spec"
import { Effect, Layer, Stream } from "effect"

const CHUNK = 64 * 1024

/** A FileReader serving `files` (stage location → bytes). */
export const fileReader = (files: ReadonlyMap<string, Uint8Array>): Layer.Layer<FileReader> =>
  Layer.succeed(FileReader, {
    read: (location, options) => {
      const bytes = files.get(location)
      if (bytes === undefined) return Effect.fail(new StageFileError({ location, problem: "not_found" }))
      if (options?.maxBytes !== undefined && bytes.length > options.maxBytes) {
        return Effect.fail(
          new StageFileError({ location, problem: "too_large", limitBytes: options.maxBytes })
        )
      }
      return Effect.succeed(bytes)
    },
    stream: (location, options) => {
      const bytes = files.get(location)
      if (bytes === undefined) return Stream.fail(new StageFileError({ location, problem: "not_found" }))
      if (options?.maxBytes !== undefined && bytes.length > options.maxBytes) {
        return Stream.fail(
          new StageFileError({ location, problem: "too_large", limitBytes: options.maxBytes })
        )
      }
      const chunks: Array<Uint8Array> = []
      for (let offset = 0; offset < bytes.length; offset += CHUNK)
        chunks.push(bytes.subarray(offset, offset + CHUNK))
      return Stream.fromIterable(chunks)
    },
    readInto: (location, into, options) => {
      const bytes = files.get(location)
      if (bytes === undefined) return Effect.fail(new StageFileError({ location, problem: "not_found" }))
      if (options?.maxBytes !== undefined && bytes.length > options.maxBytes) {
        return Effect.fail(
          new StageFileError({ location, problem: "too_large", limitBytes: options.maxBytes })
        )
      }
      if (bytes.length === into.length) into.set(bytes)
      return Effect.succeed(bytes.length)
    },
    size: (location) => {
      const bytes = files.get(location)
      return bytes === undefined
        ? Effect.fail(new StageFileError({ location, problem: "not_found" }))
        : Effect.succeed(bytes.length)
    }
  })

export interface LoggedLine {
  readonly level: "debug" | "info" | "warn"
  readonly message: string
  readonly fields: Readonly<Record<string, string | number | boolean | null>> | undefined
}

/** A PluginLogger that appends every line to `lines`. */
export const logger = (lines: Array<LoggedLine> = []): Layer.Layer<PluginLogger> => {
  const log = (level: LoggedLine["level"]) => (message: string, fields?: LoggedLine["fields"]) =>
    Effect.sync(() => void lines.push({ level, message, fields }))
  return Layer.succeed(PluginLogger, { debug: log("debug"), info: log("info"), warn: log("warn") })
}

/** Both capabilities, as a plugin gets them from the host. */
export const host = (
  files: ReadonlyMap<string, Uint8Array>,
  lines: Array<LoggedLine> = []
): Layer.Layer<FileReader | PluginLogger> => Layer.mergeAll(fileReader(files), logger(lines))
