/**
 * `results --output FILE`: an export written into a file that appears only once it is complete. The
 * rows go into a hidden temporary file beside FILE (same folder, so same filesystem), which then
 * becomes FILE: by a hard link, which fails if FILE exists — so an existing file is never replaced
 * unasked, even by an export that started at the same time — or, with `force`, by a rename over it. A
 * failed or interrupted export removes its temporary file and leaves FILE as it was.
 */
import { randomBytes } from "node:crypto"
import {
  createWriteStream,
  existsSync,
  linkSync,
  openSync,
  renameSync,
  rmSync,
  type WriteStream
} from "node:fs"
import { basename, dirname, join, resolve } from "node:path"
import { ExportFileExists, LocalFileError } from "@runbatch/spec"
import { Effect } from "effect"
import type { Write } from "./RowExport.ts"

export interface ExportFileOptions {
  /** Replace FILE if it exists (once the export is complete). */
  readonly force: boolean
}

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Write `text`, completing once the stream can take more (a file is written as fast as the disk goes). */
const paced = (stream: WriteStream, path: string, text: string) =>
  Effect.tryPromise({
    try: () =>
      new Promise<void>((done, fail) => {
        const ready = stream.write(text, (error) => (error == null ? undefined : fail(error)))
        if (ready) done()
        else stream.once("drain", () => done())
      }),
    catch: (error) => new LocalFileError({ path, reason: reasonOf(error) })
  })

const finish = (stream: WriteStream, path: string) =>
  Effect.tryPromise({
    try: () =>
      new Promise<void>((done, fail) => {
        stream.once("error", fail)
        stream.end(() => done())
      }),
    catch: (error) => new LocalFileError({ path, reason: reasonOf(error) })
  })

/** Make the finished temporary file FILE: never over an existing one unless `force`. */
const publish = (temporary: string, path: string, force: boolean) =>
  Effect.try({
    try: () => {
      if (force) return renameSync(temporary, path)
      linkSync(temporary, path)
      rmSync(temporary)
    },
    catch: (error) =>
      (error as NodeJS.ErrnoException).code === "EEXIST"
        ? new ExportFileExists({ path })
        : new LocalFileError({ path, reason: reasonOf(error) })
  })

/**
 * Run `exporting` with a Write into a new file at `file`; FILE exists afterwards only if it succeeded.
 * Refuses an existing FILE up front (ExportFileExists) unless `force`.
 */
export const writeOnce = <A, E, R>(
  file: string,
  options: ExportFileOptions,
  exporting: (write: Write<LocalFileError>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | LocalFileError | ExportFileExists, R> =>
  Effect.gen(function* () {
    const path = resolve(file)
    if (!options.force && existsSync(path)) return yield* new ExportFileExists({ path })
    const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`)
    return yield* Effect.acquireUseRelease(
      Effect.try({
        // Opened here, not by the stream, so a folder that is missing or read-only fails the export
        // at once, saying so, before a row is read (a stream would fail its first write, obscurely).
        try: () => {
          const stream = createWriteStream(temporary, { fd: openSync(temporary, "wx") })
          // Errors reach each write's callback; this keeps one with no write pending from crashing.
          stream.on("error", () => undefined)
          return stream
        },
        catch: (error) =>
          new LocalFileError({
            path,
            reason:
              (error as NodeJS.ErrnoException).code === "ENOENT"
                ? `the folder ${dirname(path)} does not exist`
                : reasonOf(error)
          })
      }),
      (stream) =>
        Effect.gen(function* () {
          const result = yield* exporting((text) => paced(stream, path, text))
          yield* finish(stream, path)
          yield* publish(temporary, path, options.force)
          return result
        }),
      (stream) =>
        Effect.sync(() => {
          stream.destroy()
          rmSync(temporary, { force: true })
        })
    )
  })
