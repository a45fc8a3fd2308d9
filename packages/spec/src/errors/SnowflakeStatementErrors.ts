/**
 * Statements Snowflake ran and stopped, or refused to the session's role: a statement timeout and
 * missing privileges. Like NoActiveWarehouse they name the connection; they never repeat a statement's
 * literals beyond the first words (a statement can hold a secret's literal).
 */
import { Schema } from "effect"
import type { NoActiveWarehouse } from "./ConnectionErrors.ts"

const head = (statement: string): string => {
  const flat = statement.replace(/\s+/g, " ").trim()
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat
}

/**
 * A statement ran longer than the session's statement timeout (`statementTimeoutSeconds`, Snowflake's
 * STATEMENT_TIMEOUT_IN_SECONDS) and was cancelled, by Snowflake (code 000630) or by runbatch.
 */
export class StatementTimedOut extends Schema.TaggedError<StatementTimedOut>()("StatementTimedOut", {
  connection: Schema.String,
  statement: Schema.String,
  timeoutSeconds: Schema.Number
}) {
  override get message(): string {
    return `A statement on the Snowflake connection "${this.connection}" ran longer than its timeout of ${this.timeoutSeconds} s and was cancelled: ${head(this.statement)}. Raise the timeout (statementTimeoutSeconds, or Snowflake's STATEMENT_TIMEOUT_IN_SECONDS for the user or warehouse), or use a larger warehouse.`
  }
}

/**
 * The session's role may not do what a statement asks to an object (Snowflake code 003001, SQL state
 * 42501): `object` as Snowflake names it, the privilege when the message says which.
 */
export class InsufficientPrivileges extends Schema.TaggedError<InsufficientPrivileges>()(
  "InsufficientPrivileges",
  {
    connection: Schema.String,
    statement: Schema.String,
    object: Schema.String,
    privilege: Schema.optionalKey(Schema.String),
    role: Schema.optionalKey(Schema.String)
  }
) {
  override get message(): string {
    const role = this.role ?? "<role>"
    const privilege = this.privilege ?? "<privilege>"
    const who = this.role === undefined ? "The session's role" : `The role ${this.role}`
    const needs = this.privilege === undefined ? "" : ` (it needs ${this.privilege})`
    return `${who} on the Snowflake connection "${this.connection}" has insufficient privileges to operate on ${this.object}${needs}: ${head(this.statement)}. Ask its owner to GRANT ${privilege} ON ${this.object} TO ROLE ${role}, or connect with a role that has it (role in connections.toml, or SNOWFLAKE_ROLE).`
  }
}

/** What a statement on a Snowflake session can fail with beyond SqlError (Sql's shape carries them). */
export type SnowflakeStatementError = NoActiveWarehouse | InsufficientPrivileges | StatementTimedOut
