/**
 * One logged-in Snowflake session as a service, shared by everything a runbatch program does on the
 * account: its Sql, its stages, its model registry — one login, one set of session parameters. Built
 * from a connection: log in (ended when the layer is released), set the output formats runbatch parses
 * and a query tag naming runbatch and its version, make the connection's database and schema current.
 */

import { createRequire } from "node:module"
import {
  Identifier,
  type InsecureTransport,
  type InvalidIdentifier,
  type SnowflakeConnectFailed,
  type SnowflakeDriverMissing,
  type SnowflakeStatementError,
  type SqlError
} from "@runbatch/spec"
import { Context, Effect, Layer } from "effect"
import { OUTPUT_FORMATS } from "../SnowflakeColumns.ts"
import { checkTransport } from "./Endpoint.ts"
import { connectClient, type SnowflakeClient } from "./SnowflakeClient.ts"
import {
  connectionLabel,
  type SnowflakeConnection,
  type SnowflakeConnectionOptions
} from "./SnowflakeConnection.ts"
import { snowflakeString } from "./SnowflakeString.ts"

const packageVersion = (createRequire(import.meta.url)("../../package.json") as { version: string }).version

/** `runbatch/0.1.0`: every statement of a runbatch session carries it (QUERY_HISTORY's QUERY_TAG). */
export const QUERY_TAG = `runbatch/${packageVersion}`

export interface SnowflakeSessionShape {
  readonly client: SnowflakeClient
  readonly connection: SnowflakeConnection
  /** Where unqualified names resolve: the session's current database and schema after login. */
  readonly context: { readonly database: string; readonly schema: string }
}

/** Connection options given directly (not resolved from connections.toml); `name` labels messages. */
export type SnowflakeSqlOptions = SnowflakeConnectionOptions & { readonly name?: string }

/** What opening a Snowflake session can fail with. */
export type SnowflakeSessionError =
  | SnowflakeConnectFailed
  | SnowflakeDriverMissing
  | InsecureTransport
  | SqlError
  | SnowflakeStatementError
  | InvalidIdentifier

/** A connection given as options is labelled by `name`. */
export const asConnection = (connection: SnowflakeConnection | SnowflakeSqlOptions): SnowflakeConnection => {
  if ("origin" in connection && "options" in connection) return connection as SnowflakeConnection
  const { name, ...options } = connection as SnowflakeSqlOptions
  return { origin: { kind: "named", name: name ?? "(given options)", files: [] }, options, ignoredKeys: [] }
}

/** The names Snowflake stores: `ml` is `ML`, `"Ml"` stays `Ml`. */
const resolveName = (text: string | undefined) =>
  text === undefined ? Effect.succeed(undefined) : Identifier.resolve(text)

export class SnowflakeSession extends Context.Service<SnowflakeSession, SnowflakeSessionShape>()(
  "@runbatch/session/SnowflakeSession"
) {
  /**
   * Log in with `connection` when the layer is built, and out when it is released. snowflake-sdk is
   * imported then, not before (SnowflakeDriverMissing without it); plain http only to this machine.
   */
  static readonly layer = (
    connection: SnowflakeConnection | SnowflakeSqlOptions
  ): Layer.Layer<SnowflakeSession, SnowflakeSessionError> =>
    Layer.effect(
      SnowflakeSession,
      Effect.gen(function* () {
        const resolved = asConnection(connection)
        yield* checkTransport(connectionLabel(resolved), resolved.options)
        const client = yield* connectClient(resolved)
        const parameters = { ...OUTPUT_FORMATS, QUERY_TAG }
        yield* client.run(
          `ALTER SESSION SET ${Object.entries(parameters)
            .map(([name, value]) => `${name} = ${snowflakeString(value)}`)
            .join(" ")}`
        )
        const database = yield* resolveName(resolved.options.database)
        const schema = yield* resolveName(resolved.options.schema)
        if (database !== undefined) yield* client.run(`USE DATABASE ${Identifier.quote(database)}`)
        if (schema !== undefined)
          yield* client.run(
            `USE SCHEMA ${database === undefined ? "" : `${Identifier.quote(database)}.`}${Identifier.quote(schema)}`
          )
        const current = yield* client.run("SELECT CURRENT_DATABASE() AS D, CURRENT_SCHEMA() AS S")
        const [currentDatabase, currentSchema] = current.rows[0] ?? []
        return {
          client,
          connection: resolved,
          context: {
            database: currentDatabase ?? database ?? "",
            schema: currentSchema ?? schema ?? ""
          }
        }
      })
    )
}
