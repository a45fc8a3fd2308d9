/**
 * The connection keys runbatch reads, as connections.toml spells them, and the snowflake-sdk option each
 * becomes. Only these keys are read from files, `SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>` and
 * `SNOWFLAKE_<KEY>`: other `SNOWFLAKE_*` variables (the driver's own switches, the SPCS job index) are
 * never taken for connection values.
 */

/**
 * Option names follow snowflake-sdk 3.4.1's `normalizeConnectionOptions` (`user` → `username`,
 * `private_key_file` → `privateKeyPath`, snake_case → camelCase). `private_key_file_pwd` is the Python
 * connector's and the Snowflake CLI's name for the key's passphrase; the Node driver's option for it is
 * `privateKeyPass`, which its normalisation would not reach (`privateKeyFilePwd`), so it is mapped here.
 */
export const DRIVER_OPTION = {
  account: "account",
  user: "username",
  password: "password",
  authenticator: "authenticator",
  private_key_file: "privateKeyPath",
  private_key_file_pwd: "privateKeyPass",
  token: "token",
  token_file_path: "tokenFilePath",
  host: "host",
  port: "port",
  protocol: "protocol",
  warehouse: "warehouse",
  database: "database",
  schema: "schema",
  role: "role"
} as const

export type ConnectionKey = keyof typeof DRIVER_OPTION

export const CONNECTION_KEYS = Object.keys(DRIVER_OPTION) as ReadonlyArray<ConnectionKey>

/** A connection's values by key; `port` may be a number (TOML) or its digits (a flag, a variable). */
export type ConnectionKeys = { readonly [K in ConnectionKey]: K extends "port" ? number | string : string }

/** Keys whose values are secrets: never logged, never in an error or a description. */
export const SECRET_KEYS: ReadonlySet<ConnectionKey> = new Set(["password", "token", "private_key_file_pwd"])

/**
 * Keys that say who logs in and how. Any of them given explicitly means the caller chose credentials,
 * so the SPCS session token is not used; and inside SPCS none of them is taken from the environment
 * (a user that differs from the token's fails the login).
 */
export const CREDENTIAL_KEYS: ReadonlySet<ConnectionKey> = new Set([
  "user",
  "password",
  "authenticator",
  "private_key_file",
  "private_key_file_pwd",
  "token",
  "token_file_path"
])

export const isConnectionKey = (key: string): key is ConnectionKey => Object.hasOwn(DRIVER_OPTION, key)

/** The variable that sets `key` for every connection: `SNOWFLAKE_PRIVATE_KEY_FILE`. */
export const globalVariable = (key: ConnectionKey): string => `SNOWFLAKE_${key.toUpperCase()}`

/** The variable that sets `key` for the connection `name`: `SNOWFLAKE_CONNECTIONS_DEV_WAREHOUSE`. */
export const connectionVariable = (name: string, key: ConnectionKey): string =>
  `SNOWFLAKE_CONNECTIONS_${name.toUpperCase()}_${key.toUpperCase()}`
