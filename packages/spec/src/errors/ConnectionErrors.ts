/**
 * Failures of finding and checking a Snowflake connection (connections.toml, config.toml, SNOWFLAKE_*
 * variables, the SPCS session token). None of them carries a secret: the fields hold file paths, key
 * names, variable names and the connection's name, never a password, token or passphrase.
 */
import { Schema } from "effect"

/** `path` as one word of a POSIX shell command, quoted only when it has to be. */
const shellWord = (path: string): string =>
  /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`

/**
 * A connections.toml or config.toml that a user other than its owner could change: another user could
 * point runbatch at their own server and collect the password, so runbatch refuses to read it.
 */
export class ConnectionFileUnsafe extends Schema.TaggedError<ConnectionFileUnsafe>()("ConnectionFileUnsafe", {
  file: Schema.String,
  /** The file's permission bits in octal (`0664`). */
  mode: Schema.String,
  /** Who else may write it: `group`, `others` or `group and others`. */
  writableBy: Schema.String
}) {
  override get message(): string {
    return `The Snowflake connections file ${this.file} is writable by ${this.writableBy} (mode ${this.mode}), so another user could change where your credentials go; runbatch does not read it. Fix: chmod 600 ${shellWord(this.file)}`
  }
}

/** A connections.toml or config.toml that is not valid TOML, or whose layout is not a connections file's. */
export class ConnectionFileInvalid extends Schema.TaggedError<ConnectionFileInvalid>()(
  "ConnectionFileInvalid",
  {
    file: Schema.String,
    reason: Schema.String,
    /** Where the TOML syntax error is (1-based); absent when the file parses but its layout is wrong. */
    line: Schema.optionalKey(Schema.Number),
    column: Schema.optionalKey(Schema.Number)
  }
) {
  override get message(): string {
    return this.line === undefined
      ? `The Snowflake connections file ${this.file} cannot be used: ${this.reason}`
      : `The Snowflake connections file ${this.file} is not valid TOML: ${this.reason} at line ${this.line}, column ${this.column ?? 1}. Fix the file (TOML 1.0, https://toml.io).`
  }
}

/** No connection of the chosen name is defined in SNOWFLAKE_HOME's files or the environment. */
export class ConnectionNotFound extends Schema.TaggedError<ConnectionNotFound>()("ConnectionNotFound", {
  name: Schema.String,
  /** What chose the name: `--connection`, `SNOWFLAKE_DEFAULT_CONNECTION_NAME`, a file's `default_connection_name`, or the default. */
  chosenBy: Schema.String,
  /** The connections that are defined, by name. */
  known: Schema.Array(Schema.String),
  /** Where runbatch looked: the files and the variables. */
  searched: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const known =
      this.known.length === 0
        ? "No connection is defined"
        : `The connections defined are: ${this.known.map((n) => `"${n}"`).join(", ")}`
    return `There is no Snowflake connection named "${this.name}" (${this.chosenBy}). ${known}; runbatch looked in ${this.searched.join(", ")}. Add a [${this.name}] table to connections.toml, or choose a connection that exists with --connection NAME.`
  }
}

/** A value of a connection that the driver cannot use: a port that is not a number, an unknown protocol, a missing account. */
export class InvalidConnection extends Schema.TaggedError<InvalidConnection>()("InvalidConnection", {
  connection: Schema.String,
  /** The connection key, as connections.toml spells it (`port`, `account`). */
  key: Schema.String,
  /** Where the value came from: a file, a variable's name, or the command line. */
  source: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `The Snowflake connection "${this.connection}" cannot be used: ${this.key} (from ${this.source}) ${this.reason}`
  }
}

/** A connection asks for plain http to a host other than this machine: credentials would cross the network unencrypted. */
export class InsecureTransport extends Schema.TaggedError<InsecureTransport>()("InsecureTransport", {
  connection: Schema.String,
  host: Schema.String
}) {
  override get message(): string {
    return `The Snowflake connection "${this.connection}" asks for plain http to ${this.host}; runbatch sends credentials over plain http only to this machine (127.0.0.0/8, ::1, localhost). Remove protocol = "http" (https is the default), or point host at a loopback address.`
  }
}

/**
 * Something asked of a Snowflake session that this version of runbatch runs only on the local account:
 * jobs come to Snowflake in a later version; SQL, tables, stages, results and the registry work there now.
 */
export class NotOnSnowflakeYet extends Schema.TaggedError<NotOnSnowflakeYet>()("NotOnSnowflakeYet", {
  /** What was asked: `stages`, `runbatch stage ls`. */
  feature: Schema.String,
  /** The connection the session is on. */
  connection: Schema.String
}) {
  override get message(): string {
    return `${this.feature} is not available on Snowflake yet (connection "${this.connection}"): this version of runbatch runs SQL, tables, stages, results and the model registry on Snowflake, and jobs only on the embedded local account. Use the local account for it: Session.local(), or the command without --connection.`
  }
}

/**
 * A statement needs a warehouse and the session has none. It names the connection, never the statement
 * (a statement can hold a secret's literal).
 */
export class NoActiveWarehouse extends Schema.TaggedError<NoActiveWarehouse>()("NoActiveWarehouse", {
  connection: Schema.String
}) {
  override get message(): string {
    return `The Snowflake connection "${this.connection}" has no active warehouse, and the statement needs one. Set one: warehouse = "…" in the connection's table of connections.toml, the SNOWFLAKE_WAREHOUSE variable, or --warehouse NAME.`
  }
}

/**
 * Logging in to Snowflake failed: a wrong password or key, an unknown account or host, no answer. It
 * names the connection and describes it (who connects where, and how), never with what.
 */
export class SnowflakeConnectFailed extends Schema.TaggedError<SnowflakeConnectFailed>()(
  "SnowflakeConnectFailed",
  {
    connection: Schema.String,
    /** `alice@myorg-myacct via myorg-myacct.snowflakecomputing.com (password auth)`. */
    description: Schema.String,
    reason: Schema.String,
    /** Snowflake's error code, when it gave one (`390100`: incorrect username or password). */
    code: Schema.optionalKey(Schema.String)
  }
) {
  override get message(): string {
    return `Could not connect to Snowflake with the connection "${this.connection}" (${this.description}): ${this.reason}${
      this.code === undefined ? "" : ` (code ${this.code})`
    }. Check the connection's account, host, user and credentials.`
  }
}

/** A Snowflake session was asked for and the optional peer dependency snowflake-sdk is not installed. */
export class SnowflakeDriverMissing extends Schema.TaggedError<SnowflakeDriverMissing>()(
  "SnowflakeDriverMissing",
  { reason: Schema.String }
) {
  override get message(): string {
    return `runbatch talks to Snowflake through snowflake-sdk, which is not installed (${this.reason}). Install it beside runbatch: npm install snowflake-sdk`
  }
}
