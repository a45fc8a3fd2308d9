/**
 * The environment variables a connection is resolved from, passed explicitly (tests and embedders hand
 * their own; the default is `process.env`).
 */
export type Environment = Readonly<Record<string, string | undefined>>

/** `name`'s value; a variable set to the empty string counts as unset, as in Snowflake's drivers. */
export const variable = (env: Environment, name: string): string | undefined => {
  const value = env[name]
  return value === undefined || value === "" ? undefined : value
}
