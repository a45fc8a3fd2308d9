/**
 * The endpoints snowflake-sdk calls, as one table: method, path, which token it needs, and its
 * handler. Every endpoint but login and result chunks needs a session token (`Authorization:
 * Snowflake Token="…"`); token renewal needs the master token instead.
 */
import type { IncomingMessage } from "node:http"
import type { EmulatorBadRequest } from "@runbatch/spec"
import { Effect } from "effect"
import { type LoginConfig, login } from "./Login.ts"
import { type Emulated, executeQuery, type QueryOutcome, type QueryRequest } from "./QueryExecution.ts"
import { badRequest, failure, invalidToken, notFound, ok, type Reply, sessionExpired } from "./Replies.ts"
import { field, readJson } from "./RequestBody.ts"
import type { RunningQueries } from "./RunningQueries.ts"
import type { SessionState, Sessions } from "./Sessions.ts"

export interface EmulatorState extends Emulated {
  readonly sessions: Sessions
  readonly queries: RunningQueries
  readonly login: LoginConfig
  readonly maxBodyBytes: number
  /** How long a query-request waits for its statement before answering "in progress" (333333). */
  readonly holdMillis: number
}

interface RequestInfo {
  readonly request: IncomingMessage
  readonly url: URL
  readonly match: RegExpExecArray
  readonly session: SessionState | undefined
  readonly body: Effect.Effect<unknown, EmulatorBadRequest>
}

interface Endpoint {
  readonly method: "GET" | "POST"
  readonly path: RegExp
  /** `session`: a valid session token; `master`: a master token; `none`: no token (login, chunks). */
  readonly auth: "session" | "master" | "none"
  /** Accept an expired session token too (ending a session always works). */
  readonly allowExpired?: true
  readonly handle: (state: EmulatorState, info: RequestInfo) => Effect.Effect<Reply, EmulatorBadRequest>
}

const QUERY_ID = "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"

/** How long a result request waits for a running statement before answering "in progress" again. */
const RESULT_POLL_MILLIS = 10_000

const inProgress = (queryId: string, async: boolean): Reply => ({
  status: 200,
  json: {
    success: true,
    code: async ? "333334" : "333333",
    message: async
      ? "Asynchronous execution in progress. Use provided query id to perform query monitoring and management."
      : "Query execution in progress.",
    data: {
      queryId,
      getResultUrl: `/queries/${queryId}/result`,
      queryAbortsAfterSecs: 300,
      progressDesc: null
    }
  }
})

const statementNotFound = (queryId: string) =>
  failure({ code: "000709", sqlState: "02000", message: `Statement ${queryId} not found.` }, queryId)

const replyOf = (queryId: string, outcome: QueryOutcome): Reply =>
  outcome._tag === "Success" ? ok(outcome.data) : failure(outcome.error, queryId)

/** The body of a query-request, or a 400 naming what is missing. */
const queryRequestOf = (body: unknown): QueryRequest | string => {
  const sqlText = field(body, "sqlText")
  if (typeof sqlText !== "string") return "the body has no sqlText string"
  const bindings = field(body, "bindings")
  if (bindings !== undefined && bindings !== null && typeof bindings !== "object")
    return "bindings is not an object"
  const parameters = field(body, "parameters")
  return {
    sqlText,
    ...(bindings === undefined || bindings === null
      ? {}
      : { bindings: bindings as QueryRequest["bindings"] & object }),
    ...(field(body, "describeOnly") === true ? { describeOnly: true } : {}),
    ...(field(body, "asyncExec") === true ? { asyncExec: true } : {}),
    ...(typeof parameters === "object" && parameters !== null
      ? { parameters: parameters as Record<string, string | number | boolean> }
      : {})
  }
}

export const ENDPOINTS: ReadonlyArray<Endpoint> = [
  {
    method: "POST",
    path: /^\/session\/v1\/login-request$/,
    auth: "none",
    handle: (state, info) =>
      Effect.flatMap(info.body, (body) => login(body, info.url.searchParams, state.sessions, state.login))
  },
  {
    method: "POST",
    path: /^\/session\/token-request$/,
    auth: "master",
    handle: (state, info) =>
      Effect.gen(function* () {
        const body = yield* info.body
        if (field(body, "requestType") !== "RENEW") return badRequest("token-request takes requestType RENEW")
        const session = info.session!
        state.sessions.renew(session)
        return ok({
          sessionToken: session.token,
          token: session.token,
          validityInSecondsST: state.sessions.validity.sessionSeconds,
          validityInSeconds: state.sessions.validity.sessionSeconds,
          masterToken: session.masterToken,
          masterValidityInSeconds: Math.max(1, Math.floor((session.masterExpiresAt - Date.now()) / 1000))
        })
      })
  },
  {
    method: "POST",
    path: /^\/session$/,
    auth: "session",
    allowExpired: true,
    handle: (state, info) =>
      info.url.searchParams.get("delete") === "true"
        ? Effect.gen(function* () {
            yield* state.queries.endSession(info.session!.id)
            yield* state.sessions.close(info.session!)
            return ok()
          })
        : Effect.succeed(badRequest("POST /session ends a session with ?delete=true"))
  },
  { method: "POST", path: /^\/session\/heartbeat$/, auth: "session", handle: () => Effect.succeed(ok()) },
  { method: "POST", path: /^\/telemetry\/send$/, auth: "session", handle: () => Effect.succeed(ok()) },
  {
    method: "POST",
    path: /^\/queries\/v1\/query-request$/,
    auth: "session",
    handle: (state, info) =>
      Effect.gen(function* () {
        const body = yield* info.body
        const request = queryRequestOf(body)
        if (typeof request === "string") return badRequest(`query-request: ${request}`)
        const session = info.session!
        const queryId = yield* state.queries.start(
          session.id,
          info.url.searchParams.get("requestId") ?? undefined,
          (id) => executeQuery(state, session, id, request)
        )
        if (field(body, "asyncExec") === true) return inProgress(queryId, true)
        const outcome = yield* state.queries.outcome(queryId, state.holdMillis)
        return outcome === undefined ? inProgress(queryId, false) : replyOf(queryId, outcome)
      })
  },
  {
    method: "GET",
    path: new RegExp(`^/queries/${QUERY_ID}/result$`),
    auth: "session",
    handle: (state, info) =>
      Effect.gen(function* () {
        const queryId = info.match[1]!
        if (state.queries.status(queryId) === undefined) return statementNotFound(queryId)
        const outcome = yield* state.queries.outcome(queryId, RESULT_POLL_MILLIS)
        return outcome === undefined ? inProgress(queryId, false) : replyOf(queryId, outcome)
      })
  },
  {
    method: "GET",
    path: new RegExp(`^/monitoring/queries/${QUERY_ID}$`),
    auth: "session",
    handle: (state, info) =>
      Effect.sync(() => {
        const queryId = info.match[1]!
        const known = state.queries.status(queryId)
        const entry = state.history.get(queryId)
        const failed = entry?.errorCode !== undefined
        // The driver reads a failed statement's code and message at the top level, its SQL state in data.
        return {
          status: 200,
          json: {
            success: true,
            code: failed ? entry.errorCode : null,
            message: null,
            data: {
              queries: [
                {
                  id: queryId,
                  status: known?.status ?? entry?.status ?? "NO_QUERY_DATA",
                  sqlText: entry?.sql,
                  ...(failed ? { errorCode: entry.errorCode, errorMessage: entry.errorMessage } : {})
                }
              ],
              ...(failed ? { sqlState: entry.sqlState } : {})
            }
          }
        }
      })
  },
  {
    method: "POST",
    path: new RegExp(`^/queries/${QUERY_ID}/abort-request$`),
    auth: "session",
    handle: (state, info) => abortReply(state, { queryId: info.match[1]! })
  },
  {
    method: "POST",
    path: /^\/queries\/v1\/abort-request$/,
    auth: "session",
    handle: (state, info) =>
      Effect.gen(function* () {
        const requestId = field(yield* info.body, "requestId")
        if (typeof requestId !== "string") return badRequest("abort-request takes a requestId")
        return yield* abortReply(state, { requestId })
      })
  },
  {
    method: "GET",
    path: new RegExp(`^/emulator/chunks/${QUERY_ID}/(\\d+)$`),
    auth: "none",
    handle: (state, info) =>
      Effect.sync(() => {
        const file = state.chunks.file(info.match[1]!, info.match[2]!, info.url.searchParams.get("key"))
        return file === undefined
          ? {
              status: 403,
              json: { success: false, code: "403", message: "Unknown result chunk or key.", data: null }
            }
          : { status: 200, file }
      })
  }
]

const abortReply = (state: EmulatorState, id: { readonly queryId?: string; readonly requestId?: string }) =>
  Effect.map(state.queries.abort(id), (aborted) =>
    aborted
      ? ok()
      : failure({
          code: "000605",
          sqlState: "01000",
          message: `Identified SQL statement is not currently executing: ${id.queryId ?? `request ${id.requestId}`}.`
        })
  )

const TOKEN = /^Snowflake Token="([^"]*)"$/

/** Route a request: find its endpoint, check its token, run its handler. */
export const route = (state: EmulatorState, request: IncomingMessage): Effect.Effect<Reply> =>
  Effect.gen(function* () {
    const url = new URL(request.url ?? "/", "http://emulator")
    const method = request.method ?? "GET"
    let matched: { endpoint: Endpoint; match: RegExpExecArray } | undefined
    for (const endpoint of ENDPOINTS) {
      const match = endpoint.method === method ? endpoint.path.exec(url.pathname) : null
      if (match !== null) {
        matched = { endpoint, match }
        break
      }
    }
    if (matched === undefined) {
      request.resume()
      return notFound(method, url.pathname)
    }
    const { endpoint, match } = matched
    let session: SessionState | undefined
    if (endpoint.auth !== "none") {
      const token = TOKEN.exec(String(request.headers.authorization ?? ""))?.[1] ?? ""
      const check =
        endpoint.auth === "master"
          ? state.sessions.byMasterToken(token)
          : state.sessions.bySessionToken(token)
      if (check._tag === "Unknown") {
        request.resume()
        return invalidToken()
      }
      // A session may always be ended; other requests with an expired token are told to renew it.
      if (check._tag === "Expired" && endpoint.allowExpired !== true) {
        request.resume()
        return endpoint.auth === "master"
          ? failure({
              code: "390114",
              sqlState: "08001",
              message: "Authentication token has expired. The user must authenticate again."
            })
          : sessionExpired()
      }
      session = check.session
    }
    const body = Effect.cached(readJson(request, url.pathname, state.maxBodyBytes))
    return yield* endpoint
      .handle(state, { request, url, match, session, body: yield* body })
      .pipe(Effect.catchTag("EmulatorBadRequest", (error) => Effect.succeed(badRequest(error.message))))
  })
