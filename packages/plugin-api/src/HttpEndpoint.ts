/**
 * HTTP for engines that call a model server (`vllm`, `custom-http`, or yours): one configured origin,
 * many requests in flight, transient failures retried, nothing secret ever printed.
 *
 * - **One origin.** Requests go only to the scheme, host and port of the configured URL. Redirects are
 *   never followed (a 3xx fails the batch, naming the status), and proxy variables of the environment
 *   (`HTTP_PROXY`, …) are ignored: Node's `http` client does not read them.
 * - **Concurrency.** At most `concurrency` requests are on the wire at once, over kept-alive
 *   connections. A request waiting out a backoff holds no slot, so others keep the server busy.
 * - **Retries.** 408, 429, 500, 502, 503 and 504, a reset or refused connection, an attempt that
 *   outlives `timeoutMillis`, and a reply the caller finds malformed (`new Retry(reason)`) are tried
 *   again — after the server's `Retry-After` when it gives one (plus up to 20%), else after a jittered
 *   exponential backoff — up to `retries` times per request (the per-row retry budget). No wait is
 *   longer than the backoff's cap (`backoff_max_seconds`), whatever the server asks: a Retry-After of
 *   hours or years is cut to it, one in the past or unreadable counts as none, and no timer is ever
 *   armed beyond what Node can wait (2^31-1 ms). When the budget is spent the batch fails with a
 *   retryable PluginBatchError, so the runtime's own backoff still applies. What retrying cannot mend
 *   fails at once: an unresolvable host, a TLS certificate no trusted authority vouches for (a private
 *   one comes in through `NODE_EXTRA_CA_CERTS`; checks are never turned off), expired or for another
 *   host, `https:` to a plain-HTTP server.
 * - **Secrets.** Header values listed in `secrets` (API keys read from environment variables) are
 *   redacted from every message this module builds — server replies quoted in errors included,
 *   redacted whole before they are cut short (Redaction.ts).
 * - **Cancel.** Interrupting a request (a cancelled job, a failed sibling) destroys it on the wire;
 *   closing the scope closes the kept-alive connections.
 */
import * as http from "node:http"
import * as https from "node:https"
import { EnginePrepareError, PluginBatchError } from "@runbatch/spec"
import { Effect, Schema, SchemaIssue, type Scope } from "effect"
import { redactor as makeRedactor, type Redactor, rememberSecret } from "./Redaction.ts"

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

export interface HttpRequestSpec {
  readonly method?: "GET" | "POST"
  /** A path on the endpoint's origin, e.g. `/v1/chat/completions` (default: the URL's own path). */
  readonly path?: string
  readonly body?: string | Uint8Array
  readonly headers?: Readonly<Record<string, string>>
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

/** Statuses that say "try again later". */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024

/** Why `url` cannot be an endpoint, or undefined when it can (plan-time check for engine options). */
export const endpointUrlProblem = (url: string): string | undefined => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `${JSON.stringify(url)} is not an absolute URL (e.g. http://127.0.0.1:8000/predict).`
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return `the URL must be http: or https:, got ${parsed.protocol}`
  if (parsed.username !== "" || parsed.password !== "")
    return "the URL holds a user name or password, which would be stored in plans and manifests; send credentials in a header whose value comes from an environment variable."
  if (parsed.hash !== "") return "the URL has a #fragment, which HTTP never sends; remove it."
  return undefined
}

/** Header names runbatch sets itself or that would change where or how a request is sent. */
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "proxy-connection"
])

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Why a configured header name cannot be used, or undefined when it can. */
export const headerNameProblem = (name: string): string | undefined => {
  if (!TOKEN.test(name)) return `${JSON.stringify(name)} is not a valid HTTP header name.`
  if (RESERVED_HEADERS.has(name.toLowerCase()))
    return `the header ${name} is set by runbatch (it decides where and how requests are sent) and cannot be configured.`
  return undefined
}

/**
 * Names of headers that carry credentials: their values must come from environment variables, never
 * from options (which are stored in the model version and the job's plan).
 */
export const isCredentialHeader = (name: string): boolean =>
  /^(authorization|proxy-authorization|cookie)$/i.test(name) ||
  /(key|token|secret|password|auth|session|signature)/i.test(name)

/**
 * A secret from the replica's environment, failing `open` (never printing the value) when unset. The
 * value is remembered (`rememberSecret`): every redactor of the thread redacts it from then on.
 */
export const secretFromEnvironment = (
  plugin: string,
  option: string,
  variable: string
): Effect.Effect<string, PluginBatchError> =>
  Effect.suspend(() => {
    const value = process.env[variable]
    return value === undefined || value === ""
      ? Effect.fail(
          new PluginBatchError({
            plugin,
            reason: `the environment variable ${variable} (named by ${option}) is not set where the job runs. Set it in the environment of the runbatch process (locally) or as a service secret (Snowpark Container Services).`,
            retryable: false
          })
        )
      : Effect.sync(() => {
          rememberSecret(value)
          return value
        })
  })

/** The longest a Node timer waits (2^31-1 ms, ~24.8 days); a longer one fires at once, with a warning. */
export const MAX_TIMER_MILLIS = 2 ** 31 - 1

/** `delay-seconds` (digits; a fraction is read too). */
const DELAY_SECONDS = /^\s*\d+(\.\d+)?\s*$/
/** An HTTP-date starts with the day's name, in each of its three forms. */
const HTTP_DATE = /^\s*(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/i

/**
 * Retry-After as milliseconds from now: seconds, or an HTTP date to come. Undefined when absent, when
 * the date is past, or when it is neither (a negative or hexadecimal number, `1e3`, a number too large
 * to read, text): the server said nothing usable, so the backoff applies. The value may be huge — the
 * wait is capped by `backoffMillis`.
 */
export const retryAfterMillis = (header: string | ReadonlyArray<string> | undefined): number | undefined => {
  const value = Array.isArray(header) ? header[0] : (header as string | undefined)
  if (value === undefined) return undefined
  if (DELAY_SECONDS.test(value)) {
    const millis = Math.round(Number(value) * 1000)
    return Number.isFinite(millis) ? millis : undefined
  }
  if (!HTTP_DATE.test(value)) return undefined
  const ahead = Date.parse(value) - Date.now()
  return Number.isNaN(ahead) || ahead <= 0 ? undefined : ahead
}

/**
 * Delay before retry `n` (1-based). When the server said when to come back (Retry-After), that, at
 * most `maxMillis`, plus up to 20% so that requests told the same do not return together; otherwise
 * exponential from `initialMillis`, capped at `maxMillis`, ±20%. A negative ask counts as 0, a NaN one
 * as none; nothing longer than MAX_TIMER_MILLIS is returned.
 */
export const backoffMillis = (
  backoff: { readonly initialMillis: number; readonly maxMillis: number },
  retry: number,
  retryAfter?: number
): number => {
  const delay =
    retryAfter !== undefined && !Number.isNaN(retryAfter)
      ? Math.min(Math.max(0, retryAfter), backoff.maxMillis) * (1 + Math.random() * 0.2)
      : Math.min(backoff.maxMillis, backoff.initialMillis * 2 ** (retry - 1)) * (0.8 + Math.random() * 0.4)
  return Math.round(Math.min(delay, MAX_TIMER_MILLIS))
}

type AttemptFailure =
  | { readonly kind: "transient"; readonly reason: string; readonly retryAfterMillis?: number }
  | { readonly kind: "fatal"; readonly reason: string }

const connectionProblem = (error: NodeJS.ErrnoException): AttemptFailure => {
  switch (error.code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { kind: "fatal", reason: "its host name cannot be resolved; check the URL." }
    case "ECONNREFUSED":
      return { kind: "transient", reason: "the connection was refused (is the server running?)" }
    case "ERR_INVALID_CHAR":
    case "ERR_INVALID_HTTP_TOKEN":
      return {
        kind: "fatal",
        reason: "a header holds a character HTTP does not allow (a line break in an environment variable?)."
      }
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return {
        kind: "fatal",
        reason: `its TLS certificate is for another host (${error.message}); check the URL's host name.`
      }
    case "CERT_HAS_EXPIRED":
    case "CERT_NOT_YET_VALID":
      return {
        kind: "fatal",
        reason: `its TLS certificate is outside its validity dates (${error.code}); the server's certificate must be renewed.`
      }
    case "ERR_SSL_WRONG_VERSION_NUMBER":
      return { kind: "fatal", reason: NOT_TLS }
    case "EPROTO":
      // Node 20 reports every OpenSSL failure as EPROTO; only a plain-HTTP answer is sure not to pass.
      return /wrong version number/i.test(error.message)
        ? { kind: "fatal", reason: NOT_TLS }
        : { kind: "transient", reason: `the TLS handshake failed (${error.message.split("\n")[0]})` }
    default:
      if (error.code !== undefined && UNTRUSTED_CERTIFICATE.has(error.code)) {
        return {
          kind: "fatal",
          reason: `its TLS certificate is not trusted (${error.code}). If a private certificate authority signed it, give the replicas that authority's certificate: NODE_EXTRA_CA_CERTS=/path/to/ca.pem in their environment. runbatch never turns certificate checks off.`
        }
      }
      return { kind: "transient", reason: `the connection failed (${error.code ?? error.message})` }
  }
}

const NOT_TLS = "it does not answer in TLS; is the URL https: where the server speaks plain http:?"

/** OpenSSL's verdicts on a certificate chain no trusted authority vouches for: retrying cannot help. */
const UNTRUSTED_CERTIFICATE = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE",
  "INVALID_CA"
])

/** Open an endpoint for the life of the scope (the engine session's). */
export const httpEndpoint = (
  options: HttpEndpointOptions
): Effect.Effect<HttpEndpoint, PluginBatchError, Scope.Scope> =>
  Effect.gen(function* () {
    const problem = endpointUrlProblem(options.url)
    if (problem !== undefined)
      return yield* new PluginBatchError({ plugin: options.plugin, reason: problem, retryable: false })
    const url = new URL(options.url)
    const secure = url.protocol === "https:"
    const transport = secure ? https : http
    const port = url.port === "" ? (secure ? 443 : 80) : Number(url.port)
    // `[::1]` in a URL is `::1` to the socket.
    const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1")
    const origin = url.origin
    const basePath = `${url.pathname}${url.search}`
    const redactor = makeRedactor(options.secrets ?? [])
    const redact = redactor.redact
    const backoff = options.backoff ?? { initialMillis: 250, maxMillis: 30_000 }
    const timeoutMillis = Math.min(options.timeoutMillis, MAX_TIMER_MILLIS)
    /** A batch failure; the wait it asks of the runtime is the server's, at most the backoff's cap. */
    const fail = (reason: string, retryable: boolean, retryAfter?: number) =>
      new PluginBatchError({
        plugin: options.plugin,
        reason: redact(reason),
        retryable,
        ...(retryAfter === undefined || Number.isNaN(retryAfter)
          ? {}
          : { retryAfterMillis: Math.min(Math.max(0, retryAfter), backoff.maxMillis, MAX_TIMER_MILLIS) })
      })
    const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
    const agent = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new transport.Agent({
            keepAlive: true,
            maxSockets: options.concurrency,
            maxFreeSockets: options.concurrency
          })
      ),
      (agent) => Effect.sync(() => agent.destroy())
    )
    const counters = { requests: 0, retries: 0 }
    const fixedHeaders: Record<string, string> = { accept: "application/json", ...options.headers }
    // Requests on the wire for every batch of this endpoint: `concurrency` is the endpoint's limit.
    let active = 0
    const waiting: Array<() => void> = []
    const wake = () => {
      while (active < options.concurrency && waiting.length > 0) waiting.shift()!()
    }
    const release = () => {
      active--
      wake()
    }

    /** One attempt; `done` is called exactly once unless the returned abort is called first. */
    const attempt = (
      spec: HttpRequestSpec,
      path: string,
      done: (outcome: HttpReply | AttemptFailure) => void
    ): (() => void) => {
      let settled = false
      let request: http.ClientRequest | undefined
      const finish = (outcome: HttpReply | AttemptFailure) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        done(outcome)
      }
      const body = spec.body
      const headers: Record<string, string> =
        spec.headers === undefined ? { ...fixedHeaders } : { ...fixedHeaders, ...spec.headers }
      if (body !== undefined) {
        headers["content-type"] = "application/json"
        headers["content-length"] = String(
          typeof body === "string" ? Buffer.byteLength(body) : body.byteLength
        )
      }
      counters.requests++
      const timer = setTimeout(() => {
        request?.destroy()
        finish({
          kind: "transient",
          reason: `no answer within ${options.timeoutMillis / 1000} s (timeout_seconds)`
        })
      }, timeoutMillis)
      try {
        request = transport.request(
          {
            agent,
            protocol: url.protocol,
            hostname,
            port,
            method: spec.method ?? (body === undefined ? "GET" : "POST"),
            path,
            headers
          },
          (response) => {
            const chunks: Array<Buffer> = []
            let size = 0
            response.on("data", (chunk: Buffer) => {
              size += chunk.length
              if (size > maxBytes) {
                request?.destroy()
                finish({
                  kind: "fatal",
                  reason: `the server's reply is larger than ${maxBytes} bytes (max_response_bytes).`
                })
              } else chunks.push(chunk)
            })
            response.on("end", () =>
              finish({
                status: response.statusCode ?? 0,
                headers: response.headers,
                body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
              })
            )
            response.on("error", () => finish({ kind: "transient", reason: "the reply was cut off" }))
            response.on("aborted", () => finish({ kind: "transient", reason: "the reply was cut off" }))
          }
        )
      } catch (error) {
        finish(connectionProblem(error as NodeJS.ErrnoException))
        return () => {}
      }
      request.on("error", (error) => finish(connectionProblem(error as NodeJS.ErrnoException)))
      request.end(body)
      const sent = request
      return () => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        sent.destroy()
      }
    }

    const retryAfterOf = (reply: HttpReply) => retryAfterMillis(reply.headers["retry-after"])

    /** What a reply means: a value, something to retry, or a failure of the batch. */
    const judge = <A>(
      reply: HttpReply,
      interpret: (reply: HttpReply, index: number) => A | Retry,
      index: number
    ): { readonly value: A } | AttemptFailure | PluginBatchError => {
      if (reply.status >= 300 && reply.status < 400) {
        return fail(
          `the server at ${origin} answered ${reply.status} (a redirect). runbatch sends requests only to the configured URL and never follows redirects; configure the final address.`,
          false
        )
      }
      if (TRANSIENT_STATUSES.has(reply.status)) {
        const text = redactor.snippet(reply.body)
        const after = retryAfterOf(reply)
        return {
          kind: "transient",
          reason: `the server answered ${reply.status}${text === "" ? "" : `: ${text}`}`,
          ...(after === undefined ? {} : { retryAfterMillis: after })
        }
      }
      try {
        const verdict = interpret(reply, index)
        if (verdict instanceof Retry) {
          return {
            kind: "transient",
            reason: verdict.reason,
            ...(verdict.retryAfterMillis === undefined ? {} : { retryAfterMillis: verdict.retryAfterMillis })
          }
        }
        return { value: verdict }
      } catch (error) {
        return error instanceof PluginBatchError
          ? fail(error.reason, error.retryable, error.retryAfterMillis)
          : fail(`reading the server's reply failed: ${String(error)}`, false)
      }
    }

    const requestAll = <A>(
      count: number,
      specOf: (index: number) => HttpRequestSpec,
      interpret: (reply: HttpReply, index: number) => A | Retry,
      tally?: { retries: number }
    ): Effect.Effect<Array<A>, PluginBatchError> =>
      Effect.callback<Array<A>, PluginBatchError>((resume) => {
        const results = new Array<A>(count)
        const attempts = new Uint32Array(count)
        const aborts = new Map<number, () => void>()
        const timers = new Set<ReturnType<typeof setTimeout>>()
        const ready: Array<number> = []
        let next = 0
        let finished = 0
        let over = false
        const stop = () => {
          over = true
          for (const timer of timers) clearTimeout(timer)
          timers.clear()
          // Requests still on the wire are dropped; their slots are free at once.
          for (const abort of aborts.values()) {
            abort()
            active--
          }
          aborts.clear()
          wake()
        }
        const failAll = (error: PluginBatchError) => {
          if (over) return
          stop()
          resume(Effect.fail(error))
        }
        const send = (index: number) => {
          const spec = specOf(index)
          const path = spec.path ?? basePath
          if (!path.startsWith("/") || path.startsWith("//")) {
            release()
            failAll(fail(`the request path ${JSON.stringify(path)} is not a path on ${origin}.`, false))
            return
          }
          attempts[index]!++
          let answered = false
          const abort = attempt(spec, path, (outcome) => {
            answered = true
            aborts.delete(index)
            release()
            if (over) return
            // The next request goes out before this reply is read: the slot never waits on parsing.
            pump()
            const verdict = "status" in outcome ? judge(outcome, interpret, index) : outcome
            if (verdict instanceof PluginBatchError) return failAll(verdict)
            if ("value" in verdict) {
              results[index] = verdict.value
              if (++finished === count) {
                over = true
                resume(Effect.succeed(results))
              }
              return
            }
            if (verdict.kind === "fatal") return failAll(fail(`${origin}: ${verdict.reason}`, false))
            const tried = attempts[index]!
            if (tried > options.retries) {
              return failAll(
                fail(
                  `${origin}: ${verdict.reason}; gave up after ${tried} attempt(s) (max_retries ${options.retries}).`,
                  true,
                  verdict.retryAfterMillis
                )
              )
            }
            counters.retries++
            if (tally !== undefined) tally.retries++
            // Waiting out a backoff holds no slot: other requests keep the server busy meanwhile.
            const timer = setTimeout(
              () => {
                timers.delete(timer)
                ready.push(index)
                pump()
              },
              backoffMillis(backoff, tried, verdict.retryAfterMillis)
            )
            timers.add(timer)
          })
          if (!answered) aborts.set(index, abort)
        }
        let queued = false
        const pump = () => {
          while (!over && (ready.length > 0 || next < count)) {
            if (active >= options.concurrency) {
              if (!queued) {
                queued = true
                waiting.push(() => {
                  queued = false
                  pump()
                })
              }
              return
            }
            active++
            send(ready.length > 0 ? ready.shift()! : next++)
          }
        }
        if (count === 0) {
          resume(Effect.succeed(results))
          return
        }
        pump()
        return Effect.sync(stop)
      })

    const request = <A>(
      spec: HttpRequestSpec,
      interpret: (reply: HttpReply) => A | Retry
    ): Effect.Effect<A, PluginBatchError> =>
      Effect.map(
        requestAll(1, () => spec, interpret),
        (results) => results[0]!
      )

    return { origin, path: basePath, request, requestAll, redact, redactor, counters } satisfies HttpEndpoint
  })

// ---------------------------------------------------------------------------------------------------
// Engine options

const positive = Schema.Number.check(Schema.isGreaterThan(0))

/** Seconds a timer can wait, at most (MAX_TIMER_MILLIS): timeouts and backoffs beyond it are refused. */
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MILLIS / 1000)

/** Positive seconds a timer can wait. */
const timerSeconds = positive.check(
  Schema.makeFilter((seconds: number) =>
    seconds <= MAX_TIMER_SECONDS
      ? undefined
      : `must be at most ${MAX_TIMER_SECONDS} (about 24 days: the longest a timer waits)`
  )
)

/**
 * The options every HTTP engine takes (snake_case, as users write them in YAML), all optional:
 * `concurrency` (requests in flight per worker), `timeout_seconds` (one attempt), `max_retries` (per
 * request), `backoff_initial_seconds` and `backoff_max_seconds` (also the longest wait a server's
 * Retry-After gets), `max_response_bytes`. Durations are at most MAX_TIMER_SECONDS.
 */
export const httpOptionFields = {
  concurrency: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThan(0))),
  timeout_seconds: Schema.optionalKey(timerSeconds),
  max_retries: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  backoff_initial_seconds: Schema.optionalKey(timerSeconds),
  backoff_max_seconds: Schema.optionalKey(timerSeconds),
  max_response_bytes: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThan(0)))
}

export interface HttpOptionValues {
  readonly concurrency?: number
  readonly timeout_seconds?: number
  readonly max_retries?: number
  readonly backoff_initial_seconds?: number
  readonly backoff_max_seconds?: number
  readonly max_response_bytes?: number
}

/** The endpoint settings those options give, with an engine's defaults for the unset ones. */
export const httpSettings = (
  values: HttpOptionValues,
  defaults: { readonly concurrency: number; readonly timeoutSeconds: number; readonly maxRetries: number }
): Pick<
  HttpEndpointOptions,
  "concurrency" | "timeoutMillis" | "retries" | "backoff" | "maxResponseBytes"
> => ({
  concurrency: values.concurrency ?? defaults.concurrency,
  timeoutMillis: Math.round((values.timeout_seconds ?? defaults.timeoutSeconds) * 1000),
  retries: values.max_retries ?? defaults.maxRetries,
  backoff: {
    initialMillis: Math.round((values.backoff_initial_seconds ?? 0.25) * 1000),
    maxMillis: Math.round((values.backoff_max_seconds ?? 30) * 1000)
  },
  ...(values.max_response_bytes === undefined ? {} : { maxResponseBytes: values.max_response_bytes })
})

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** The name of an environment variable (its value is read where the job runs, never stored). */
export const EnvironmentVariableName = Schema.String.check(
  Schema.makeFilter((name) =>
    ENV_NAME.test(name) ? undefined : `must be the name of an environment variable (e.g. MODEL_API_KEY)`
  )
)

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * Decode an engine's options at plan time. Unknown keys are refused by name only — never quoting a
 * value, since a misplaced secret (`api_key: sk-…`) must not reach an error message.
 */
export const decodeEngineOptions = <A>(
  engine: string,
  schema: Schema.Decoder<A> & { readonly fields: Readonly<Record<string, unknown>> },
  options: unknown,
  hints: Readonly<Record<string, string>> = {}
): Effect.Effect<A, EnginePrepareError> => {
  const doc = `See docs/plugins/engine-${engine}.md for the options.`
  const known = Object.keys(schema.fields)
  const given = typeof options === "object" && options !== null ? Object.keys(options) : []
  const unknown = given.filter((key) => !known.includes(key))
  if (unknown.length > 0) {
    const hint = unknown.map((key) => hints[key]).find((h) => h !== undefined)
    return Effect.fail(
      new EnginePrepareError({
        engine,
        reason: `unknown engine option(s) ${unknown.join(", ")}; the options are ${known.join(", ")}.`,
        fix: hint ?? doc
      })
    )
  }
  return Schema.decodeUnknownEffect(schema)(options ?? {}, { errors: "all" }).pipe(
    Effect.mapError(
      (error) =>
        new EnginePrepareError({
          engine,
          reason: `its engine options are invalid: ${formatter(error.issue)
            .issues.map((i) => `${(i.path ?? []).map(String).join(".") || "options"}: ${i.message}`)
            .join("; ")}.`,
          fix: doc
        })
    )
  )
}
