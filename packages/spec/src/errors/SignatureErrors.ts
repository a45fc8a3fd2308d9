import { Schema } from "effect"

/** A model signature is malformed (empty group, duplicate or colliding names, bad default, bad shape). */
export class InvalidSignature extends Schema.TaggedError<InvalidSignature>()("InvalidSignature", {
  reason: Schema.String,
  path: Schema.optionalKey(Schema.String)
}) {
  override get message(): string {
    return `Invalid model signature${this.path === undefined ? "" : ` at ${this.path}`}: ${this.reason}`
  }
}

/** A signature feature has no input column with the same name (compared case-insensitively). */
export class MissingFeatureColumn extends Schema.TaggedError<MissingFeatureColumn>()("MissingFeatureColumn", {
  feature: Schema.String,
  closest: Schema.Array(Schema.String),
  columns: Schema.Array(Schema.String),
  /** How to fix it when not by renaming in a query (a files input names its path column). */
  fix: Schema.optionalKey(Schema.String)
}) {
  override get message(): string {
    const hint =
      this.closest.length > 0
        ? ` The closest input columns are ${this.closest.map((c) => `"${c}"`).join(", ")}.`
        : ` The input has ${this.columns.length} column(s): ${this.columns
            .slice(0, 20)
            .map((c) => `"${c}"`)
            .join(", ")}${this.columns.length > 20 ? ", …" : ""}.`
    const fix =
      this.fix ?? `Rename or alias a column to "${this.feature}", e.g. SELECT <col> AS "${this.feature}".`
    return `The model expects a feature "${this.feature}" but the input has no column with that name (names are compared case-insensitively).${hint} ${fix}`
  }
}

/** Two input columns differ only by case, so a feature cannot be matched to exactly one of them. */
export class AmbiguousColumn extends Schema.TaggedError<AmbiguousColumn>()("AmbiguousColumn", {
  feature: Schema.String,
  columns: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `The feature "${this.feature}" matches ${this.columns.length} input columns that differ only by case: ${this.columns
      .map((c) => `"${c}"`)
      .join(", ")}. Column matching is case-insensitive; rename or drop all but one of them.`
  }
}

/** A column named in the job (column handling, partition column) is not in the input. */
export class UnknownColumn extends Schema.TaggedError<UnknownColumn>()("UnknownColumn", {
  column: Schema.String,
  usedBy: Schema.String,
  closest: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const hint =
      this.closest.length > 0 ? ` Did you mean ${this.closest.map((c) => `"${c}"`).join(" or ")}?` : ""
    return `${this.usedBy} names the column "${this.column}", which is not in the input.${hint}`
  }
}

/** An input column's type cannot feed a feature (e.g. a string column for a DOUBLE feature). */
export class IncompatibleColumnType extends Schema.TaggedError<IncompatibleColumnType>()(
  "IncompatibleColumnType",
  {
    column: Schema.String,
    columnType: Schema.String,
    feature: Schema.String,
    featureType: Schema.String,
    fix: Schema.String
  }
) {
  override get message(): string {
    return `The input column "${this.column}" (${this.columnType}) cannot feed the feature "${this.feature}" (${this.featureType}). ${this.fix}`
  }
}

/** A model output has the same name as an input column, so the output file would hold both. */
export class OutputColumnConflict extends Schema.TaggedError<OutputColumnConflict>()("OutputColumnConflict", {
  output: Schema.String,
  column: Schema.String
}) {
  override get message(): string {
    return `The model output "${this.output}" has the same name as the input column "${this.column}" (compared case-insensitively), and results keep every input column. Rename the input column in the query (SELECT "${this.column}" AS "${this.column}_INPUT", …) or leave it out.`
  }
}
