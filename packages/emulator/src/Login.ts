/**
 * `POST /session/v1/login-request`: password authentication for any user name, against the one
 * password the emulator was started with (the `password` option, else `RUNBATCH_EMULATOR_PASSWORD`,
 * else `DEFAULT_PASSWORD`). A wrong password, or an authenticator the emulator does not take, fails
 * with Snowflake's 390100. The session starts in the database, schema, warehouse and role the driver
 * asks for (its query string), or the emulator's defaults.
 */
import { timingSafeEqual } from "node:crypto"
import { Identifier } from "@runbatch/spec"
import { Effect } from "effect"
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
  readonly warehouse: string
  readonly role: string
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

const refused = (message: string): Reply => failure({ code: "390100", sqlState: "08004", message })

export const login = (
  body: unknown,
  query: URLSearchParams,
  sessions: Sessions,
  password: string,
  defaults: LoginDefaults
): Effect.Effect<Reply> =>
  Effect.gen(function* () {
    const data = field(body, "data")
    const user = field(data, "LOGIN_NAME")
    const authenticator = String(field(data, "AUTHENTICATOR") ?? "SNOWFLAKE").toUpperCase()
    if (authenticator !== "SNOWFLAKE")
      return refused(
        `The emulator authenticates with a user name and password only; the authenticator ${authenticator} is not supported by the emulator. Connect with username and password.`
      )
    if (typeof user !== "string" || user === "")
      return refused("The login has no user name (LOGIN_NAME); pass username.")
    const given = field(data, "PASSWORD")
    if (typeof given !== "string" || !sameSecret(given, password))
      return refused(
        "Incorrect username or password was specified. The emulator takes any user name with its password: the --password option, else RUNBATCH_EMULATOR_PASSWORD, else the default documented in docs/snowflake.md."
      )
    const requested = field(data, "SESSION_PARAMETERS")
    const parameters: Record<string, ParameterValue> = {}
    if (typeof requested === "object" && requested !== null)
      for (const [name, value] of Object.entries(requested))
        if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
          parameters[name.toUpperCase()] = value
    const session = yield* sessions.open({
      user: user.toUpperCase(),
      database: nameFrom(query.get("databaseName"), defaults.database),
      schema: nameFrom(query.get("schemaName"), defaults.schema),
      warehouse: nameFrom(query.get("warehouse"), defaults.warehouse),
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
