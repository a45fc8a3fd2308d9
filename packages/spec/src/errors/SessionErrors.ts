import { Schema } from "effect"

const shorten = (text: string, max = 300): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** A SQL statement failed in the session's engine (DuckDB locally, Snowflake later). */
export class SqlError extends Schema.TaggedError<SqlError>()("SqlError", {
  statement: Schema.String,
  reason: Schema.String,
  /**
   * The database refused the statement itself — a syntax error, an unknown table, column or function —
   * so the statement (usually the caller's query) needs fixing; otherwise the statement failed running.
   */
  refused: Schema.optionalKey(Schema.Boolean)
}) {
  override get message(): string {
    return `SQL failed: ${this.reason}\n  in: ${shorten(this.statement.replace(/\s+/g, " ").trim())}`
  }
}

/** A table named by the job or a command does not exist. */
export class TableNotFound extends Schema.TaggedError<TableNotFound>()("TableNotFound", {
  table: Schema.String,
  closest: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const hint = this.closest.length > 0 ? ` Did you mean ${this.closest.join(" or ")}?` : ""
    return `The table ${this.table} does not exist.${hint} Create it with \`runbatch table create\` or check the database and schema.`
  }
}

/**
 * Names that differ only by case, which the embedded account cannot keep apart: DuckDB treats even
 * quoted identifiers case-insensitively and would silently rename one (`a`, `A` → `a`, `A_1`).
 */
export class CaseCollision extends Schema.TaggedError<CaseCollision>()("CaseCollision", {
  what: Schema.String,
  names: Schema.Array(Schema.String),
  source: Schema.String
}) {
  override get message(): string {
    return `${this.source} has ${this.what} names that differ only by case: ${this.names
      .map((n) => `"${n}"`)
      .join(", ")}. The embedded local account cannot keep them apart (Snowflake can); rename all but one.`
  }
}

/** A database file stayed locked by another process (a running job, another CLI) for too long. */
export class DatabaseBusy extends Schema.TaggedError<DatabaseBusy>()("DatabaseBusy", {
  database: Schema.String,
  waitedMillis: Schema.Number
}) {
  override get message(): string {
    return `The database ${this.database} stayed locked by another process for ${Math.round(this.waitedMillis / 1000)} s. Another runbatch command or job is writing to it; wait for it to finish and try again.`
  }
}

/** A file on the local machine (given to `stage put`, `table create`, `model log`) cannot be used. */
export class LocalFileError extends Schema.TaggedError<LocalFileError>()("LocalFileError", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `The local file ${this.path} cannot be used: ${this.reason}`
  }
}

/** `createTable` in mode `error` found the table already there. */
export class TableExists extends Schema.TaggedError<TableExists>()("TableExists", {
  table: Schema.String
}) {
  override get message(): string {
    return `The table ${this.table} already exists. Pass mode "replace" (--replace) to replace it, or choose another name.`
  }
}
