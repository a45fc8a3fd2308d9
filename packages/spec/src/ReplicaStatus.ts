/**
 * A replica as the local supervisor sees it, one status file per replica in the job's monitor folder
 * (`replica-<i>.json`): the supervisor writes them as its children start and exit, and the runtime's
 * ReplicaMonitor reads them so the coordinator fails a job whose replica died instead of waiting. Both
 * sides use this file; it has no dependencies, so the supervisor loads it alone
 * (`@runbatch/spec/ReplicaStatus`).
 */

export interface ReplicaStatus {
  readonly replica: number
  readonly state: "starting" | "running" | "exited"
  /** Exit code, once exited (null when a signal ended it). */
  readonly code?: number | null
  /** Signal that ended it, when killed. */
  readonly signal?: string | null
}

/** The name of replica `replica`'s status file in the monitor folder. */
export const fileName = (replica: number): string => `replica-${replica}.json`
