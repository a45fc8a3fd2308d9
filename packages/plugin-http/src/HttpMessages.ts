/**
 * What an engine sends through an endpoint and what it gets back: a request (a path on the endpoint's
 * origin, a body), a reply (status, headers, the whole body), and `Retry`, the engine's verdict on a
 * reply it cannot use yet.
 */
import type * as http from "node:http"

export interface HttpRequestSpec {
  readonly method?: "GET" | "POST"
  /** A path on the endpoint's origin, e.g. `/v1/chat/completions` (default: the URL's own path). */
  readonly path?: string
  readonly body?: string | Uint8Array
  readonly headers?: Readonly<Record<string, string>>
}

export interface HttpReply {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
}

/** A caller's verdict on a reply it cannot use yet (malformed, incomplete): try the request again. */
export class Retry {
  readonly reason: string
  readonly retryAfterMillis: number | undefined
  constructor(reason: string, retryAfterMillis?: number) {
    this.reason = reason
    this.retryAfterMillis = retryAfterMillis
  }
}
