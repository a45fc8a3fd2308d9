/**
 * Where the driver connects, and whether it may do so in plain http. snowflake-sdk builds its URL as
 * `protocol://host[:port]` with https by default, and without a host derives one from the account
 * (`consolidateHostAndAccount`, `Util.constructHostname` in 3.4.1). Plain http is allowed only to this
 * machine (the emulator): credentials sent anywhere else go over TLS, which trusts Node's CA store plus
 * `NODE_EXTRA_CA_CERTS` (Node reads that variable itself, at start).
 */
import { isIPv4 } from "node:net"
import { InsecureTransport } from "@runbatch/spec"
import { Effect } from "effect"

/** The host snowflake-sdk derives from an account identifier (`xy12345.us-east-2.aws` → `xy12345.us-east-2.aws.snowflakecomputing.com`). */
export const accountHost = (account: string): string => {
  const dot = account.indexOf(".")
  if (dot < 0) return `${account}.snowflakecomputing.com`
  const locator = account.slice(0, dot)
  const region = account.slice(dot + 1)
  if (region === "us-west-2") return `${locator}.snowflakecomputing.com`
  return `${locator}.${region}.snowflakecomputing.${/^cn-/i.test(region) ? "cn" : "com"}`
}

/** The host the driver will connect to: the connection's host, else the account's. */
export const endpointHost = (options: {
  readonly host?: string
  readonly account?: string
}): string | undefined =>
  options.host ?? (options.account === undefined ? undefined : accountHost(options.account))

/** 127.0.0.0/8, ::1 (bare or bracketed) and localhost: addresses that never leave this machine. */
export const isLoopbackHost = (host: string): boolean => {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "")
  if (bare === "localhost" || bare === "::1" || bare === "0:0:0:0:0:0:0:1") return true
  return isIPv4(bare) && bare.split(".")[0] === "127"
}

/** Fails unless the connection uses https, or plain http to a loopback host. */
export const checkTransport = (
  connection: string,
  options: { readonly protocol?: "http" | "https"; readonly host?: string; readonly account?: string }
): Effect.Effect<void, InsecureTransport> => {
  if (options.protocol !== "http") return Effect.void
  const host = endpointHost(options) ?? "(no host)"
  return isLoopbackHost(host) ? Effect.void : Effect.fail(new InsecureTransport({ connection, host }))
}
