import { Schema } from "effect"

/** The model is not in the registry's database and schema. */
export class ModelNotFound extends Schema.TaggedError<ModelNotFound>()("ModelNotFound", {
  model: Schema.String,
  closest: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const hint = this.closest.length > 0 ? ` Did you mean ${this.closest.join(" or ")}?` : ""
    return `The model ${this.model} does not exist.${hint} List models with \`runbatch model ls\`, or log it with \`runbatch model log\`.`
  }
}

/** The model has no version of that name (or no default version when none was named). */
export class ModelVersionNotFound extends Schema.TaggedError<ModelVersionNotFound>()("ModelVersionNotFound", {
  model: Schema.String,
  version: Schema.String,
  available: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `The model ${this.model} has no version ${this.version}. Versions: ${this.available.length === 0 ? "none" : this.available.join(", ")}.`
  }
}

/** Model versions are immutable: logging one that exists is refused. */
export class ModelVersionExists extends Schema.TaggedError<ModelVersionExists>()("ModelVersionExists", {
  model: Schema.String,
  version: Schema.String
}) {
  override get message(): string {
    return `The model ${this.model} already has a version ${this.version}, and versions never change once logged. Log under a new version name, or delete this one first.`
  }
}

/** The files of a model version are missing or malformed (MANIFEST.yml, model.yaml, user data). */
export class InvalidModelVersion extends Schema.TaggedError<InvalidModelVersion>()("InvalidModelVersion", {
  model: Schema.String,
  version: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `The model ${this.model} version ${this.version} cannot be read: ${this.reason}`
  }
}
