/**
 * The emulator's client sessions: one per login, found by its session token (the driver sends
 * `Authorization: Snowflake Token="…"`), renewed with its master token. Each session has its own
 * current database, schema, warehouse and role and its own parameters, and opens the local
 * account's Sql for the database and schema it works in, closed with the session.
 */
import { randomBytes } from "node:crypto"
import { Effect, Exit, Scope } from "effect"
import { defaults, type ParameterValue } from "./SessionParameters.ts"

export interface SessionState {
  readonly id: number
  readonly user: string
  /** The current database and schema: unqualified names resolve here. */
  database: string
  schema: string
  warehouse: string | undefined
  role: string
  readonly parameters: Map<string, ParameterValue>
  token: string
  tokenExpiresAt: number
  readonly masterToken: string
  readonly masterExpiresAt: number
  /** Lives as long as the session: its Sql layers, its result files. */
  readonly scope: Scope.Closeable
}

export interface SessionValidity {
  /** Seconds a session token is valid; the driver renews it with the master token after that. */
  readonly sessionSeconds: number
  /** Seconds the master token (and so the session) is valid. */
  readonly masterSeconds: number
}

export const DEFAULT_VALIDITY: SessionValidity = { sessionSeconds: 3600, masterSeconds: 14_400 }

/** What a token lookup found. */
export type TokenCheck =
  | { readonly _tag: "Valid"; readonly session: SessionState }
  | { readonly _tag: "Expired"; readonly session: SessionState }
  | { readonly _tag: "Unknown" }

const newToken = (prefix: string) => `${prefix}${randomBytes(24).toString("base64url")}`

export interface Sessions {
  readonly open: (init: {
    readonly user: string
    readonly database: string
    readonly schema: string
    readonly warehouse: string | undefined
    readonly role: string
    readonly parameters: Readonly<Record<string, ParameterValue>>
  }) => Effect.Effect<SessionState>
  /** The session of a session token, and whether the token is still valid. */
  readonly bySessionToken: (token: string) => TokenCheck
  /** The session of a master token (renewal), and whether the master token is still valid. */
  readonly byMasterToken: (token: string) => TokenCheck
  /** A new session token for `session`, valid for another `sessionSeconds`. */
  readonly renew: (session: SessionState) => void
  /** End a session: its Sql layers and result files go with its scope. */
  readonly close: (session: SessionState) => Effect.Effect<void>
  readonly closeAll: Effect.Effect<void>
  readonly validity: SessionValidity
}

export const makeSessions = (validity: SessionValidity = DEFAULT_VALIDITY): Sessions => {
  const byToken = new Map<string, SessionState>()
  const byMaster = new Map<string, SessionState>()
  let nextId = 1

  const check = (session: SessionState | undefined, expiresAt: (s: SessionState) => number): TokenCheck => {
    if (session === undefined) return { _tag: "Unknown" }
    return Date.now() < expiresAt(session) ? { _tag: "Valid", session } : { _tag: "Expired", session }
  }

  const close = (session: SessionState) =>
    Effect.suspend(() => {
      byToken.delete(session.token)
      byMaster.delete(session.masterToken)
      return Scope.close(session.scope, Exit.void)
    })

  return {
    validity,
    open: (init) =>
      Effect.gen(function* () {
        // Sessions whose master token expired can never be renewed: clients that vanished end here.
        const now = Date.now()
        const expired = [...new Set(byToken.values())].filter((session) => session.masterExpiresAt <= now)
        yield* Effect.forEach(expired, close, { discard: true })
        return yield* Scope.make()
      }).pipe(
        Effect.map((scope) => {
          const now = Date.now()
          const session: SessionState = {
            id: nextId++,
            user: init.user,
            database: init.database,
            schema: init.schema,
            warehouse: init.warehouse,
            role: init.role,
            parameters: new Map([...defaults(), ...Object.entries(init.parameters)]),
            token: newToken("ses-"),
            tokenExpiresAt: now + validity.sessionSeconds * 1000,
            masterToken: newToken("mst-"),
            masterExpiresAt: now + validity.masterSeconds * 1000,
            scope
          }
          byToken.set(session.token, session)
          byMaster.set(session.masterToken, session)
          return session
        })
      ),
    bySessionToken: (token) => check(byToken.get(token), (s) => s.tokenExpiresAt),
    byMasterToken: (token) => check(byMaster.get(token), (s) => s.masterExpiresAt),
    renew: (session) => {
      byToken.delete(session.token)
      session.token = newToken("ses-")
      session.tokenExpiresAt = Date.now() + validity.sessionSeconds * 1000
      byToken.set(session.token, session)
    },
    close,
    closeAll: Effect.suspend(() => Effect.forEach([...new Set(byToken.values())], close, { discard: true }))
  }
}
