/**
 * A job's statuses, as Snowflake reports them for job services (and the Python original's
 * `JOB_STATUS`): PENDING → RUNNING → DONE | FAILED | CANCELLING → CANCELLED; INTERNAL_ERROR when the
 * launcher itself failed (a replica command that cannot be started); DELETED after `deleteJob`.
 */
export type JobStatus =
  | "PENDING"
  | "RUNNING"
  | "DONE"
  | "FAILED"
  | "CANCELLING"
  | "CANCELLED"
  | "INTERNAL_ERROR"
  | "DELETED"

export const JOB_STATUSES: ReadonlyArray<JobStatus> = [
  "PENDING",
  "RUNNING",
  "DONE",
  "FAILED",
  "CANCELLING",
  "CANCELLED",
  "INTERNAL_ERROR",
  "DELETED"
]

/** The statuses a job never leaves (the original's `TERMINAL_JOB_STATUSES`). */
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>([
  "DONE",
  "FAILED",
  "CANCELLED",
  "INTERNAL_ERROR",
  "DELETED"
])

export const isTerminal = (status: JobStatus): boolean => TERMINAL_STATUSES.has(status)

export const isJobStatus = (value: unknown): value is JobStatus =>
  typeof value === "string" && (JOB_STATUSES as ReadonlyArray<string>).includes(value)

/** Why a job in `status` cannot be resumed, or undefined when it can (it FAILED, was CANCELLED, …). */
export const resumeRefusal = (status: JobStatus): string | undefined =>
  status === "DONE"
    ? "it is DONE: every shard is committed, nothing is left to run."
    : status === "DELETED"
      ? "it was deleted."
      : isTerminal(status)
        ? undefined
        : `it is ${status}; wait for it to stop, or cancel it first.`
