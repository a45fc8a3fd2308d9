/**
 * One attempt of a request on the wire: sent over the endpoint's kept-alive connections to its one
 * origin (Node's `http` client never reads proxy variables, and nothing here follows a redirect), the
 * whole reply read up to a size cap, within a time limit. Interrupting the attempt (a cancelled job, a
 * failed sibling, the time limit) destroys the request on the wire; closing the scope closes the
 * connections.
 */
import * as http from "node:http"
import * as https from "node:https"
import { Duration, Effect, type Scope } from "effect"
import { type AttemptFailure, FatalFailure, TransientFailure } from "./AttemptFailure.ts"
import { MAX_TIMER_MILLIS } from "./Backoff.ts"
import { connectionProblem } from "./ConnectionProblem.ts"
import type { EndpointTarget } from "./EndpointUrl.ts"
import type { HttpReply, HttpRequestSpec } from "./HttpMessages.ts"

export interface WireOptions {
  /** Connections kept, at most (the endpoint's concurrency). */
  readonly sockets: number
  /** Sent with every request (besides `content-type`, `content-length` and `accept`). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** One attempt's limit, from sending the request to the reply's last byte. */
  readonly timeoutMillis: number
  /** Replies longer than this fail the attempt for good. */
  readonly maxResponseBytes: number
}

export interface Wire {
  /** Send `spec` to `path` and read the whole reply. */
  readonly send: (spec: HttpRequestSpec, path: string) => Effect.Effect<HttpReply, AttemptFailure>
}

const headersOf = (fixed: Readonly<Record<string, string>>, spec: HttpRequestSpec) => {
  const headers: Record<string, string> = { ...fixed, ...spec.headers }
  if (spec.body !== undefined) {
    headers["content-type"] = "application/json"
    headers["content-length"] = String(
      typeof spec.body === "string" ? Buffer.byteLength(spec.body) : spec.body.byteLength
    )
  }
  return headers
}

/** The request, its reply read whole; the returned effect destroys the request when interrupted. */
const exchange = (
  transport: typeof http | typeof https,
  request: http.RequestOptions,
  body: string | Uint8Array | undefined,
  maxBytes: number
): Effect.Effect<HttpReply, AttemptFailure> =>
  Effect.callback<HttpReply, AttemptFailure>((resume) => {
    let settled = false
    const finish = (outcome: Effect.Effect<HttpReply, AttemptFailure>) => {
      if (settled) return
      settled = true
      resume(outcome)
    }
    const fail = (failure: AttemptFailure) => finish(Effect.fail(failure))
    let sent: http.ClientRequest
    try {
      sent = transport.request(request, (response) => {
        const chunks: Array<Buffer> = []
        let size = 0
        response.on("data", (chunk: Buffer) => {
          size += chunk.length
          if (size > maxBytes) {
            sent.destroy()
            fail(
              new FatalFailure({
                reason: `the server's reply is larger than ${maxBytes} bytes (max_response_bytes).`
              })
            )
          } else chunks.push(chunk)
        })
        response.on("end", () =>
          finish(
            Effect.succeed({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
            })
          )
        )
        const cutOff = () => fail(new TransientFailure({ reason: "the reply was cut off" }))
        response.on("error", cutOff)
        response.on("aborted", cutOff)
      })
    } catch (error) {
      // Headers Node refuses (a line break in a value) throw before anything is sent.
      fail(connectionProblem(error as NodeJS.ErrnoException))
      return
    }
    sent.on("error", (error) => fail(connectionProblem(error as NodeJS.ErrnoException)))
    sent.end(body)
    return Effect.sync(() => {
      settled = true
      sent.destroy()
    })
  })

/** The wire to `target` for the life of the scope (the engine session's). */
export const openWire = Effect.fn("HttpEndpoint.openWire")(function* (
  target: EndpointTarget,
  options: WireOptions
): Effect.fn.Return<Wire, never, Scope.Scope> {
  const transport = target.secure ? https : http
  const agent = yield* Effect.acquireRelease(
    Effect.sync(
      () =>
        new transport.Agent({ keepAlive: true, maxSockets: options.sockets, maxFreeSockets: options.sockets })
    ),
    (agent) => Effect.sync(() => agent.destroy())
  )
  const fixed: Record<string, string> = { accept: "application/json", ...options.headers }
  const limit = Duration.millis(Math.min(options.timeoutMillis, MAX_TIMER_MILLIS))
  const timedOut = new TransientFailure({
    reason: `no answer within ${options.timeoutMillis / 1000} s (timeout_seconds)`
  })
  const send = (spec: HttpRequestSpec, path: string) =>
    exchange(
      transport,
      {
        agent,
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: spec.method ?? (spec.body === undefined ? "GET" : "POST"),
        path,
        headers: headersOf(fixed, spec)
      },
      spec.body,
      options.maxResponseBytes
    ).pipe(Effect.timeoutOrElse({ duration: limit, orElse: () => Effect.fail(timedOut) }))
  return { send }
})
