/**
 * A replica as the local supervisor sees it, one status file per replica in the job's monitor folder
 * (`replica-<i>.json`): the supervisor writes them as its children start and exit, and the runtime's
 * ReplicaMonitor reads them so the coordinator fails a job whose replica died instead of waiting. Both
 * sides use this file, so the protocol has one definition. It depends on nothing but the guards, so
 * the supervisor loads it alone (`@runbatch/spec/ReplicaStatus`) and starts in milliseconds.
 */
import * as Guard from "./Guard.ts"

/**
 * The version of these files. A file carries it as `version` (files of version 1 may carry none); a
 * reader refuses any other, because the supervisor and the replica are then of different runbatch
 * versions.
 */
export const VERSION = 1

export interface ReplicaStatus {
  readonly replica: number
  readonly state: "starting" | "running" | "exited"
  /** Exit code, once exited (null when a signal ended it). */
  readonly code?: number | null
  /** Signal that ended it, when killed. */
  readonly signal?: string | null
}

const guard = Guard.exactly<ReplicaStatus>()(
  Guard.struct({
    replica: Guard.count,
    state: Guard.literal("starting", "running", "exited"),
    code: Guard.optional(Guard.nullable(Guard.number)),
    signal: Guard.optional(Guard.nullable(Guard.string))
  })
)

/** The name of replica `replica`'s status file in the monitor folder. */
export const fileName = (replica: number): string => `replica-${replica}.json`

/** A status file's text as the supervisor writes it. */
export const format = (status: ReplicaStatus): string =>
  `${JSON.stringify({ version: VERSION, ...status }, null, 2)}\n`

/** A status file's text read back: the status, or why it cannot be (another version, or damaged). */
export const parse = (text: string): Guard.Checked<ReplicaStatus> =>
  Guard.parseVersioned(guard, VERSION, text)

/** What a reader says of a status file it cannot read (ReplicaStatusUnreadable's message). */
export const unreadableMessage = (file: string, found: string | null, reason: string): string =>
  found === null
    ? `The replica status file ${file} is damaged (${reason}): the job's supervisor writes it whole, so something else changed it. Resume the job (runbatch jobs resume) once the job folder is in order again.`
    : `The replica status file ${file} is of version ${found}, and this replica reads version ${VERSION}: the job's supervisor and its replicas are of different runbatch versions. Start replicas with the replica command of the same install as @runbatch/spcs-launcher (ReplicaCommand from its @runbatch/runtime).`
