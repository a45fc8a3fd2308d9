import { Schema } from "effect"

/** The requested function (method) does not exist in the model version. */
export class FunctionNotFound extends Schema.TaggedError<FunctionNotFound>()("FunctionNotFound", {
  function: Schema.String,
  model: Schema.String,
  version: Schema.String,
  available: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `There is no method with name ${this.function} available in the model ${this.model} version ${this.version}. Available methods: ${this.available.join(", ")}.`
  }
}

/** The model version has several functions and none was named. */
export class FunctionNotSpecified extends Schema.TaggedError<FunctionNotSpecified>()("FunctionNotSpecified", {
  model: Schema.String,
  version: Schema.String,
  available: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `There are more than 1 target methods available in the model ${this.model} version ${this.version} (${this.available.join(", ")}). Please specify a function name (job_spec.function_name, --function) when calling run_batch.`
  }
}

/** Partitioned (table-function) inference was requested, which no installed engine can run yet. */
export class PartitionNotSupported extends Schema.TaggedError<PartitionNotSupported>()(
  "PartitionNotSupported",
  {
    reason: Schema.String
  }
) {
  override get message(): string {
    return this.reason
  }
}
