/**
 * The JobLauncher service: start a job's replicas and follow the job — the jobs API of Snowflake ML
 * (`MLJob`, `list_jobs`, `get_job`, `delete_job`) for runbatch jobs.
 *
 * `JobLauncher.layerLocal({ home })` runs jobs on this machine: each job gets a detached supervisor
 * process that starts its replicas as child processes with the environment Snowpark Container Services
 * gives job containers (`SNOWFLAKE_JOB_INDEX`, `SNOWFLAKE_JOBS_COUNT`, …) and records the job under
 * `<home>/jobs/<DB>/<SCHEMA>/<JOB>/`. A Snowflake layer (`EXECUTE JOB SERVICE … REPLICAS = n`,
 * `DESCRIBE SERVICE`, `SYSTEM$GET_SERVICE_LOGS`, `<job>!spcs_cancel_job()`, `DROP SERVICE`) will
 * implement the same shape; the replica command and its environment contract are the same in both.
 */
import type {
  InvalidIdentifier,
  InvalidSpec,
  InvalidStageLocation,
  JobExists,
  JobLaunchFailed,
  JobNotFound,
  JobRecordUnreadable,
  JobTimeout,
  LocalFileError,
  ResumeRefused
} from "@runbatch/spec"
import { Context, type Effect, Layer } from "effect"
import type { JobProgress } from "./JobProgress.ts"
import type { JobStatus } from "./JobStatus.ts"
import { type LocalLauncherOptions, make as makeLocal } from "./LocalLauncher.ts"

/** A job's fully qualified name, as stored (`ML`, `PUBLIC`, `NIGHTLY_SCORES`). */
export interface JobName {
  readonly database: string
  readonly schema: string
  readonly name: string
}

/** The command a replica runs, e.g. `ReplicaCommand.command()` (node, its flags, the runtime's entry). */
export interface ReplicaCommand {
  readonly command: string
  readonly args: ReadonlyArray<string>
}

export interface LaunchRequest {
  readonly job: JobName
  /** The job plan, `@DB.SCHEMA.STAGE/…/plan.json` (RUNBATCH_PLAN for the replicas). */
  readonly planLocation: string
  /** How many replicas to start (SPCS `REPLICAS`); at least 1. */
  readonly replicas: number
  readonly replicaCommand: ReplicaCommand
  /** Extra environment for every replica, e.g. `RUNBATCH_OLD_GENERATION_MB` (plugins come from the plan). */
  readonly env?: Readonly<Record<string, string>>
  /** The job's total CPU budget, split evenly between replicas; default `os.availableParallelism()`. */
  readonly cpus?: number
  /** The compute pool the job runs in (Snowflake); recorded and listed locally. */
  readonly computePool?: string
  /** The job's rows and shards, for `progress` before every replica has reported. */
  readonly totals?: { readonly rows: number; readonly shards: number }
  /** Where the job writes its results (recorded for listings). */
  readonly outputLocation?: string
}

/** One row of `listJobs`, with the original's columns. */
export interface JobRow {
  readonly name: string
  readonly status: JobStatus
  /** Why the job failed or was stopped; "" otherwise. */
  readonly message: string
  readonly databaseName: string
  readonly schemaName: string
  readonly owner: string
  readonly computePool: string | null
  readonly targetInstances: number
  readonly createdTime: Date
  readonly completedTime: Date | null
}

export interface WaitOptions {
  /** Give up after this many seconds with JobTimeout; negative or absent: wait as long as it takes. */
  readonly timeoutSeconds?: number
}

export interface LogOptions {
  /** Which replica's log; default 0, the head instance (as the original). */
  readonly instance?: number
  /** Only the last `limit` lines; negative or absent: all of them. */
  readonly limit?: number
}

/** What following a job can fail with (besides it being gone). */
export type JobError = JobNotFound | LocalFileError | JobRecordUnreadable

export interface JobHandle {
  /** `DB.SCHEMA.NAME`, each part in its shortest SQL form. */
  readonly id: string
  /** The launch request as recorded (plan location, replicas, replica command, environment). */
  readonly request: LaunchRequest
  /** 1 for the job's first run, one more for each resume. */
  readonly attempt: number
  /**
   * This job apart from earlier or later jobs of the same name (a name is free again once a job is
   * deleted); the same across its attempts. An output folder's claim records it.
   */
  readonly instance: string
  readonly name: string
  readonly database: string
  readonly schema: string
  /** How many replicas the job runs (SPCS target instances). */
  readonly targetInstances: number
  /**
   * The job's status, read afresh until it is terminal, then remembered. A job deleted since reads
   * DELETED.
   */
  readonly status: Effect.Effect<JobStatus, LocalFileError | JobRecordUnreadable>
  /** The job as `listJobs` shows it. */
  readonly describe: Effect.Effect<JobRow, JobError>
  /**
   * Wait until the job is terminal and return its status; JobTimeout ("Job X did not complete within
   * N seconds") when `timeoutSeconds` run out first, JobNotFound when the job was deleted.
   */
  readonly wait: (options?: WaitOptions) => Effect.Effect<JobStatus, JobError | JobTimeout>
  /** A replica's log (stdout and stderr, as its container log holds them): one string, or lines. */
  readonly getLogs: {
    (options?: LogOptions & { readonly asList?: false }): Effect.Effect<string, JobError | InvalidSpec>
    (
      options: LogOptions & { readonly asList: true }
    ): Effect.Effect<ReadonlyArray<string>, JobError | InvalidSpec>
  }
  /** Ask the job to stop; it goes CANCELLING, then CANCELLED. Nothing happens to a finished job. */
  readonly cancel: Effect.Effect<void, JobError>
  /** Rows, shards, rate, errors and ETA, summed over the replicas' latest progress lines. */
  readonly progress: Effect.Effect<JobProgress, JobError>
}

export interface ListJobsOptions {
  /** At most this many rows, newest first; default 10, negative: all. */
  readonly limit?: number
  /** Only jobs of this database (an identifier: `ml` is `ML`). */
  readonly database?: string
  /** Only jobs of this schema. */
  readonly schema?: string
}

export type LaunchError =
  | InvalidSpec
  | InvalidStageLocation
  | JobExists
  | JobLaunchFailed
  | LocalFileError
  | JobRecordUnreadable

/**
 * A job whose name is taken before its client writes anything of it. It exists from that moment —
 * PENDING in `getJob` and `listJobs`, running as far as another client can tell — so the claim its
 * client then takes on the output folder holds while the input is staged. If the client stops before
 * starting it, the job reads FAILED; if it is cancelled meanwhile, it never starts and reads CANCELLED.
 */
export interface Reservation {
  readonly job: JobHandle
  /** Start the job's replicas; the totals are known once its input is staged. */
  readonly start: (totals?: LaunchRequest["totals"]) => Effect.Effect<JobHandle, LaunchError>
  /** Give the name back: the job never started, and no longer exists. */
  readonly abandon: Effect.Effect<void>
}

export interface JobLauncherShape {
  /**
   * Start a job: refuse a name already in use (JobExists), record the job, start its replicas, and
   * return its handle at once (the job is PENDING, then RUNNING).
   */
  readonly launch: (request: LaunchRequest) => Effect.Effect<JobHandle, LaunchError>
  /**
   * Take a job's name and record the job (PENDING) without starting it: what a client does before
   * its first write (claiming the output, staging the input), so the job exists throughout. JobExists
   * when the name is in use.
   */
  readonly reserve: (request: LaunchRequest) => Effect.Effect<Reservation, LaunchError>
  /**
   * A job by id: `DB.SCHEMA.NAME`, or a shorter name resolved against the launcher's current database
   * and schema. JobNotFound names the closest job names when there is no such job.
   */
  readonly getJob: (id: string) => Effect.Effect<JobHandle, InvalidIdentifier | JobError>
  /** Jobs, newest first. */
  readonly listJobs: (
    options?: ListJobsOptions
  ) => Effect.Effect<ReadonlyArray<JobRow>, InvalidIdentifier | LocalFileError | JobRecordUnreadable>
  /**
   * Delete a job: stop it if it runs, then remove it and its logs. Its handles then read DELETED, and
   * `wait` fails with JobNotFound, as the original. The job's output is left alone.
   */
  readonly deleteJob: (job: string | JobHandle) => Effect.Effect<void, InvalidIdentifier | JobError>
  /**
   * Start a stopped job (FAILED, CANCELLED or INTERNAL_ERROR) again under the same name with the same
   * request, as its next attempt; ResumeRefused for a job that is running, DONE or deleted. The
   * replicas rerun only the shards that have no commit record. Handles of the earlier attempt keep
   * their final status. Whether the job can still run as planned is the caller's to check first.
   */
  readonly resume: (
    job: string | JobHandle
  ) => Effect.Effect<JobHandle, InvalidIdentifier | JobError | LaunchError | ResumeRefused>
}

export class JobLauncher extends Context.Service<JobLauncher, JobLauncherShape>()(
  "@runbatch/spcs-launcher/JobLauncher"
) {
  /** Jobs on this machine, recorded under `<home>/jobs/`, each watched by a detached supervisor. */
  static readonly layerLocal = (options: LocalLauncherOptions = {}): Layer.Layer<JobLauncher> =>
    Layer.sync(JobLauncher, () => makeLocal(options))
}
