import { Schema } from "effect"
import * as ReplicaOutput from "../ReplicaOutput.ts"

/** A job is launched under a name that another job of the same database and schema already has. */
export class JobExists extends Schema.TaggedError<JobExists>()("JobExists", {
  job: Schema.String
}) {
  override get message(): string {
    return `A job named ${this.job} already exists. Choose another name (or a job name prefix, which adds a unique suffix), or delete the old job first.`
  }
}

/** No job has that name (it never existed, or it was deleted). */
export class JobNotFound extends Schema.TaggedError<JobNotFound>()("JobNotFound", {
  job: Schema.String,
  closest: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const hint = this.closest.length > 0 ? ` Did you mean ${this.closest.join(" or ")}?` : ""
    return `Job ${this.job} does not exist or not authorized.${hint} List the jobs of a schema with listJobs; a deleted job is gone for good.`
  }
}

/** `wait` gave up: the job was still running when its timeout ran out. */
export class JobTimeout extends Schema.TaggedError<JobTimeout>()("JobTimeout", {
  job: Schema.String,
  timeoutSeconds: Schema.Number,
  status: Schema.String
}) {
  override get message(): string {
    return `Job ${this.job} did not complete within ${this.timeoutSeconds} seconds (it is ${this.status}). It keeps running; wait again, or cancel it.`
  }
}

/** The launcher could not start a job: its record could not be written or its supervisor not started. */
export class JobLaunchFailed extends Schema.TaggedError<JobLaunchFailed>()("JobLaunchFailed", {
  job: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `Job ${this.job} could not be launched: ${this.reason}`
  }
}

/** A job cannot be resumed: it is not a stopped job, or what it ran with has changed since. */
export class ResumeRefused extends Schema.TaggedError<ResumeRefused>()("ResumeRefused", {
  job: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `Job ${this.job} cannot be resumed: ${this.reason}`
  }
}

/**
 * A record of a local job's folder (job.json, status.json, supervisor.json, client.json, cancel.json,
 * progress.json) cannot be read: written by another runbatch version (`found` is its version), or
 * damaged (`found` is null).
 */
export class JobRecordUnreadable extends Schema.TaggedError<JobRecordUnreadable>()("JobRecordUnreadable", {
  file: Schema.String,
  found: Schema.NullOr(Schema.String),
  expected: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return this.found === null
      ? `The job record ${this.file} is damaged (${this.reason}): it was edited, or cut short. The job cannot be followed; remove its folder (${dirnameOf(this.file)}) by hand. Its output is not affected.`
      : `The job record ${this.file} is of version ${this.found}, and this runbatch reads version ${this.expected}: another runbatch version launched the job. Follow or delete it with that version.`
  }
}

/**
 * A replica printed a line of another version of runbatch's replica output protocol: the replica
 * command runs another runbatch version than the launcher reading it. The job fails with this message.
 */
export class ReplicaOutputMismatch extends Schema.TaggedError<ReplicaOutputMismatch>()(
  "ReplicaOutputMismatch",
  {
    replica: Schema.Number,
    found: Schema.String
  }
) {
  override get message(): string {
    return ReplicaOutput.mismatchMessage(this.replica, this.found)
  }
}

const dirnameOf = (file: string): string => file.replace(/[\\/][^\\/]*$/, "")
