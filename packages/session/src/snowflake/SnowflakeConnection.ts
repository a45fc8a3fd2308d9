/**
 * A resolved Snowflake connection: snowflake-sdk's options with every secret held as a `Redacted`
 * (printed, JSON-encoded or inspected, a secret shows as `<redacted>`), where the connection came from,
 * and a description for messages and logs that names who connects where and how, never with what.
 * `toDriverOptions` reveals the secrets for `createConnection` and nothing else.
 */
import { Redacted } from "effect"
import { endpointHost } from "./Endpoint.ts"

export interface SnowflakeConnectionOptions {
  readonly account?: string
  readonly username?: string
  readonly password?: Redacted.Redacted<string>
  readonly authenticator?: string
  readonly privateKeyPath?: string
  readonly privateKeyPass?: Redacted.Redacted<string>
  readonly token?: Redacted.Redacted<string>
  readonly tokenFilePath?: string
  readonly host?: string
  readonly port?: number
  readonly protocol?: "http" | "https"
  readonly warehouse?: string
  readonly database?: string
  readonly schema?: string
  readonly role?: string
  /** How long a login may take before it fails with SnowflakeConnectFailed; default 60 s. */
  readonly loginTimeoutMillis?: number
  /**
   * A statement running longer is cancelled (StatementTimedOut): the session's
   * STATEMENT_TIMEOUT_IN_SECONDS, enforced by runbatch too. Absent: Snowflake's (2 days by default).
   */
  readonly statementTimeoutSeconds?: number
}

export type ConnectionOrigin =
  /** A connection of connections.toml or config.toml (or of `SNOWFLAKE_CONNECTIONS_<NAME>_*` variables). */
  | { readonly kind: "named"; readonly name: string; readonly files: ReadonlyArray<string> }
  /** The session token Snowpark Container Services mounts in a service's container. */
  | { readonly kind: "spcs"; readonly tokenFile: string }

export interface SnowflakeConnection {
  readonly origin: ConnectionOrigin
  readonly options: SnowflakeConnectionOptions
  /** Keys of the connection's table that runbatch does not read: a typo (`warehose`), or another tool's setting. */
  readonly ignoredKeys: ReadonlyArray<string>
}

/** snowflake-sdk's `createConnection` options, secrets revealed: hand straight to the driver, never log. */
export type DriverConnectionOptions = {
  readonly [K in keyof SnowflakeConnectionOptions]?: SnowflakeConnectionOptions[K] extends
    | Redacted.Redacted<string>
    | undefined
    ? string
    : SnowflakeConnectionOptions[K]
}

export const toDriverOptions = (connection: SnowflakeConnection): DriverConnectionOptions =>
  Object.fromEntries(
    Object.entries(connection.options).map(([key, value]) => [
      key,
      Redacted.isRedacted(value) ? Redacted.value(value) : value
    ])
  ) as DriverConnectionOptions

/** The connection's name in messages: its name, or `SPCS session`. */
export const connectionLabel = (connection: SnowflakeConnection): string =>
  connection.origin.kind === "named" ? connection.origin.name : "SPCS session"

const AUTHENTICATION: Readonly<Record<string, string>> = {
  SNOWFLAKE: "password auth",
  SNOWFLAKE_JWT: "key-pair auth",
  OAUTH: "OAuth token",
  PROGRAMMATIC_ACCESS_TOKEN: "programmatic access token",
  EXTERNALBROWSER: "browser sign-in",
  USERNAME_PASSWORD_MFA: "password and MFA auth",
  OAUTH_AUTHORIZATION_CODE: "OAuth authorization code",
  OAUTH_CLIENT_CREDENTIALS: "OAuth client credentials",
  WORKLOAD_IDENTITY: "workload identity"
}

const authenticationOf = (connection: SnowflakeConnection): string => {
  if (connection.origin.kind === "spcs") return "SPCS session token"
  const authenticator = connection.options.authenticator?.toUpperCase() ?? "SNOWFLAKE"
  return AUTHENTICATION[authenticator] ?? `${connection.options.authenticator} auth`
}

/** `alice@myorg-myacct via myorg-myacct.snowflakecomputing.com (password auth)`: no secret, ever. */
export const describeConnection = (connection: SnowflakeConnection): string => {
  const { username, account, protocol, port } = connection.options
  const host = endpointHost(connection.options) ?? "(no host)"
  const who = username === undefined ? (account ?? host) : `${username}@${account ?? host}`
  const where = `${protocol === "http" ? "http://" : ""}${host}${port === undefined ? "" : `:${port}`}`
  return `${who} via ${where} (${authenticationOf(connection)})`
}
