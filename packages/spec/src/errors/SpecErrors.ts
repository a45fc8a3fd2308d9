import { Schema } from "effect"

/** One thing wrong with a spec, named by the field the user wrote (`output.stage_location`). */
export const Problem = Schema.Struct({ path: Schema.String, message: Schema.String })
export type Problem = typeof Problem.Type

const listProblems = (problems: ReadonlyArray<Problem>): string =>
  problems.length === 1
    ? ` ${problems[0]!.path === "" ? "" : `${problems[0]!.path}: `}${problems[0]!.message}`
    : `\n${problems.map((p) => `  - ${p.path === "" ? "" : `${p.path}: `}${p.message}`).join("\n")}`

/** A Snowflake identifier (database, schema, table, stage, model, job or column name) is malformed. */
export class InvalidIdentifier extends Schema.TaggedError<InvalidIdentifier>()("InvalidIdentifier", {
  input: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `Invalid identifier ${JSON.stringify(this.input)}: ${this.reason}`
  }
}

/** A stage location does not follow `@[DB.][SCHEMA.]STAGE[/path]` or tries to leave its stage. */
export class InvalidStageLocation extends Schema.TaggedError<InvalidStageLocation>()("InvalidStageLocation", {
  input: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `Invalid stage location ${JSON.stringify(this.input)}: ${this.reason}`
  }
}

/** An InputSpec, OutputSpec, JobSpec or inference engine options object breaks a rule. */
export class InvalidSpec extends Schema.TaggedError<InvalidSpec>()("InvalidSpec", {
  spec: Schema.String,
  problems: Schema.Array(Problem)
}) {
  override get message(): string {
    return `Invalid ${this.spec}:${listProblems(this.problems)}`
  }
}

/** A job file (YAML or JSON) cannot be parsed or does not describe a valid job. */
export class InvalidJobFile extends Schema.TaggedError<InvalidJobFile>()("InvalidJobFile", {
  source: Schema.String,
  problems: Schema.Array(Problem)
}) {
  override get message(): string {
    return `Invalid job file ${this.source}:${listProblems(this.problems)}`
  }
}

/** A job plan (`plan.json`) cannot be decoded: written by an incompatible runbatch, or damaged. */
export class InvalidJobPlan extends Schema.TaggedError<InvalidJobPlan>()("InvalidJobPlan", {
  source: Schema.String,
  problems: Schema.Array(Problem)
}) {
  override get message(): string {
    return `Invalid job plan ${this.source}:${listProblems(this.problems)}`
  }
}
