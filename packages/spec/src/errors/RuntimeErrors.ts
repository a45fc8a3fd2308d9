import { Schema } from "effect"
import * as ReplicaStatus from "../ReplicaStatus.ts"

/** A row failed (a file that could not be read, a value out of range, a row the model refused). */
export class RowFailed extends Schema.TaggedError<RowFailed>()("RowFailed", {
  shard: Schema.Number,
  file: Schema.String,
  row: Schema.Number,
  column: Schema.optionalKey(Schema.String),
  reason: Schema.String
}) {
  override get message(): string {
    return `Row ${this.row} of shard ${this.shard} (${this.file}) failed${this.column === undefined ? "" : ` in column "${this.column}"`}: ${this.reason} The job stops at the first bad row; run it with on_error: record (--on-error record) to keep going and record each row's error in an _ERROR column.`
  }
}

/** A shard of the staged input could not be read as parquet: the file is damaged. */
export class ShardUnreadable extends Schema.TaggedError<ShardUnreadable>()("ShardUnreadable", {
  shard: Schema.Number,
  file: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `Shard ${this.shard} cannot be read from ${this.file}: ${this.reason} The staged input is damaged; run the job again.`
  }
}

/** A replica stopped before its shards were committed, so the job cannot complete. */
export class ReplicaLost extends Schema.TaggedError<ReplicaLost>()("ReplicaLost", {
  replica: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return `Replica ${this.replica} stopped before finishing its shards: ${this.reason} The job failed; its committed shards are kept, and resuming it reruns only the rest.`
  }
}

/**
 * A replica was started without knowing which of the job's replicas it is, while the plan is for
 * several: it would run every shard, twice over with its siblings. SPCS sets SNOWFLAKE_JOB_INDEX and
 * SNOWFLAKE_JOBS_COUNT for a job service with REPLICAS; the original defaults them to 0 and 1.
 */
export class ReplicaUnplaced extends Schema.TaggedError<ReplicaUnplaced>()("ReplicaUnplaced", {
  missing: Schema.String,
  planReplicas: Schema.Number
}) {
  override get message(): string {
    return `The replica does not know its place: ${this.missing} is not set, and the job's plan is for ${this.planReplicas} replicas, so it would run every replica's shards. Start the job with REPLICAS = ${this.planReplicas} (EXECUTE JOB SERVICE sets SNOWFLAKE_JOB_INDEX and SNOWFLAKE_JOBS_COUNT), or give --replica I --replicas ${this.planReplicas}.`
  }
}

/** A pipeline worker thread of a replica stopped without reporting a typed error (a crash). */
export class WorkerCrashed extends Schema.TaggedError<WorkerCrashed>()("WorkerCrashed", {
  replica: Schema.Number,
  worker: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return `Worker ${this.worker} of replica ${this.replica} crashed: ${this.reason} The replica stopped; shards committed so far are kept, and resuming the job reruns only the rest.`
  }
}

/**
 * A message between a replica and one of its pipeline threads could not be read: the two ran different
 * builds of runbatch (a protocol version skew), or the message was damaged or of a kind not known.
 */
export class ThreadMessageInvalid extends Schema.TaggedError<ThreadMessageInvalid>()("ThreadMessageInvalid", {
  replica: Schema.Number,
  worker: Schema.Number,
  /** Who sent the message that could not be read. */
  sender: Schema.Literals(["replica", "thread"]),
  reason: Schema.String
}) {
  override get message(): string {
    const between =
      this.sender === "thread"
        ? `from worker ${this.worker}'s thread to replica ${this.replica}`
        : `from replica ${this.replica} to worker ${this.worker}'s thread`
    return `A message ${between} could not be read: ${this.reason} The replica stopped; shards committed so far are kept, and resuming the job reruns only the rest.`
  }
}

/** A replica cannot read the status file its supervisor keeps of another replica (another version, or damaged). */
export class ReplicaStatusUnreadable extends Schema.TaggedError<ReplicaStatusUnreadable>()(
  "ReplicaStatusUnreadable",
  {
    file: Schema.String,
    found: Schema.NullOr(Schema.String),
    reason: Schema.String
  }
) {
  override get message(): string {
    return ReplicaStatus.unreadableMessage(this.file, this.found, this.reason)
  }
}
