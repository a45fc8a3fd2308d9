/**
 * A connection's values from layers of sources, highest first (for a named connection: the overrides,
 * `SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>`, the file's table, `SNOWFLAKE_<KEY>`): each key takes the
 * first layer that sets it, and is then checked (types, port, protocol, host and account shapes). A
 * message names the key and its source, never a secret's value.
 */
import { InvalidConnection } from "@runbatch/spec"
import { Effect } from "effect"
import { CONNECTION_KEYS, type ConnectionKey, SECRET_KEYS } from "./ConnectionKeys.ts"

/** Where values come from, and what a message calls the place a key's value came from. */
export interface ValueLayer {
  readonly value: (key: ConnectionKey) => unknown
  readonly source: (key: ConnectionKey) => string
}

/** Checked values: `port` a number, `protocol` lower case, everything else a non-empty string. */
export type ConnectionValues = {
  readonly [K in ConnectionKey]?: K extends "port" ? number : K extends "protocol" ? "http" | "https" : string
}

/** Each key with the first value set (not undefined, not the empty string) and where it came from. */
export const layered = (
  layers: ReadonlyArray<ValueLayer>
): ReadonlyArray<{ readonly key: ConnectionKey; readonly value: unknown; readonly source: string }> =>
  CONNECTION_KEYS.flatMap((key) => {
    for (const layer of layers) {
      const value = layer.value(key)
      if (value !== undefined && value !== "") return [{ key, value, source: layer.source(key) }]
    }
    return []
  })

/** A description of a value's type that is safe to print (never the value itself). */
const kindOf = (value: unknown): string =>
  Array.isArray(value)
    ? "an array"
    : value instanceof Date
      ? "a date"
      : typeof value === "object"
        ? "a table"
        : `a ${typeof value}`

// The driver's own check of an account (`Util.isCorrectSubdomain`): letters, digits, `_`, `.`, `-`.
const ACCOUNT = /^\w+([.-]\w+)*$/

/** The value of `key`, checked and normalised, or the reason it cannot be used. */
const check = (
  key: ConnectionKey,
  value: unknown
): { readonly ok: unknown } | { readonly reason: string } => {
  if (key === "port") {
    const port = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value
    return typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535
      ? { ok: port }
      : {
          reason: `must be a whole number from 1 to 65535 (it is ${typeof value === "string" ? `"${value}"` : typeof value === "number" ? String(value) : kindOf(value)}).`
        }
  }
  if (typeof value !== "string") return { reason: `must be a string (it is ${kindOf(value)}).` }
  if (SECRET_KEYS.has(key)) return { ok: value }
  switch (key) {
    case "protocol": {
      const protocol = value.trim().toLowerCase()
      return protocol === "https" || protocol === "http"
        ? { ok: protocol }
        : { reason: `must be "https" or "http" (it is "${value}").` }
    }
    case "host":
      return value.includes("/")
        ? {
            reason: `must be a host name alone, without a scheme or a path (it is "${value}"); put the port in port and the scheme in protocol.`
          }
        : { ok: value.trim() }
    case "account":
      return ACCOUNT.test(value.trim())
        ? { ok: value.trim() }
        : {
            reason: `must be an account identifier such as myorg-myaccount (it is "${value}"); a server's address goes in host.`
          }
    default:
      return { ok: value }
  }
}

/** The layers' values, checked; `connection` names the connection in messages. */
export const resolveValues = (
  connection: string,
  layers: ReadonlyArray<ValueLayer>
): Effect.Effect<ConnectionValues, InvalidConnection> =>
  Effect.gen(function* () {
    const values: Record<string, unknown> = {}
    for (const { key, value, source } of layered(layers)) {
      const checked = check(key, value)
      if ("reason" in checked)
        return yield* new InvalidConnection({ connection, key, source, reason: checked.reason })
      values[key] = checked.ok
    }
    return values as ConnectionValues
  })
