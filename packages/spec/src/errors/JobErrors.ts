import { Schema } from "effect"

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
