import { Schema } from "effect"

/** A file on a stage is missing, over the size limit, or cannot be read. */
export class StageFileError extends Schema.TaggedError<StageFileError>()("StageFileError", {
  location: Schema.String,
  problem: Schema.Literals(["not_found", "too_large", "unreadable"]),
  detail: Schema.optionalKey(Schema.String),
  limitBytes: Schema.optionalKey(Schema.Number)
}) {
  override get message(): string {
    switch (this.problem) {
      case "not_found":
        return `The stage file ${this.location} does not exist. Check the path (paths are case-sensitive) or list the stage with runbatch stage ls.`
      case "too_large":
        return `The stage file ${this.location} is larger than the ${this.limitBytes ?? "configured"}-byte limit${this.detail === undefined ? "" : ` (${this.detail})`}. Raise the limit in the encoder options or shrink the file.`
      case "unreadable":
        return `The stage file ${this.location} cannot be read${this.detail === undefined ? "." : `: ${this.detail}`}`
    }
    return `The stage file ${this.location} cannot be used.`
  }
}
