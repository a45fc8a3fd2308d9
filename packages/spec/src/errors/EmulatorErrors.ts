import { Schema } from "effect"

const shorten = (text: string, max = 200): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** The Snowflake-protocol emulator could not start: its port is taken, its host unusable, its home unwritable. */
export class EmulatorStartFailed extends Schema.TaggedError<EmulatorStartFailed>()("EmulatorStartFailed", {
  host: Schema.String,
  port: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return `The emulator could not listen on ${this.host}:${this.port}: ${this.reason}. Choose another port (--port 0 picks a free one) or stop what holds it.`
  }
}

/** A request to the emulator was refused before any SQL ran: too large, not JSON, or not what the endpoint takes. */
export class EmulatorBadRequest extends Schema.TaggedError<EmulatorBadRequest>()("EmulatorBadRequest", {
  endpoint: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `The emulator refused a request to ${this.endpoint}: ${this.reason}`
  }
}

/** A statement the emulator recognises but neither runs itself nor passes to DuckDB. */
export class UnsupportedStatement extends Schema.TaggedError<UnsupportedStatement>()("UnsupportedStatement", {
  statement: Schema.String,
  kind: Schema.String,
  hint: Schema.optionalKey(Schema.String)
}) {
  override get message(): string {
    return `not supported by the emulator: ${this.kind}${this.hint === undefined ? "" : `. ${this.hint}`} (in: ${shorten(this.statement)})`
  }
}

/**
 * The emulator refused a statement with a Snowflake error code: a bad bind, a PUT or GET it will not
 * do, a missing stage or file. `code` and `sqlState` are what the client receives.
 */
export class EmulatorSqlError extends Schema.TaggedError<EmulatorSqlError>()("EmulatorSqlError", {
  statement: Schema.String,
  code: Schema.String,
  sqlState: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.reason} (in: ${shorten(this.statement)})`
  }
}
