/**
 * A Snowflake account as the services this version runs there: SQL and tables, stages, the model
 * registry — over one logged-in SnowflakeSession. The connection is resolved as Snowflake's own tools resolve it (`resolveConnection`: connections.toml,
 * config.toml, `SNOWFLAKE_*` variables, the SPCS session token), with the caller's values (flags) on
 * top; it is resolved and logged in when the layer is built, so a session or a command that never runs
 * SQL never reads the files nor loads snowflake-sdk.
 */

import { ModelRegistry } from "@runbatch/registry-client"
import {
  type ConnectionKeys,
  type ResolveConnectionError,
  type ResolveConnectionOptions,
  resolveConnection,
  type SnowflakeConnection,
  SnowflakeSession,
  type SnowflakeSqlError,
  SnowflakeStages,
  Sql
} from "@runbatch/session"
import type { StageStore } from "@runbatch/stage-io"
import { Effect, Layer } from "effect"

export interface SnowflakeOptions {
  /**
   * The connection's name in connections.toml / config.toml (`--connection`); default
   * `SNOWFLAKE_DEFAULT_CONNECTION_NAME`, then config.toml's `default_connection_name`, then `default`.
   * Or a connection already resolved (`resolveConnectionPromise`).
   */
  readonly connection?: string | SnowflakeConnection
  /** Values that win over the connection's files and variables (as the CLI's flags do). */
  readonly warehouse?: string
  readonly database?: string
  readonly schema?: string
  readonly role?: string
  /** How long a login may take before it fails with SnowflakeConnectFailed; default 60 s. */
  readonly loginTimeoutMillis?: number
  /** Statements running longer are cancelled (StatementTimedOut); default: the account's own limit. */
  readonly statementTimeoutSeconds?: number
  /** The folder of connections.toml and config.toml; default `SNOWFLAKE_HOME`, then `~/.snowflake`. */
  readonly snowflakeHome?: string
  /** The environment to read the `SNOWFLAKE_*` variables from; default `process.env`. */
  readonly env?: ResolveConnectionOptions["env"]
}

export type SnowflakeAccountError = ResolveConnectionError | SnowflakeSqlError

/** The connection `options` name (or hold), with their values and timeouts on top. */
export const snowflakeConnection = (
  options: SnowflakeOptions
): Effect.Effect<SnowflakeConnection, ResolveConnectionError> => {
  const { connection } = options
  const timeouts = {
    ...(options.loginTimeoutMillis === undefined ? {} : { loginTimeoutMillis: options.loginTimeoutMillis }),
    ...(options.statementTimeoutSeconds === undefined
      ? {}
      : { statementTimeoutSeconds: options.statementTimeoutSeconds })
  }
  const withTimeouts = (resolved: SnowflakeConnection): SnowflakeConnection => ({
    ...resolved,
    options: { ...resolved.options, ...timeouts }
  })
  if (connection !== undefined && typeof connection !== "string")
    return Effect.succeed(withTimeouts(connection))
  const overrides: Partial<Record<keyof ConnectionKeys, string>> = {}
  for (const key of ["warehouse", "database", "schema", "role"] as const) {
    const value = options[key]
    if (value !== undefined && value !== "") overrides[key] = value
  }
  return Effect.map(
    resolveConnection({
      ...(connection === undefined ? {} : { connection }),
      overrides,
      ...(options.snowflakeHome === undefined ? {} : { snowflakeHome: options.snowflakeHome }),
      ...(options.env === undefined ? {} : { env: options.env })
    }),
    withTimeouts
  )
}

/** The label of the connection `options` name, for messages before it is resolved. */
export const connectionName = (options: SnowflakeOptions): string =>
  typeof options.connection === "string"
    ? options.connection
    : options.connection === undefined
      ? "(default)"
      : options.connection.origin.kind === "named"
        ? options.connection.origin.name
        : "SPCS session"

/** The session of the Snowflake account `options` name: resolved and logged in when built. */
const layerSession = (options: SnowflakeOptions) =>
  Layer.unwrap(Effect.map(snowflakeConnection(options), SnowflakeSession.layer))

/** SQL on the Snowflake account `options` name. */
export const layerSnowflakeSql = (options: SnowflakeOptions = {}): Layer.Layer<Sql, SnowflakeAccountError> =>
  Sql.layerSnowflakeSession.pipe(Layer.provide(layerSession(options)))

/** The account's data on Snowflake — SQL, stages, the model registry — over one login. */
export const layerSnowflakeData = (
  options: SnowflakeOptions = {}
): Layer.Layer<Sql | StageStore | ModelRegistry, SnowflakeAccountError> =>
  Layer.mergeAll(Sql.layerSnowflakeSession, SnowflakeStages.layer, ModelRegistry.layerSnowflake()).pipe(
    Layer.provide(layerSession(options))
  )
