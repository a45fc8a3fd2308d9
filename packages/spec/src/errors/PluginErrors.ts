import { Schema } from "effect"

/**
 * An engine's plan-time check (`Engine.prepare`) refused the model, its options or its params: the
 * job is not started.
 */
export class EnginePrepareError extends Schema.TaggedError<EnginePrepareError>()("EnginePrepareError", {
  engine: Schema.String,
  reason: Schema.String,
  fix: Schema.optionalKey(Schema.String)
}) {
  override get message(): string {
    return `The ${this.engine} engine cannot run this model: ${this.reason}${this.fix === undefined ? "" : ` ${this.fix}`}`
  }
}

/**
 * An encoder or engine failed a whole batch. Retryable failures (a busy server, a timeout) are retried
 * with backoff; the rest fail the job.
 */
export class PluginBatchError extends Schema.TaggedError<PluginBatchError>()("PluginBatchError", {
  plugin: Schema.String,
  reason: Schema.String,
  retryable: Schema.Boolean,
  retryAfterMillis: Schema.optionalKey(Schema.Number)
}) {
  override get message(): string {
    return `${this.plugin}: ${this.reason}${this.retryable ? " (retryable)" : ""}`
  }
}

/** A package's `runbatch` manifest (in its package.json) is missing or malformed. */
export class InvalidPluginManifest extends Schema.TaggedError<InvalidPluginManifest>()(
  "InvalidPluginManifest",
  {
    packageName: Schema.String,
    problems: Schema.Array(Schema.String)
  }
) {
  override get message(): string {
    return `The package ${this.packageName} is not a valid runbatch plugin: ${this.problems.join("; ")}. See docs/plugins/authoring.md for the manifest format.`
  }
}
