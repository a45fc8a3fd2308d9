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

/**
 * No plugin the host was given serves the request: an engine id, an `(inputFormat, convertTo)` pair of
 * column handling, or a package named in the plugins list. `install` names a package to install;
 * `unlisted` an installed package that serves it but was not listed (plugins other than runbatch's
 * own are used only when listed).
 */
export class PluginNotFound extends Schema.TaggedError<PluginNotFound>()("PluginNotFound", {
  kind: Schema.Literals(["engine", "encoder", "package"]),
  request: Schema.String,
  installed: Schema.Array(Schema.String),
  install: Schema.optionalKey(Schema.String),
  unlisted: Schema.optionalKey(Schema.String),
  /** What else the caller can do, in its own terms (e.g. `model log --unchecked`). */
  otherwise: Schema.optionalKey(Schema.String)
}) {
  override get message(): string {
    return this.otherwise === undefined ? this.reason : `${this.reason} ${this.otherwise}`
  }

  private get reason(): string {
    const have =
      this.installed.length === 0
        ? ""
        : ` Installed ${this.kind === "package" ? "plugins" : `${this.kind}s`}: ${this.installed.join(", ")}.`
    if (this.kind === "package") {
      const fix = this.install === undefined ? "" : ` Install it: npm install ${this.install}`
      return `The plugin package ${this.request} is not installed.${fix}${have}`
    }
    const what = this.kind === "engine" ? `has the engine id '${this.request}'` : `handles ${this.request}`
    if (this.unlisted !== undefined) {
      return `No listed plugin ${what}, but the installed package ${this.unlisted} does: runbatch uses a plugin package only when it is listed. List it: --plugin ${this.unlisted} on the command line, or plugins: ["${this.unlisted}"] in runBatch's options.${have}`
    }
    const fix =
      this.install === undefined
        ? ' If a plugin package provides it, install it and list it: --plugin <package> on the command line, or plugins: ["<package>"] in runBatch\'s options.'
        : ` Install it: npm install ${this.install}`
    const missing =
      this.kind === "engine"
        ? `No installed engine has the id '${this.request}'.`
        : `No installed encoder handles ${this.request}.`
    return `${missing}${fix}${have}`
  }
}

/** A plugin was written for another plugin API version, or does not match what a job's plan recorded. */
export class IncompatiblePlugin extends Schema.TaggedError<IncompatiblePlugin>()("IncompatiblePlugin", {
  packageName: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `The plugin ${this.packageName} cannot be used: ${this.reason}`
  }
}

/** Two installed plugins claim the same id. */
export class DuplicatePluginId extends Schema.TaggedError<DuplicatePluginId>()("DuplicatePluginId", {
  id: Schema.String,
  packages: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `The plugin id '${this.id}' is claimed by more than one package: ${this.packages.join(", ")}. Remove one of them from the plugins list (or uninstall it).`
  }
}
