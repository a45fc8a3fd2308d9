/**
 * `resolveConnection`: the Snowflake connection to open, found as Snowflake's own tools find it, as
 * explicit options for snowflake-sdk's `createConnection`. The driver reads connections.toml only when
 * given no options at all, only its top-level `[NAME]` tables, and ignores config.toml,
 * `default_connection_name` and `SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>` (snowflake-sdk 3.4.1), so runbatch
 * reads them itself.
 *
 * - The name: `connection` (`--connection`), `SNOWFLAKE_DEFAULT_CONNECTION_NAME`, config.toml's
 *   `default_connection_name`, then `default`.
 * - Each value, highest first: `overrides` (the command's flags), `SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>`,
 *   the connection's table, `SNOWFLAKE_<KEY>` — for the keys of `ConnectionKeys` only.
 * - Inside SPCS (the session token file exists), when nothing named a connection and the overrides
 *   carry no credentials: OAuth with the session token, to `SNOWFLAKE_HOST` / `SNOWFLAKE_ACCOUNT`.
 * - Plain http only to a loopback host.
 */
import { homedir } from "node:os"
import { join } from "node:path"
import {
  type ConnectionFileInvalid,
  type ConnectionFileUnsafe,
  ConnectionNotFound,
  type InsecureTransport,
  InvalidConnection,
  type LocalFileError
} from "@runbatch/spec"
import { Effect, Redacted } from "effect"
import { type ConnectionFiles, readConnectionFiles } from "./ConnectionFiles.ts"
import {
  CONNECTION_KEYS,
  type ConnectionKey,
  type ConnectionKeys,
  CREDENTIAL_KEYS,
  connectionVariable,
  DRIVER_OPTION,
  globalVariable,
  isConnectionKey,
  SECRET_KEYS
} from "./ConnectionKeys.ts"
import { chooseConnectionName } from "./ConnectionName.ts"
import { type ConnectionValues, resolveValues, type ValueLayer } from "./ConnectionValues.ts"
import { checkTransport } from "./Endpoint.ts"
import { type Environment, variable } from "./Environment.ts"
import type { SnowflakeConnection, SnowflakeConnectionOptions } from "./SnowflakeConnection.ts"
import { DEFAULT_SPCS_TOKEN_FILE, readSpcsToken, spcsTokenPresent } from "./SpcsSessionToken.ts"

export interface ResolveConnectionOptions {
  /** The connection's name (`--connection`); see the module's comment for the fallbacks. */
  readonly connection?: string
  /** Values that win over every file and variable: the command's flags. */
  readonly overrides?: Partial<ConnectionKeys>
  /** The environment to read; default `process.env`. */
  readonly env?: Environment
  /** The folder of connections.toml and config.toml; default `SNOWFLAKE_HOME`, then `~/.snowflake`. */
  readonly snowflakeHome?: string
  /** Where SPCS mounts the session token; default `/snowflake/session/token`. */
  readonly spcsTokenFile?: string
}

export type ResolveConnectionError =
  | ConnectionFileUnsafe
  | ConnectionFileInvalid
  | LocalFileError
  | ConnectionNotFound
  | InvalidConnection
  | InsecureTransport

const SPCS_LABEL = "SPCS session"

const overridesLayer = (
  overrides: Partial<ConnectionKeys>,
  keys: ReadonlySet<ConnectionKey>
): ValueLayer => ({
  value: (key) => (keys.has(key) ? overrides[key] : undefined),
  source: () => "overrides"
})

const variablesLayer = (
  env: Environment,
  name: (key: ConnectionKey) => string,
  keys: ReadonlySet<ConnectionKey>
): ValueLayer => ({
  value: (key) => (keys.has(key) ? variable(env, name(key)) : undefined),
  source: name
})

const ALL_KEYS: ReadonlySet<ConnectionKey> = new Set(CONNECTION_KEYS)
const NON_CREDENTIAL_KEYS: ReadonlySet<ConnectionKey> = new Set(
  CONNECTION_KEYS.filter((key) => !CREDENTIAL_KEYS.has(key))
)

/** `~` and `~/…` as the home folder, as Snowflake's tools expand SNOWFLAKE_HOME. */
const expandHome = (path: string): string =>
  path === "~" ? homedir() : path.startsWith("~/") ? join(homedir(), path.slice(2)) : path

/**
 * The driver's options for checked values: driver option names, secrets wrapped. An authenticator
 * name is upper-cased as the driver compares it; a private key with no authenticator means key-pair
 * auth (the driver would otherwise try a password).
 */
const driverOptionsOf = (values: ConnectionValues): SnowflakeConnectionOptions => {
  const options: Record<string, unknown> = {}
  for (const key of CONNECTION_KEYS) {
    const value = values[key]
    if (value === undefined) continue
    options[DRIVER_OPTION[key]] = SECRET_KEYS.has(key) ? Redacted.make(String(value)) : value
  }
  const authenticator = values.authenticator
  if (authenticator !== undefined && /^[a-z_]+$/i.test(authenticator))
    options["authenticator"] = authenticator.toUpperCase()
  if (authenticator === undefined && values.private_key_file !== undefined)
    options["authenticator"] = "SNOWFLAKE_JWT"
  return options as SnowflakeConnectionOptions
}

/** Fails unless the values say which account (or host) to connect to. */
const requireAccount = (
  connection: string,
  values: ConnectionValues,
  source: string,
  fix: string
): Effect.Effect<void, InvalidConnection> =>
  values.account !== undefined || values.host !== undefined
    ? Effect.void
    : Effect.fail(new InvalidConnection({ connection, key: "account", source, reason: `is not set. ${fix}` }))

const namedConnection = (
  name: string,
  chosenBy: string,
  options: ResolveConnectionOptions,
  env: Environment,
  files: ConnectionFiles
): Effect.Effect<SnowflakeConnection, ConnectionNotFound | InvalidConnection | InsecureTransport> =>
  Effect.gen(function* () {
    const defined = files.connections.get(name)
    const setByVariables = CONNECTION_KEYS.some(
      (key) => variable(env, connectionVariable(name, key)) !== undefined
    )
    if (defined === undefined && !setByVariables)
      return yield* new ConnectionNotFound({
        name,
        chosenBy,
        known: [...files.connections.keys()].sort(),
        searched: [
          files.connectionsFile,
          files.configFile,
          `the ${connectionVariable(name, "account").replace(/ACCOUNT$/, "<KEY>")} variables`
        ]
      })
    const table = defined?.values ?? {}
    const values = yield* resolveValues(name, [
      overridesLayer(options.overrides ?? {}, ALL_KEYS),
      variablesLayer(env, (key) => connectionVariable(name, key), ALL_KEYS),
      { value: (key) => table[key], source: () => `[${name}] in ${defined?.file ?? "(no file)"}` },
      variablesLayer(env, globalVariable, ALL_KEYS)
    ])
    yield* requireAccount(
      name,
      values,
      defined === undefined ? "the environment" : `[${name}] in ${defined.file}`,
      `Add account = "myorg-myaccount" to the connection's table, or set ${connectionVariable(name, "account")} or SNOWFLAKE_ACCOUNT.`
    )
    yield* checkTransport(name, values)
    const connection: SnowflakeConnection = {
      origin: { kind: "named", name, files: files.read },
      options: driverOptionsOf(values),
      ignoredKeys: Object.keys(table).filter((key) => !isConnectionKey(key))
    }
    return connection
  })

/**
 * The container's own login: OAuth with the session token. Credentials from the environment are not
 * taken (a user other than the token's fails the login); where to connect and the session's context
 * come from the overrides and `SNOWFLAKE_*`, as SPCS injects them.
 */
const spcsConnection = (
  tokenFile: string,
  options: ResolveConnectionOptions,
  env: Environment
): Effect.Effect<SnowflakeConnection, InvalidConnection | InsecureTransport | LocalFileError> =>
  Effect.gen(function* () {
    const values = yield* resolveValues(SPCS_LABEL, [
      overridesLayer(options.overrides ?? {}, NON_CREDENTIAL_KEYS),
      variablesLayer(env, globalVariable, NON_CREDENTIAL_KEYS)
    ])
    yield* requireAccount(
      SPCS_LABEL,
      values,
      "the environment",
      "SPCS sets SNOWFLAKE_ACCOUNT and SNOWFLAKE_HOST in service containers; outside one, name a connection."
    )
    yield* checkTransport(SPCS_LABEL, values)
    const token = yield* readSpcsToken(tokenFile)
    const connection: SnowflakeConnection = {
      origin: { kind: "spcs", tokenFile },
      options: { ...driverOptionsOf(values), authenticator: "OAUTH", token },
      ignoredKeys: []
    }
    return connection
  })

export const resolveConnection = (
  options: ResolveConnectionOptions = {}
): Effect.Effect<SnowflakeConnection, ResolveConnectionError> =>
  Effect.gen(function* () {
    const env = options.env ?? process.env
    const home = expandHome(
      options.snowflakeHome ?? variable(env, "SNOWFLAKE_HOME") ?? join(homedir(), ".snowflake")
    )
    const files = yield* readConnectionFiles(home)
    const chosen = chooseConnectionName(options.connection, env, {
      name: files.defaultName,
      file: files.configFile
    })
    const overrides = options.overrides ?? {}
    const explicitCredentials = [...CREDENTIAL_KEYS].some(
      (key) => overrides[key] !== undefined && overrides[key] !== ""
    )
    const tokenFile = options.spcsTokenFile ?? DEFAULT_SPCS_TOKEN_FILE
    if (!chosen.named && !explicitCredentials && (yield* spcsTokenPresent(tokenFile)))
      return yield* spcsConnection(tokenFile, options, env)
    return yield* namedConnection(chosen.name, chosen.chosenBy, options, env, files)
  })

/** The Promise face: rejects with the same typed errors (`err._tag`, `instanceof ConnectionNotFound`). */
export const resolveConnectionPromise = (
  options: ResolveConnectionOptions = {}
): Promise<SnowflakeConnection> => Effect.runPromise(resolveConnection(options))
