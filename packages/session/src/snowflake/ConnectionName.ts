/**
 * Which connection to use, first found: the `connection` option (`--connection`), then
 * `SNOWFLAKE_DEFAULT_CONNECTION_NAME`, then config.toml's `default_connection_name`, then `default`.
 */
import { type Environment, variable } from "./Environment.ts"

export interface ChosenName {
  readonly name: string
  /** What chose it, for messages: `--connection`, `SNOWFLAKE_DEFAULT_CONNECTION_NAME`, … */
  readonly chosenBy: string
  /** False when nothing named a connection and the name is the fallback `default`. */
  readonly named: boolean
}

export const DEFAULT_NAME_VARIABLE = "SNOWFLAKE_DEFAULT_CONNECTION_NAME"

export const chooseConnectionName = (
  connection: string | undefined,
  env: Environment,
  configDefault: { readonly name: string | undefined; readonly file: string }
): ChosenName => {
  if (connection !== undefined && connection !== "")
    return { name: connection, chosenBy: "--connection", named: true }
  const fromEnv = variable(env, DEFAULT_NAME_VARIABLE)
  if (fromEnv !== undefined) return { name: fromEnv, chosenBy: DEFAULT_NAME_VARIABLE, named: true }
  if (configDefault.name !== undefined)
    return {
      name: configDefault.name,
      chosenBy: `default_connection_name in ${configDefault.file}`,
      named: true
    }
  return { name: "default", chosenBy: "no connection was named, so the one called default", named: false }
}
