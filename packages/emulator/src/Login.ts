/**
 * `POST /session/v1/login-request`, with the authenticators snowflake-sdk sends:
 *
 * - `SNOWFLAKE` (password): any user name, with the one password the emulator was started with (the
 *   `password` option, else `RUNBATCH_EMULATOR_PASSWORD`, else `DEFAULT_PASSWORD`); else 390100;
 * - `SNOWFLAKE_JWT` (key pair): a JWT signed by a key set with `ALTER USER … SET RSA_PUBLIC_KEY` or
 *   given as the `publicKey` option (Credentials); else 390144;
 * - `OAUTH` and `PROGRAMMATIC_ACCESS_TOKEN`: a token minted by `mintToken` for that kind; else 390303
 *   and 390100.
 *
 * Other authenticators are refused with 390100 naming them. The session starts in the database,
 * schema, warehouse and role the driver asks for (its query string), or the emulator's defaults.
 */
import { type KeyObject, timingSafeEqual } from "node:crypto"
import { Identifier } from "@runbatch/spec"
import { Effect } from "effect"
import { checkJwt, parsePublicKey, publicKeysOf, tokenUser } from "./Credentials.ts"
import { failure, ok, type Reply } from "./Replies.ts"
import { field } from "./RequestBody.ts"
import type { ParameterValue } from "./SessionParameters.ts"
import { toWire } from "./SessionParameters.ts"
import type { Sessions } from "./Sessions.ts"

/** The password when neither the option nor RUNBATCH_EMULATOR_PASSWORD sets one. */
export const DEFAULT_PASSWORD = "runbatch"

export const resolvePassword = (option: string | undefined): string =>
  option ?? process.env["RUNBATCH_EMULATOR_PASSWORD"] ?? DEFAULT_PASSWORD

export interface LoginDefaults {
  readonly database: string
  readonly schema: string
  /** Undefined: sessions start without one (the requireWarehouse option). */
  readonly warehouse: string | undefined
  readonly role: string
}

export interface LoginConfig {
  readonly home: string
  readonly password: string
  /** A public key any user may sign a key-pair login with (the `publicKey` option). */
  readonly publicKey: KeyObject | undefined
  readonly defaults: LoginDefaults
}

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** A name from the driver's query string as Snowflake stores it (`mydb` is `MYDB`). */
const nameFrom = (value: string | null, fallback: string): string =>
  value === null || value === ""
    ? fallback
    : Effect.runSync(Identifier.resolve(value).pipe(Effect.orElseSucceed(() => value.toUpperCase())))

const warehouseFrom = (value: string | null, fallback: string | undefined): string | undefined =>
  value === null || value === "" ? fallback : nameFrom(value, value)

const refused = (message: string, code = "390100"): Reply => failure({ code, sqlState: "08004", message })

/** The user a login authenticates as, or the refusal. */
const authenticate = async (data: unknown, config: LoginConfig): Promise<string | Reply> => {
  const loginName = field(data, "LOGIN_NAME")
  const user = typeof loginName === "string" && loginName !== "" ? loginName.toUpperCase() : undefined
  const token = field(data, "TOKEN")
  const authenticator = String(field(data, "AUTHENTICATOR") ?? "SNOWFLAKE").toUpperCase()
  switch (authenticator) {
    case "SNOWFLAKE": {
      if (user === undefined) return refused("The login has no user name (LOGIN_NAME); pass username.")
      const given = field(data, "PASSWORD")
      return typeof given === "string" && sameSecret(given, config.password)
        ? user
        : refused(
            "Incorrect username or password was specified. The emulator takes any user name with its password: the --password option, else RUNBATCH_EMULATOR_PASSWORD, else the default documented in docs/snowflake.md."
          )
    }
    case "SNOWFLAKE_JWT": {
      if (user === undefined || typeof token !== "string")
        return refused("A key-pair login needs a user name and a JWT (username and privateKey).", "390144")
      const keys = [
        ...(config.publicKey === undefined ? [] : [config.publicKey]),
        ...(await publicKeysOf(config.home, user)).flatMap((text) => parsePublicKey(text) ?? [])
      ]
      const problem = checkJwt(token, user, keys)
      return problem === undefined
        ? user
        : refused(
            `JWT token is invalid: ${problem}. Set the user's key with ALTER USER ${user} SET RSA_PUBLIC_KEY = '…' or start the emulator with --public-key.`,
            "390144"
          )
    }
    case "OAUTH":
    case "PROGRAMMATIC_ACCESS_TOKEN": {
      const kind = authenticator === "OAUTH" ? "oauth" : "pat"
      const owner = typeof token === "string" ? await tokenUser(config.home, token, kind) : undefined
      if (owner === undefined || (user !== undefined && user !== owner))
        return refused(
          `Invalid ${authenticator === "OAUTH" ? "OAuth access" : "programmatic access"} token: the emulator did not mint it for ${user ?? "this user"}, or it expired. Mint one with runbatch emulator token --kind ${kind}.`,
          authenticator === "OAUTH" ? "390303" : "390100"
        )
      return owner
    }
    default:
      return refused(
        `The authenticator ${authenticator} is not supported by the emulator; use a password, a key pair (SNOWFLAKE_JWT), OAUTH or PROGRAMMATIC_ACCESS_TOKEN.`
      )
  }
}

export const login = (
  body: unknown,
  query: URLSearchParams,
  sessions: Sessions,
  config: LoginConfig
): Effect.Effect<Reply> =>
  Effect.gen(function* () {
    const data = field(body, "data")
    const user = yield* Effect.promise(() => authenticate(data, config))
    if (typeof user !== "string") return user
    const defaults = config.defaults
    const requested = field(data, "SESSION_PARAMETERS")
    const parameters: Record<string, ParameterValue> = {}
    if (typeof requested === "object" && requested !== null)
      for (const [name, value] of Object.entries(requested))
        if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
          parameters[name.toUpperCase()] = value
    const session = yield* sessions.open({
      user,
      database: nameFrom(query.get("databaseName"), defaults.database),
      schema: nameFrom(query.get("schemaName"), defaults.schema),
      warehouse: warehouseFrom(query.get("warehouse"), defaults.warehouse),
      role: nameFrom(query.get("roleName"), defaults.role),
      parameters
    })
    return ok({
      token: session.token,
      masterToken: session.masterToken,
      validityInSeconds: sessions.validity.sessionSeconds,
      masterValidityInSeconds: sessions.validity.masterSeconds,
      sessionId: session.id,
      parameters: toWire(session.parameters),
      sessionInfo: {
        databaseName: session.database,
        schemaName: session.schema,
        warehouseName: session.warehouse ?? null,
        roleName: session.role
      }
    })
  })
