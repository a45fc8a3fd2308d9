/**
 * What the fake model servers share: a real HTTP server on 127.0.0.1 with a fixed latency, faults
 * injected by rule (429 or 503 with Retry-After, 500, a request never answered, malformed JSON, a
 * redirect, a reset connection, an answer given whole — any status and body —, and for batch servers
 * wrong, duplicated or missing row numbers), a log of the requests it saw and counters (most requests
 * in flight at once, open connections).
 *
 * Fault rules are plain data, so a server in a child process (FakeServerProcess) takes the same ones.
 * Chance is drawn from a seeded generator: a run injects the same faults each time.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { OnnxModels } from "@runbatch/samples"

export type FaultKind =
  | "429"
  | "503"
  | "500"
  | "timeout"
  | "malformed"
  | "redirect"
  | "reset"
  | "wrong-index"
  | "duplicate-index"
  | "missing-row"
  | "answer"

export interface Fault {
  readonly kind: FaultKind
  /** Chance per request (default 1: every request the rule applies to). */
  readonly probability?: number
  /** Inject at most this many times (default: no limit). */
  readonly times?: number
  /** Only for requests whose body contains this text. */
  readonly matching?: string
  /** 429 and 503: the Retry-After header, in seconds (default none). */
  readonly retryAfterSeconds?: number
  /** 429, 503 and 500: the Retry-After header as sent, any text (an HTTP date, garbage); wins over retryAfterSeconds. */
  readonly retryAfter?: string
  /** 429, 503, 500 and answer: the body (default a JSON error naming the fault; for answer, empty). */
  readonly body?: string
  /** answer: the status (default 400). */
  readonly status?: number
  /** redirect: the Location (default `/elsewhere` on this server). */
  readonly location?: string
}

export interface FakeServerOptions {
  /** Milliseconds before each answer (default 0). */
  readonly latencyMillis?: number
  readonly faults?: ReadonlyArray<Fault>
  /** Seed of the fault dice (default 1). */
  readonly seed?: number
  /** Keep each request's method, path, headers and body (default true; off for benchmarks). */
  readonly record?: boolean
}

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: string
}

export interface FakeServerStats {
  /** Requests received (faulted ones included). */
  readonly requests: number
  /** Requests answered normally. */
  readonly answered: number
  /** Faults injected, by kind. */
  readonly faults: Readonly<Partial<Record<FaultKind, number>>>
  /** The most requests being handled at one time. */
  readonly maxInFlight: number
  /** Requests being handled now. */
  readonly inFlight: number
  /** Connections open now. */
  readonly openConnections: number
  /** Connections accepted so far. */
  readonly connections: number
  /** When the first request arrived and the last answer was sent (epoch milliseconds; 0 before). */
  readonly firstRequestAt: number
  readonly lastAnswerAt: number
  /** Mean milliseconds from a request's arrival to its answer (timer slack included). */
  readonly meanLatencyMillis: number
}

export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  readonly requests: ReadonlyArray<RecordedRequest>
  readonly stats: () => FakeServerStats
  readonly setFaults: (faults: ReadonlyArray<Fault>) => void
  readonly setLatency: (millis: number) => void
  /** Stop listening and drop every connection. */
  readonly close: () => Promise<void>
}

/** What a server's handler returns: status, headers and body. */
export interface Reply {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body: string
}

/** A request as a handler sees it, with the fault that applies to it (if any). */
export interface HandledRequest extends RecordedRequest {
  readonly fault: Fault | undefined
}

/** Seeded dice (the samples' mulberry32). */
export const seeded: (seed: number) => () => number = OnnxModels.random

/** Faults that a handler applies to its answer (the rest are applied here). */
const HANDLER_FAULTS: ReadonlySet<FaultKind> = new Set(["wrong-index", "duplicate-index", "missing-row"])

/**
 * Start a fake server whose answers come from `handle` (faults other than row-number ones are applied
 * before it is called).
 */
export const startFakeServer = (
  options: FakeServerOptions,
  handle: (request: HandledRequest) => Reply
): Promise<FakeServer> => {
  let faults = [...(options.faults ?? [])]
  let injected = new Map<Fault, number>()
  let latency = options.latencyMillis ?? 0
  const dice = seeded(options.seed ?? 1)
  const record = options.record ?? true
  const requests: Array<RecordedRequest> = []
  const counts: Partial<Record<FaultKind, number>> = {}
  const sockets = new Set<Socket>()
  let total = 0
  let answered = 0
  let inFlight = 0
  let maxInFlight = 0
  let connections = 0
  let firstRequestAt = 0
  let lastAnswerAt = 0
  let latencySum = 0
  let timed = 0

  const pickFault = (body: string): Fault | undefined => {
    for (const fault of faults) {
      if (fault.matching !== undefined && !body.includes(fault.matching)) continue
      const used = injected.get(fault) ?? 0
      if (fault.times !== undefined && used >= fault.times) continue
      if ((fault.probability ?? 1) < 1 && dice() >= (fault.probability ?? 1)) continue
      injected.set(fault, used + 1)
      counts[fault.kind] = (counts[fault.kind] ?? 0) + 1
      return fault
    }
    return undefined
  }

  const serve = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const arrived = performance.now()
    if (total === 0) firstRequestAt = Date.now()
    total++
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    let done = false
    const finish = () => {
      if (!done) {
        done = true
        inFlight--
      }
    }
    res.on("close", finish)
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: { ...req.headers },
      body
    }
    if (record) requests.push(recorded)
    const fault = pickFault(body)
    if (fault?.kind === "timeout") return // never answered; the client gives up
    const answer = () => {
      if (res.destroyed) return
      if (fault?.kind === "reset") {
        req.socket.destroy()
        return
      }
      let reply: Reply
      if (fault?.kind === "429" || fault?.kind === "503" || fault?.kind === "500") {
        const retryAfter =
          fault.retryAfter ??
          (fault.retryAfterSeconds === undefined ? undefined : String(fault.retryAfterSeconds))
        reply = {
          status: Number(fault.kind),
          headers: retryAfter === undefined ? {} : { "retry-after": retryAfter },
          body: fault.body ?? JSON.stringify({ error: { message: `injected ${fault.kind}` } })
        }
      } else if (fault?.kind === "answer") {
        reply = { status: fault.status ?? 400, body: fault.body ?? "" }
      } else if (fault?.kind === "malformed") {
        reply = { status: 200, headers: { "content-type": "application/json" }, body: '{"data": [[0, "tru' }
      } else if (fault?.kind === "redirect") {
        reply = { status: 307, headers: { location: fault.location ?? "/elsewhere" }, body: "" }
      } else {
        reply = handle({
          ...recorded,
          fault: fault !== undefined && HANDLER_FAULTS.has(fault.kind) ? fault : undefined
        })
        if (reply.status < 300) answered++
      }
      res.writeHead(reply.status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(reply.body),
        ...reply.headers
      })
      res.end(reply.body)
      lastAnswerAt = Date.now()
      latencySum += performance.now() - arrived
      timed++
    }
    if (latency > 0) setTimeout(answer, latency)
    else answer()
  }

  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => serve(req, res, Buffer.concat(chunks).toString("utf8")))
  })
  server.on("connection", (socket) => {
    connections++
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })

  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        requests,
        stats: () => ({
          requests: total,
          answered,
          faults: { ...counts },
          maxInFlight,
          inFlight,
          openConnections: sockets.size,
          connections,
          firstRequestAt,
          lastAnswerAt,
          meanLatencyMillis: timed === 0 ? 0 : latencySum / timed
        }),
        setFaults: (next) => {
          faults = [...next]
          injected = new Map()
        },
        setLatency: (millis) => {
          latency = millis
        },
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })
}

/** A JSON reply. */
export const json = (status: number, value: unknown): Reply => ({ status, body: JSON.stringify(value) })
