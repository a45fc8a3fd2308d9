/**
 * The emulator's HTTP answers, shaped as Snowflake's: HTTP 200 with `success: false` and a code for
 * SQL and login failures (the driver retries 5xx, 408 and 429, so those are never used for them),
 * 401 with code 390104 for a session token it does not know, 400 for a body it cannot read, 404 JSON
 * for an endpoint it does not serve.
 */
import type { SnowflakeError } from "./SnowflakeErrors.ts"

export type Reply =
  | { readonly status: number; readonly json: unknown }
  /** A result chunk file, sent as it is. */
  | { readonly status: number; readonly file: string }

export const ok = (data: unknown = null, extra: Readonly<Record<string, unknown>> = {}): Reply => ({
  status: 200,
  json: { success: true, code: null, message: null, data, ...extra }
})

/** A failure the driver turns into an error with `err.code`, `err.sqlState` and `err.message`. */
export const failure = (error: SnowflakeError, queryId?: string): Reply => ({
  status: 200,
  json: {
    success: false,
    code: error.code,
    message: error.message,
    headers: null,
    data: {
      ...(queryId === undefined ? {} : { queryId }),
      errorCode: error.code,
      sqlState: error.sqlState,
      internalError: false,
      age: 0
    }
  }
})

export const badRequest = (message: string): Reply => ({
  status: 400,
  json: { success: false, code: "400", message, data: null }
})

export const notFound = (method: string, path: string): Reply => ({
  status: 404,
  json: {
    success: false,
    code: "404",
    message: `The emulator has no endpoint ${method} ${path}. It serves snowflake-sdk's: /session/v1/login-request, /session, /session/heartbeat, /session/token-request, /telemetry/send, /queries/v1/query-request, /queries/<id>/result, /queries/<id>/abort-request, /queries/v1/abort-request, /monitoring/queries/<id>.`,
    data: null
  }
})

export const invalidToken = (): Reply => ({
  status: 401,
  json: {
    success: false,
    code: "390104",
    message:
      "Invalid session token: this emulator issued no such token (it may have restarted). Connect again.",
    data: null
  }
})

export const sessionExpired = (): Reply =>
  failure({
    code: "390112",
    sqlState: "08001",
    message: "Session token has expired. The driver renews it with its master token."
  })
