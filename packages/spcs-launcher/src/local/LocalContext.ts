/**
 * What every operation of the local launcher works with: the account's home, the names short job ids
 * resolve against, the timings of stopping and of taking a supervisor for gone; and the two ways a step
 * on the job folder fails — LocalFileError naming the file (or the symbolic link on its way), and
 * JobRecordUnreadable for a record of another version or a damaged one.
 */
import { resolve } from "node:path"
import { Identifier, JobRecordUnreadable, LocalFileError, LocalHome, LocalLayout } from "@runbatch/spec"
import { Effect } from "effect"
import { RECORD_VERSION, UnreadableRecord } from "../JobFolder.ts"
import type { JobName } from "../JobLauncher.ts"

export interface LocalLauncherOptions {
  /** The local account's home folder; default `$RUNBATCH_HOME` or `./.runbatch`. */
  readonly home?: string
  /** Current database, for job ids written without one. */
  readonly database?: string
  /** Current schema, for job ids written without one. */
  readonly schema?: string
  /** How long replicas asked to stop (SIGTERM) get before SIGKILL; default 10 s. */
  readonly stopGraceSeconds?: number
  /** A supervisor silent for longer is taken as gone (its job FAILED); default 30 s. */
  readonly heartbeatTimeoutSeconds?: number
}

export interface LocalContext {
  /** The home, absolute. */
  readonly home: string
  /** What a job id written without database or schema resolves against. */
  readonly names: Identifier.NameContext
  readonly stopGraceMillis: number
  readonly heartbeatTimeoutMillis: number
}

export const makeContext = (options: LocalLauncherOptions = {}): LocalContext => ({
  home: resolve(options.home ?? process.env["RUNBATCH_HOME"] ?? ".runbatch"),
  names: { database: options.database, schema: options.schema },
  stopGraceMillis: Math.round((options.stopGraceSeconds ?? 10) * 1000),
  heartbeatTimeoutMillis: Math.round((options.heartbeatTimeoutSeconds ?? 30) * 1000)
})

export type FolderError = LocalFileError | JobRecordUnreadable

export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** The error a failed step on the job folder is reported as. */
export const folderError = (path: string, error: unknown): FolderError =>
  error instanceof UnreadableRecord
    ? new JobRecordUnreadable({
        file: error.file,
        found: error.found,
        expected: RECORD_VERSION,
        reason: error.reason
      })
    : new LocalFileError({ path: (error as NodeJS.ErrnoException).path ?? path, reason: reasonOf(error) })

/** A filesystem step; its failure names the file. */
export const io = <A>(path: string, f: () => A): Effect.Effect<A, FolderError> =>
  Effect.try({ try: f, catch: (error) => folderError(path, error) })

export const idOf = (job: JobName): string => Identifier.formatQualified(job)

export const jobDir = (context: LocalContext, job: JobName): string => LocalLayout.jobDir(context.home, job)

/** The real path of `path` (under the home), or LocalFileError naming the symbolic link on its way. */
export const inHome = (context: LocalContext, path: string): Effect.Effect<string, LocalFileError> =>
  Effect.flatMap(
    Effect.try({
      try: () => LocalHome.locateSync(context.home, path),
      catch: (error) =>
        new LocalFileError({ path: (error as NodeJS.ErrnoException).path ?? path, reason: reasonOf(error) })
    }),
    (placement) =>
      placement._tag === "Real"
        ? Effect.succeed(placement.path)
        : Effect.fail(new LocalFileError({ path: placement.link, reason: LocalHome.linkReason(placement) }))
  )
