import { chmodSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { inspect } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import {
  ConnectionFileInvalid,
  ConnectionFileUnsafe,
  ConnectionNotFound,
  InsecureTransport,
  InvalidConnection
} from "@runbatch/spec"
import { Effect, Redacted } from "effect"
import {
  connectionLabel,
  describeConnection,
  type ResolveConnectionOptions,
  resolveConnection,
  resolveConnectionPromise,
  toDriverOptions
} from "../src/index.ts"
import { tempHome } from "./support.ts"

interface HomeFiles {
  readonly connections?: string
  readonly config?: string
  /** Permission bits of both files; default 0600. */
  readonly mode?: number
}

/** A Snowflake home folder holding `files`, with their modes set exactly (whatever the umask). */
const snowflakeHome = (files: HomeFiles = {}): string => {
  const home = join(tempHome(), "snowflake")
  mkdirSync(home)
  for (const [name, text] of [
    ["connections.toml", files.connections],
    ["config.toml", files.config]
  ] as const) {
    if (text === undefined) continue
    writeFileSync(join(home, name), text)
    chmodSync(join(home, name), files.mode ?? 0o600)
  }
  return home
}

/** Resolve against `home` with only `env` (never this process's environment) and no SPCS token. */
const resolveIn = (home: string, options: ResolveConnectionOptions = {}) =>
  resolveConnection({ snowflakeHome: home, env: {}, spcsTokenFile: join(home, "no-spcs-token"), ...options })

const failureIn = (home: string, options: ResolveConnectionOptions = {}) =>
  Effect.flip(resolveIn(home, options))

const DEV = `
[dev]
account = "myorg-dev"
user = "alice"
password = "pw-file-SECRET"
warehouse = "DEV_WH"
`

describe("connections.toml", () => {
  it.effect(
    "turns a [NAME] table into snowflake-sdk's options, secrets redacted until revealed for the driver",
    () =>
      Effect.gen(function* () {
        const home = snowflakeHome({
          connections: `
[full]
account = "myorg-full"
user = "alice"
password = "pw-SECRET"
authenticator = "snowflake_jwt"
private_key_file = "/keys/rsa_key.p8"
private_key_file_pwd = "pass-SECRET"
token_file_path = "/tokens/t"
host = "127.0.0.1"
port = 8123
protocol = "HTTP"
warehouse = "WH"
database = "DB"
schema = "SC"
role = "R"
`
        })
        const connection = yield* resolveIn(home, { connection: "full" })
        expect(connection.origin).toStrictEqual({
          kind: "named",
          name: "full",
          files: [join(home, "connections.toml")]
        })
        expect(toDriverOptions(connection)).toStrictEqual({
          account: "myorg-full",
          username: "alice",
          password: "pw-SECRET",
          authenticator: "SNOWFLAKE_JWT",
          privateKeyPath: "/keys/rsa_key.p8",
          privateKeyPass: "pass-SECRET",
          tokenFilePath: "/tokens/t",
          host: "127.0.0.1",
          port: 8123,
          protocol: "http",
          warehouse: "WH",
          database: "DB",
          schema: "SC",
          role: "R"
        })
        expect(Redacted.isRedacted(connection.options.password)).toBe(true)
        expect(Redacted.isRedacted(connection.options.privateKeyPass)).toBe(true)
        expect(connection.ignoredKeys).toStrictEqual([])
      })
  )

  it.effect("also accepts [connections.NAME] tables", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({
        connections: `[connections.dev]\naccount = "myorg-nested"\nuser = "bob"\n\n[top]\naccount = "myorg-top"\n`
      })
      expect((yield* resolveIn(home, { connection: "dev" })).options.account).toBe("myorg-nested")
      expect((yield* resolveIn(home, { connection: "top" })).options.account).toBe("myorg-top")
    })
  )

  it.effect("refuses a connection defined both as [NAME] and as [connections.NAME]", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({
        connections: `[dev]\naccount = "a"\n\n[connections.dev]\naccount = "b"\n`
      })
      const error = yield* failureIn(home, { connection: "dev" })
      expect(error).toBeInstanceOf(ConnectionFileInvalid)
      expect(error.message).toContain(`the connection "dev" is defined twice`)
    })
  )

  it.effect("refuses a layout that is not a connections file's, naming the file", () =>
    Effect.gen(function* () {
      const values = snowflakeHome({ connections: `[connections]\naccount = "a"\n` })
      const notTable = yield* failureIn(values, { connection: "dev" })
      expect(notTable).toBeInstanceOf(ConnectionFileInvalid)
      expect(notTable.message).toBe(
        `The Snowflake connections file ${join(values, "connections.toml")} cannot be used: connections.account is not a table: each connection is a table of keys ([connections.account]).`
      )
      const badDefault = snowflakeHome({ config: `default_connection_name = 5\n` })
      const notString = yield* failureIn(badDefault)
      expect(notString.message).toContain(
        `${join(badDefault, "config.toml")} cannot be used: default_connection_name must be a string.`
      )
    })
  )

  it.effect("reports the keys it does not read (a typo stays visible)", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({
        connections: `[dev]\naccount = "a"\nwarehose = "WH"\nclient_session_keep_alive = true\n`
      })
      const connection = yield* resolveIn(home, { connection: "dev" })
      expect(connection.ignoredKeys).toStrictEqual(["warehose", "client_session_keep_alive"])
      expect(connection.options.warehouse).toBeUndefined()
    })
  )

  it.effect("is read from SNOWFLAKE_HOME when no folder is given", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections: DEV })
      const connection = yield* resolveConnection({
        connection: "dev",
        env: { SNOWFLAKE_HOME: home },
        spcsTokenFile: join(home, "no-spcs-token")
      })
      expect(connection.options.account).toBe("myorg-dev")
    })
  )
})

describe("config.toml", () => {
  it.effect("supplies [connections.NAME] when connections.toml defines none (or does not exist)", () =>
    Effect.gen(function* () {
      const config = `default_connection_name = "cfg"\n\n[connections.cfg]\naccount = "myorg-config"\n\n[cli.logs]\nsave_logs = true\n`
      const withoutFile = snowflakeHome({ config })
      expect((yield* resolveIn(withoutFile)).options.account).toBe("myorg-config")
      const withEmptyFile = snowflakeHome({ config, connections: "# no connections yet\n" })
      expect((yield* resolveIn(withEmptyFile)).options.account).toBe("myorg-config")
    })
  )

  it.effect("is ignored for connections when connections.toml defines any", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({
        connections: `[dev]\naccount = "myorg-from-connections"\n`,
        config: `[connections.dev]\naccount = "myorg-from-config"\n\n[connections.other]\naccount = "myorg-other"\n`
      })
      expect((yield* resolveIn(home, { connection: "dev" })).options.account).toBe("myorg-from-connections")
      const error = yield* failureIn(home, { connection: "other" })
      expect(error).toBeInstanceOf(ConnectionNotFound)
      expect((error as ConnectionNotFound).known).toStrictEqual(["dev"])
    })
  )
})

describe("the connection's name", () => {
  const connections = ["arg", "fromenv", "fromconfig", "default"]
    .map((name) => `[${name}]\naccount = "myorg-${name}"\n`)
    .join("\n")
  const config = `default_connection_name = "fromconfig"\n`
  const env = { SNOWFLAKE_DEFAULT_CONNECTION_NAME: "fromenv" }

  it.effect(
    "is --connection before SNOWFLAKE_DEFAULT_CONNECTION_NAME, default_connection_name and default",
    () =>
      Effect.gen(function* () {
        const home = snowflakeHome({ connections, config })
        const connection = yield* resolveIn(home, { connection: "arg", env })
        expect(connection.options.account).toBe("myorg-arg")
        expect(connection.origin).toMatchObject({ name: "arg" })
        expect(connectionLabel(connection)).toBe("arg")
      })
  )

  it.effect("is SNOWFLAKE_DEFAULT_CONNECTION_NAME before default_connection_name", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections, config })
      expect((yield* resolveIn(home, { env })).options.account).toBe("myorg-fromenv")
    })
  )

  it.effect("is config.toml's default_connection_name before default", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections, config })
      expect((yield* resolveIn(home)).options.account).toBe("myorg-fromconfig")
    })
  )

  it.effect("is default when nothing names one", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections })
      expect((yield* resolveIn(home)).options.account).toBe("myorg-default")
    })
  )
})

describe("a connection that does not exist", () => {
  it.effect("lists the connections that exist, what chose the name and where runbatch looked", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections: `[prod]\naccount = "p"\n\n[dev]\naccount = "d"\n` })
      const error = yield* failureIn(home, { env: { SNOWFLAKE_DEFAULT_CONNECTION_NAME: "staging" } })
      expect(error).toBeInstanceOf(ConnectionNotFound)
      expect(error.message).toBe(
        `There is no Snowflake connection named "staging" (SNOWFLAKE_DEFAULT_CONNECTION_NAME). The connections defined are: "dev", "prod"; runbatch looked in ${join(home, "connections.toml")}, ${join(home, "config.toml")}, the SNOWFLAKE_CONNECTIONS_STAGING_<KEY> variables. Add a [staging] table to connections.toml, or choose a connection that exists with --connection NAME.`
      )
    })
  )

  it.effect("says when no connection is defined at all", () =>
    Effect.gen(function* () {
      const error = yield* failureIn(snowflakeHome())
      expect(error).toBeInstanceOf(ConnectionNotFound)
      expect(error.message).toContain(`named "default" (no connection was named, so the one called default)`)
      expect(error.message).toContain("No connection is defined;")
    })
  )

  it.effect("can be defined by SNOWFLAKE_CONNECTIONS_<NAME>_<KEY> variables alone", () =>
    Effect.gen(function* () {
      const connection = yield* resolveIn(snowflakeHome(), {
        connection: "ci",
        env: { SNOWFLAKE_CONNECTIONS_CI_ACCOUNT: "myorg-ci", SNOWFLAKE_CONNECTIONS_CI_USER: "robot" }
      })
      expect(toDriverOptions(connection)).toStrictEqual({ account: "myorg-ci", username: "robot" })
    })
  )
})

describe("a connection's values", () => {
  const file = `[dev]\naccount = "myorg-dev"\nwarehouse = "FILE_WH"\n`
  const env = {
    SNOWFLAKE_CONNECTIONS_DEV_WAREHOUSE: "CONNECTION_VAR_WH",
    SNOWFLAKE_WAREHOUSE: "GLOBAL_VAR_WH"
  }

  it.effect("take the overrides first", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections: file })
      const connection = yield* resolveIn(home, {
        connection: "dev",
        env,
        overrides: { warehouse: "FLAG_WH" }
      })
      expect(connection.options.warehouse).toBe("FLAG_WH")
    })
  )

  it.effect("take SNOWFLAKE_CONNECTIONS_<NAME>_<KEY> before the file", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections: file })
      expect((yield* resolveIn(home, { connection: "dev", env })).options.warehouse).toBe("CONNECTION_VAR_WH")
    })
  )

  it.effect("take the file before SNOWFLAKE_<KEY>", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections: file })
      const connection = yield* resolveIn(home, {
        connection: "dev",
        env: { SNOWFLAKE_WAREHOUSE: "GLOBAL_VAR_WH" }
      })
      expect(connection.options.warehouse).toBe("FILE_WH")
    })
  )

  it.effect("fall back to SNOWFLAKE_<KEY> for a key the connection does not set", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections: `[dev]\naccount = "myorg-dev"\n` })
      const connection = yield* resolveIn(home, {
        connection: "dev",
        env: { SNOWFLAKE_WAREHOUSE: "GLOBAL_VAR_WH", SNOWFLAKE_ROLE: "ANALYST" }
      })
      expect(connection.options.warehouse).toBe("GLOBAL_VAR_WH")
      expect(connection.options.role).toBe("ANALYST")
    })
  )

  it.effect("never take unrelated SNOWFLAKE_* variables, nor another connection's", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections: `[dev]\naccount = "myorg-dev"\n` })
      const connection = yield* resolveIn(home, {
        connection: "dev",
        env: {
          SNOWFLAKE_FOO: "foo",
          SNOWFLAKE_CONNECTIONS_DEV_FOO: "foo",
          SNOWFLAKE_JOB_INDEX: "0",
          SNOWFLAKE_DISABLE_PLATFORM_DETECTION: "true",
          SNOWFLAKE_CONNECTIONS_PROD_WAREHOUSE: "PROD_WH",
          SNOWFLAKE_CONNECTIONS: "[dev]\nwarehouse = 'X'"
        }
      })
      expect(toDriverOptions(connection)).toStrictEqual({ account: "myorg-dev" })
    })
  )

  it.effect("treat a variable set to the empty string as unset", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections: file })
      const connection = yield* resolveIn(home, {
        connection: "dev",
        env: { SNOWFLAKE_CONNECTIONS_DEV_WAREHOUSE: "" }
      })
      expect(connection.options.warehouse).toBe("FILE_WH")
    })
  )

  it.effect("mean key-pair auth when a private key is given with no authenticator", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({
        connections: `[dev]\naccount = "a"\nuser = "u"\nprivate_key_file = "/k.p8"\n`
      })
      const connection = yield* resolveIn(home, { connection: "dev" })
      expect(connection.options.authenticator).toBe("SNOWFLAKE_JWT")
      expect(describeConnection(connection)).toBe("u@a via a.snowflakecomputing.com (key-pair auth)")
    })
  )

  it.effect("are checked, naming the key and where the value came from", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({
        connections: `[dev]\naccount = "myorg-dev"\nwarehouse = 5\n[bad]\nhost = "https://x.example.com"\n`
      })
      const badPort = yield* failureIn(home, {
        connection: "dev",
        overrides: { warehouse: "WH" },
        env: { SNOWFLAKE_PORT: "eighty" }
      })
      expect(badPort).toBeInstanceOf(InvalidConnection)
      expect(badPort.message).toBe(
        `The Snowflake connection "dev" cannot be used: port (from SNOWFLAKE_PORT) must be a whole number from 1 to 65535 (it is "eighty").`
      )
      const notString = yield* failureIn(home, { connection: "dev" })
      expect(notString.message).toContain(
        `warehouse (from [dev] in ${join(home, "connections.toml")}) must be a string (it is a number).`
      )
      const protocol = yield* failureIn(home, {
        connection: "dev",
        overrides: { warehouse: "WH", protocol: "ftp" }
      })
      expect(protocol.message).toContain(`protocol (from overrides) must be "https" or "http" (it is "ftp").`)
      const url = yield* failureIn(home, { connection: "bad" })
      expect(url.message).toContain("host (from [bad] in")
      expect(url.message).toContain("must be a host name alone, without a scheme or a path")
      const account = yield* failureIn(home, {
        connection: "dev",
        overrides: { warehouse: "WH", account: "https://x" }
      })
      expect(account.message).toContain("account (from overrides) must be an account identifier")
    })
  )

  it.effect("need an account or a host", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections: `[dev]\nuser = "alice"\n` })
      const error = yield* failureIn(home, { connection: "dev" })
      expect(error).toBeInstanceOf(InvalidConnection)
      expect(error.message).toContain(
        `account (from [dev] in ${join(home, "connections.toml")}) is not set. Add account = "myorg-myaccount" to the connection's table, or set SNOWFLAKE_CONNECTIONS_DEV_ACCOUNT or SNOWFLAKE_ACCOUNT.`
      )
      const hostOnly = yield* resolveIn(home, {
        connection: "dev",
        overrides: { host: "myorg-dev.snowflakecomputing.com" }
      })
      expect(hostOnly.options.host).toBe("myorg-dev.snowflakecomputing.com")
    })
  )
})

describe("file permissions", () => {
  it.effect.each([
    ["connections.toml", "group", 0o620, "0620"],
    ["connections.toml", "others", 0o602, "0602"],
    ["connections.toml", "group and others", 0o666, "0666"],
    ["config.toml", "group", 0o660, "0660"]
  ] as const)("refuse %s writable by %s", ([name, who, mode, octal]) =>
    Effect.gen(function* () {
      const home = snowflakeHome(
        name === "connections.toml" ? { connections: DEV, mode } : { config: DEV, mode }
      )
      const error = yield* failureIn(home, { connection: "dev" })
      const file = join(home, name)
      expect(error).toBeInstanceOf(ConnectionFileUnsafe)
      expect(error.message).toBe(
        `The Snowflake connections file ${file} is writable by ${who} (mode ${octal}), so another user could change where your credentials go; runbatch does not read it. Fix: chmod 600 ${file}`
      )
    })
  )

  it.effect("accept a file only its owner can write, even if others can read it", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections: DEV, mode: 0o644 })
      expect((yield* resolveIn(home, { connection: "dev" })).options.account).toBe("myorg-dev")
    })
  )

  it.effect("quote a path with a space in the chmod fix", () =>
    Effect.gen(function* () {
      const home = join(tempHome(), "my snowflake")
      mkdirSync(home)
      writeFileSync(join(home, "connections.toml"), DEV)
      chmodSync(join(home, "connections.toml"), 0o664)
      const error = yield* failureIn(home, { connection: "dev" })
      expect(error.message).toContain(`Fix: chmod 600 '${join(home, "connections.toml")}'`)
    })
  )
})

describe("invalid TOML", () => {
  it.effect("names the file, the line and the column, and never shows the line's text", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({
        connections: `[dev]\naccount = "myorg-dev"\npassword = "hunter2-SECRET\nuser = "alice"\n`
      })
      const error = yield* failureIn(home, { connection: "dev" })
      expect(error).toBeInstanceOf(ConnectionFileInvalid)
      expect(error).toMatchObject({ file: join(home, "connections.toml"), line: 3, column: 27 })
      expect(error.message).toBe(
        `The Snowflake connections file ${join(home, "connections.toml")} is not valid TOML: control characters are not allowed in strings at line 3, column 27. Fix the file (TOML 1.0, https://toml.io).`
      )
      expect(JSON.stringify(error)).not.toContain("hunter2")
    })
  )

  it.effect("in config.toml too", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ config: `default_connection_name = dev\n` })
      const error = yield* failureIn(home)
      expect(error).toBeInstanceOf(ConnectionFileInvalid)
      expect(error).toMatchObject({ file: join(home, "config.toml"), line: 1 })
    })
  )
})

describe("inside an SPCS container", () => {
  const spcsEnv = {
    SNOWFLAKE_ACCOUNT: "myorg-spcs",
    SNOWFLAKE_HOST: "127.0.0.1",
    SNOWFLAKE_PORT: "8123",
    SNOWFLAKE_PROTOCOL: "http",
    SNOWFLAKE_DATABASE: "ML",
    SNOWFLAKE_SCHEMA: "PUBLIC",
    // Never used beside the token: a user other than the token's fails the login.
    SNOWFLAKE_USER: "someone",
    SNOWFLAKE_PASSWORD: "pw-env-SECRET"
  }
  const tokenFileIn = (home: string): string => {
    const file = join(home, "session-token")
    writeFileSync(file, "spcs-token-SECRET\n")
    return file
  }

  it.effect("logs in with the session token to SNOWFLAKE_HOST as SNOWFLAKE_ACCOUNT", () =>
    Effect.gen(function* () {
      const home = snowflakeHome()
      const tokenFile = tokenFileIn(home)
      const connection = yield* resolveConnection({
        snowflakeHome: home,
        env: spcsEnv,
        spcsTokenFile: tokenFile
      })
      expect(connection.origin).toStrictEqual({ kind: "spcs", tokenFile })
      expect(toDriverOptions(connection)).toStrictEqual({
        account: "myorg-spcs",
        host: "127.0.0.1",
        port: 8123,
        protocol: "http",
        database: "ML",
        schema: "PUBLIC",
        authenticator: "OAUTH",
        token: "spcs-token-SECRET"
      })
      expect(describeConnection(connection)).toBe("myorg-spcs via http://127.0.0.1:8123 (SPCS session token)")
      expect(connectionLabel(connection)).toBe("SPCS session")
    })
  )

  it.effect("wins over the files' default connection, which nothing named", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections: `[default]\naccount = "myorg-file"\n` })
      const connection = yield* resolveConnection({
        snowflakeHome: home,
        env: spcsEnv,
        spcsTokenFile: tokenFileIn(home)
      })
      expect(connection.origin.kind).toBe("spcs")
      expect(connection.options.account).toBe("myorg-spcs")
    })
  )

  it.effect("is not used for a named connection, nor with credentials in the overrides", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections: `[dev]\naccount = "myorg-dev"\n` })
      const spcsTokenFile = tokenFileIn(home)
      const named = yield* resolveConnection({
        snowflakeHome: home,
        env: spcsEnv,
        spcsTokenFile,
        connection: "dev"
      })
      expect(named.origin).toMatchObject({ kind: "named", name: "dev" })
      const byVariable = yield* resolveConnection({
        snowflakeHome: home,
        env: { ...spcsEnv, SNOWFLAKE_DEFAULT_CONNECTION_NAME: "dev" },
        spcsTokenFile
      })
      expect(byVariable.origin).toMatchObject({ kind: "named", name: "dev" })
      const withCredentials = yield* Effect.flip(
        resolveConnection({
          snowflakeHome: home,
          env: spcsEnv,
          spcsTokenFile,
          overrides: { user: "bob", password: "pw-flag-SECRET" }
        })
      )
      expect(withCredentials).toBeInstanceOf(ConnectionNotFound)
    })
  )

  it.effect("takes where to connect from the overrides before the variables", () =>
    Effect.gen(function* () {
      const home = snowflakeHome()
      const connection = yield* resolveConnection({
        snowflakeHome: home,
        env: spcsEnv,
        spcsTokenFile: tokenFileIn(home),
        overrides: { warehouse: "JOB_WH", database: "OTHER" }
      })
      expect(connection.options).toMatchObject({
        warehouse: "JOB_WH",
        database: "OTHER",
        authenticator: "OAUTH"
      })
    })
  )

  it.effect("refuses plain http to the SPCS host unless it is loopback", () =>
    Effect.gen(function* () {
      const home = snowflakeHome()
      const error = yield* Effect.flip(
        resolveConnection({
          snowflakeHome: home,
          env: { ...spcsEnv, SNOWFLAKE_HOST: "snowflake.example.internal" },
          spcsTokenFile: tokenFileIn(home)
        })
      )
      expect(error).toBeInstanceOf(InsecureTransport)
      expect(error.message).toContain(`"SPCS session" asks for plain http to snowflake.example.internal`)
    })
  )
})

describe("transport", () => {
  it.effect.each(["127.0.0.1", "127.8.9.10", "localhost", "LOCALHOST", "::1", "[::1]"])(
    "allows plain http to the loopback host %s",
    (host) =>
      Effect.gen(function* () {
        const home = snowflakeHome({
          connections: `[emu]\naccount = "emu"\nhost = "${host}"\nprotocol = "http"\n`
        })
        expect((yield* resolveIn(home, { connection: "emu" })).options).toMatchObject({
          host,
          protocol: "http"
        })
      })
  )

  it.effect.each(["example.com", "10.0.0.1", "128.0.0.1", "127.0.0.1.example.com", "localhost.example.com"])(
    "refuses plain http to %s",
    (host) =>
      Effect.gen(function* () {
        const home = snowflakeHome({
          connections: `[remote]\naccount = "a"\nhost = "${host}"\nprotocol = "http"\n`
        })
        const error = yield* failureIn(home, { connection: "remote" })
        expect(error).toBeInstanceOf(InsecureTransport)
        expect(error.message).toBe(
          `The Snowflake connection "remote" asks for plain http to ${host}; runbatch sends credentials over plain http only to this machine (127.0.0.0/8, ::1, localhost). Remove protocol = "http" (https is the default), or point host at a loopback address.`
        )
      })
  )

  it.effect("refuses plain http to the host the driver derives from the account", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections: `[dev]\naccount = "xy12345.us-east-2.aws"\n` })
      const error = yield* failureIn(home, { connection: "dev", overrides: { protocol: "http" } })
      expect(error).toBeInstanceOf(InsecureTransport)
      expect((error as InsecureTransport).host).toBe("xy12345.us-east-2.aws.snowflakecomputing.com")
    })
  )

  it.effect("allows https anywhere", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({
        connections: `[dev]\naccount = "a"\nhost = "example.com"\nprotocol = "https"\n`
      })
      expect((yield* resolveIn(home, { connection: "dev" })).options.protocol).toBe("https")
    })
  )
})

describe("secrets", () => {
  const SECRETS = ["pw-SECRET-1", "pass-SECRET-2", "tok-SECRET-3"]
  const connections = `
[dev]
account = "myorg-dev"
user = "alice"
password = "${SECRETS[0]}"
private_key_file_pwd = "${SECRETS[1]}"
token = "${SECRETS[2]}"
warehouse = "WH"

[numeric]
account = "myorg-dev"
password = 12345678
`
  const expectNoSecret = (text: string) => {
    for (const secret of [...SECRETS, "12345678"]) expect(text).not.toContain(secret)
  }

  it.effect("never appear in the description, the JSON, the inspection or the string of a connection", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections })
      const connection = yield* resolveIn(home, { connection: "dev" })
      expect(describeConnection(connection)).toBe(
        "alice@myorg-dev via myorg-dev.snowflakecomputing.com (password auth)"
      )
      for (const text of [
        describeConnection(connection),
        JSON.stringify(connection),
        inspect(connection, { depth: Number.POSITIVE_INFINITY }),
        String(connection),
        `${connection.options.password}`
      ])
        expectNoSecret(text)
      expect(JSON.stringify(connection)).toContain(`"password":"<redacted>"`)
      // Revealed only for the driver.
      expect(toDriverOptions(connection)).toMatchObject({
        password: SECRETS[0],
        privateKeyPass: SECRETS[1],
        token: SECRETS[2]
      })
    })
  )

  it.effect("never appear in an error's message or its encoding", () =>
    Effect.gen(function* () {
      const home = snowflakeHome({ connections })
      const errors = [
        yield* failureIn(home, { connection: "dev", overrides: { port: "x" } }),
        yield* failureIn(home, { connection: "dev", overrides: { protocol: "http" } }),
        yield* failureIn(home, { connection: "numeric" }),
        yield* failureIn(home, { connection: "absent" }),
        yield* failureIn(home, { connection: "dev", overrides: { password: "pw-SECRET-1", host: "a/b" } }),
        yield* failureIn(snowflakeHome({ connections, mode: 0o666 }), { connection: "dev" }),
        yield* failureIn(
          snowflakeHome({ connections: `${connections}\n[broken]\npassword = "pw-SECRET-1` }),
          { connection: "dev" }
        )
      ]
      expect(errors.map((e) => e._tag)).toStrictEqual([
        "InvalidConnection",
        "InsecureTransport",
        "InvalidConnection",
        "ConnectionNotFound",
        "InvalidConnection",
        "ConnectionFileUnsafe",
        "ConnectionFileInvalid"
      ])
      expect(errors[2]!.message).toContain("password (from [numeric] in")
      expect(errors[2]!.message).toContain("must be a string (it is a number).")
      for (const error of errors) {
        expectNoSecret(error.message)
        expectNoSecret(JSON.stringify(error))
        expectNoSecret(inspect(error))
      }
    })
  )
})

describe("resolveConnectionPromise", () => {
  it("resolves as the Effect does, and rejects with the same typed errors", async () => {
    const home = snowflakeHome({ connections: DEV })
    const options = { snowflakeHome: home, env: {}, spcsTokenFile: join(home, "none") }
    const connection = await resolveConnectionPromise({ ...options, connection: "dev" })
    expect(describeConnection(connection)).toBe(
      "alice@myorg-dev via myorg-dev.snowflakecomputing.com (password auth)"
    )
    await expect(resolveConnectionPromise({ ...options, connection: "nope" })).rejects.toBeInstanceOf(
      ConnectionNotFound
    )
  })
})
