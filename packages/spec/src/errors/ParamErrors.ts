import { Schema } from "effect"

/** Params were given but the target method declares none. */
export class ParamsNotAccepted extends Schema.TaggedError<ParamsNotAccepted>()("ParamsNotAccepted", {
  given: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `Parameters were provided (${this.given.map((n) => `'${n}'`).join(", ")}), but this method does not accept any parameters. Remove input_spec.params or log the model with ParamSpecs.`
  }
}

/** Two param names differ only by case (param names are case-insensitive). */
export class DuplicateParams extends Schema.TaggedError<DuplicateParams>()("DuplicateParams", {
  groups: Schema.Array(Schema.Array(Schema.String))
}) {
  override get message(): string {
    return `Duplicate parameter(s) provided with different cases: ${this.groups
      .map((g) => `[${g.map((n) => `'${n}'`).join(", ")}]`)
      .join(", ")}. Parameter names are case-insensitive; keep one of each.`
  }
}

/** A param name is not declared by the target method's signature. */
export class UnknownParams extends Schema.TaggedError<UnknownParams>()("UnknownParams", {
  unknown: Schema.Array(Schema.String),
  valid: Schema.Array(Schema.String),
  suggestions: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const hint = this.suggestions.length > 0 ? ` ${this.suggestions.join(" ")}` : ""
    return `Unknown parameter(s): ${this.unknown.map((n) => `'${n}'`).join(", ")}. Valid parameters are: ${this.valid
      .map((n) => `'${n}'`)
      .join(", ")}.${hint}`
  }
}

/** A param value does not match its declared dtype, shape or group keys. */
export class InvalidParamValue extends Schema.TaggedError<InvalidParamValue>()("InvalidParamValue", {
  param: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `Parameter '${this.param}': ${this.reason}`
  }
}
