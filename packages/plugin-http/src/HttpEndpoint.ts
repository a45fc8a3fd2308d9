/**
 * HTTP for engines that call a model server (`vllm`, `custom-http`, or yours): one configured origin,
 * many requests in flight, transient failures retried, nothing secret ever printed.
 *
 * - **One origin.** Requests go only to the scheme, host and port of the configured URL (EndpointUrl).
 *   Redirects are never followed (a 3xx fails the batch, naming the status: ReplyVerdict), and proxy
 *   variables of the environment (`HTTP_PROXY`, …) are ignored: Node's `http` client does not read
 *   them (Wire).
 * - **Concurrency.** At most `concurrency` requests are on the wire at once, over kept-alive
 *   connections. A request waiting out a backoff holds no slot, so others keep the server busy
 *   (EndpointRequest).
 * - **Retries.** 408, 429, 500, 502, 503 and 504, a reset or refused connection, an attempt that
 *   outlives `timeoutMillis`, and a reply the caller finds malformed (`new Retry(reason)`) are tried
 *   again on the retry schedule (RetrySchedule) — after the server's `Retry-After` when it gives one
 *   (plus up to 20%), else after a jittered exponential backoff — up to `retries` times per request
 *   (the per-row retry budget). No wait is longer than the backoff's cap (`backoff_max_seconds`),
 *   whatever the server asks: a Retry-After of hours or years is cut to it, one in the past or
 *   unreadable counts as none, and no timer is ever armed beyond what Node can wait (2^31-1 ms). When
 *   the budget is spent the batch fails with a retryable PluginBatchError, so the runtime's own backoff
 *   still applies. What retrying cannot mend fails at once (ConnectionProblem): an unresolvable host, a
 *   TLS certificate no trusted authority vouches for (a private one comes in through
 *   `NODE_EXTRA_CA_CERTS`; checks are never turned off), expired or for another host, `https:` to a
 *   plain-HTTP server.
 * - **Secrets.** Header values listed in `secrets` (API keys read from environment variables) are
 *   redacted from every message this module builds — server replies quoted in errors included,
 *   redacted whole before they are cut short (Redaction).
 * - **Cancel.** Interrupting a request (a cancelled job, a failed sibling) destroys it on the wire;
 *   closing the scope closes the kept-alive connections.
 */
import { PluginBatchError } from "@runbatch/spec"
import { Effect, type Scope, Semaphore } from "effect"
import { batchFailure } from "./BatchFailure.ts"
import { type Counters, sendRequest } from "./EndpointRequest.ts"
import { endpointTarget, endpointUrlProblem } from "./EndpointUrl.ts"
import type { HttpReply, HttpRequestSpec, Retry } from "./HttpMessages.ts"
import { redactor as makeRedactor, type Redactor } from "./Redaction.ts"
import { openWire } from "./Wire.ts"

export interface HttpEndpointOptions {
  /** The plugin id errors are reported under. */
  readonly plugin: string
  /** An absolute `http:` or `https:` URL; its origin is the only one requests go to. */
  readonly url: string
  /** Sent with every request (besides `content-type`, `content-length` and `accept`). */
  readonly headers?: Readonly<Record<string, string>>
  /** Values to redact from every message (header values read from the environment). */
  readonly secrets?: ReadonlyArray<string>
  /** Requests on the wire at once, at most. */
  readonly concurrency: number
  /** One attempt's limit, from sending the request to the reply's last byte. */
  readonly timeoutMillis: number
  /** Retries per request after its first attempt. */
  readonly retries: number
  /**
   * First backoff (doubled each retry, ±20% jitter) and its cap — also the longest a server's
   * Retry-After is waited (+0–20%); defaults 250 ms and 30 s.
   */
  readonly backoff?: { readonly initialMillis: number; readonly maxMillis: number }
  /** Replies longer than this fail the batch (default 64 MiB). */
  readonly maxResponseBytes?: number
}

export interface HttpEndpoint {
  /** `scheme://host:port` of the configured URL. */
  readonly origin: string
  /** The configured URL's path and query. */
  readonly path: string
  /**
   * Send a request and make something of the reply. Transient failures, and replies `interpret`
   * answers with a `Retry`, are retried within the budget; a redirect fails at once; every other reply
   * (2xx and the remaining 4xx and 5xx) is handed to `interpret`, which may throw a PluginBatchError.
   */
  readonly request: <A>(
    spec: HttpRequestSpec,
    interpret: (reply: HttpReply) => A | Retry
  ) => Effect.Effect<A, PluginBatchError>
  /**
   * `count` requests (`spec(i)` builds the i-th when it is sent), at most `concurrency` on the wire,
   * each retried on its own: the answers in order. The first failure that cannot be retried, or a
   * request whose budget is spent, fails them all and drops the others from the wire. `tally` counts
   * this call's retries (a batch's own figure: `counters` spans every batch in flight).
   */
  readonly requestAll: <A>(
    count: number,
    spec: (index: number) => HttpRequestSpec,
    interpret: (reply: HttpReply, index: number) => A | Retry,
    tally?: { retries: number }
  ) => Effect.Effect<Array<A>, PluginBatchError>
  /** `text` with every secret replaced by `***` (`redactor.redact`). */
  readonly redact: (text: string) => string
  /**
   * Redaction by this endpoint's secrets: quote a reply with `redactor.snippet(reply.body)` and a
   * value with `jsonColumns(…, { redactor })`, never by cutting first and redacting after.
   */
  readonly redactor: Redactor
  /** Counters since the endpoint was opened: requests sent (every attempt) and retries. */
  readonly counters: { readonly requests: number; readonly retries: number }
}

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
const DEFAULT_BACKOFF = { initialMillis: 250, maxMillis: 30_000 }

/** Open an endpoint for the life of the scope (the engine session's). */
export const httpEndpoint = Effect.fn("HttpEndpoint.open")(function* (
  options: HttpEndpointOptions
): Effect.fn.Return<HttpEndpoint, PluginBatchError, Scope.Scope> {
  const problem = endpointUrlProblem(options.url)
  if (problem !== undefined)
    return yield* new PluginBatchError({ plugin: options.plugin, reason: problem, retryable: false })
  const target = endpointTarget(options.url)
  const redactor = makeRedactor(options.secrets ?? [])
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  const wire = yield* openWire(target, {
    sockets: options.concurrency,
    headers: options.headers,
    timeoutMillis: options.timeoutMillis,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
  })
  const counters: Counters = { requests: 0, retries: 0 }
  const context = {
    wire,
    // Shared by every batch of this endpoint: `concurrency` is the endpoint's limit.
    slots: yield* Semaphore.make(options.concurrency),
    origin: target.origin,
    basePath: target.basePath,
    retries: options.retries,
    backoff,
    redactor,
    fail: batchFailure(options.plugin, redactor, backoff),
    counters
  }

  const requestAll: HttpEndpoint["requestAll"] = (count, spec, interpret, tally) =>
    Effect.forEach(
      Array.from({ length: count }, (_, index) => index),
      (index) =>
        sendRequest(
          context,
          () => spec(index),
          (reply) => interpret(reply, index),
          tally
        ),
      { concurrency: "unbounded" }
    ).pipe(Effect.withSpan("HttpEndpoint.requestAll", { attributes: { count } }))

  const request: HttpEndpoint["request"] = (spec, interpret) =>
    sendRequest(context, () => spec, interpret).pipe(Effect.withSpan("HttpEndpoint.request"))

  return {
    origin: target.origin,
    path: target.basePath,
    request,
    requestAll,
    redact: redactor.redact,
    redactor,
    counters
  } satisfies HttpEndpoint
})
