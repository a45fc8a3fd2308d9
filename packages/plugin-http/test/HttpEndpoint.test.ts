import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { createServer as createTlsServer } from "node:https"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Schema } from "effect"
import {
  backoffMillis,
  decodeEngineOptions,
  endpointUrlProblem,
  headerNameProblem,
  httpEndpoint,
  httpOptionFields,
  isCredentialHeader,
  Retry,
  retryAfterMillis,
  secretFromEnvironment
} from "../src/index.ts"

/** A server on 127.0.0.1 answering with `handle`; counts requests in flight. */
const serve = async (handle: (req: IncomingMessage, res: ServerResponse, n: number) => void) => {
  let n = 0
  let inFlight = 0
  let maxInFlight = 0
  const server = createServer((req, res) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    res.on("close", () => inFlight--)
    req.resume()
    req.on("end", () => handle(req, res, n++))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats: () => ({ requests: n, inFlight, maxInFlight }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

const settings = {
  concurrency: 4,
  timeoutMillis: 2_000,
  retries: 3,
  backoff: { initialMillis: 1, maxMillis: 5 }
}

const text = (reply: { body: Buffer }) => reply.body.toString()

describe("httpEndpoint", () => {
  it("keeps at most `concurrency` requests on the wire across batches, answers in order", async () => {
    const server = await serve((_req, res, n) => setTimeout(() => res.end(String(n)), 10))
    try {
      const results = await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const endpoint = yield* httpEndpoint({ plugin: "t", url: server.url, ...settings })
            const batch = endpoint.requestAll(
              10,
              (i) => ({ body: `{"i":${i}}` }),
              (reply, i) => [i, text(reply)]
            )
            return yield* Effect.all([batch, batch], { concurrency: 2 })
          })
        )
      )
      expect(results[0]!.map(([i]) => i)).toEqual(Array.from({ length: 10 }, (_, i) => i))
      expect(server.stats()).toMatchObject({ requests: 20, maxInFlight: 4 })
    } finally {
      await server.close()
    }
  })

  it("frees the slots of an interrupted batch, dropping its requests from the wire", async () => {
    let slow = true
    const server = await serve((_req, res) => (slow ? undefined : res.end("ok")))
    try {
      await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const endpoint = yield* httpEndpoint({ plugin: "t", url: server.url, ...settings })
            const fiber = yield* Effect.forkChild(endpoint.requestAll(8, () => ({}), text))
            while (server.stats().inFlight < 4) yield* Effect.sleep(5)
            yield* Fiber.interrupt(fiber)
            while (server.stats().inFlight > 0) yield* Effect.sleep(5)
            slow = false
            const again = yield* endpoint.requestAll(8, () => ({}), text)
            expect(again).toEqual(Array.from({ length: 8 }, () => "ok"))
          })
        )
      )
      expect(server.stats().requests).toBe(12)
    } finally {
      await server.close()
    }
  })

  it("retries what the caller finds malformed and transient statuses, then gives up, retryable", async () => {
    const server = await serve((_req, res, n) => {
      if (n === 0) res.end("garbage")
      else if (n === 1) {
        res.statusCode = 503
        res.setHeader("retry-after", "0")
        res.end("busy")
      } else if (n === 2) res.end("good")
      else {
        res.statusCode = 500
        res.end("broken")
      }
    })
    try {
      const run = <A>(f: (e: Effect.Success<ReturnType<typeof httpEndpoint>>) => Effect.Effect<A, unknown>) =>
        Effect.runPromiseExit(
          Effect.scoped(Effect.flatMap(httpEndpoint({ plugin: "t", url: server.url, ...settings }), f))
        )
      const first = await run((e) =>
        e.request({}, (reply) => (text(reply) === "garbage" ? new Retry("malformed") : text(reply)))
      )
      expect(Exit.isSuccess(first) && first.value).toBe("good")
      const second = await run((e) => e.request({}, text))
      const error = Exit.isFailure(second)
        ? (Cause.squash(second.cause) as { retryable: boolean; message: string })
        : undefined
      expect(error?.retryable).toBe(true)
      expect(error?.message).toContain(
        "the server answered 500: broken; gave up after 4 attempt(s) (max_retries 3)"
      )
    } finally {
      await server.close()
    }
  })

  it("counts each call's retries in its own tally while calls share the endpoint", async () => {
    const seen = new Set<string>()
    const server = await serve((req, res) => {
      const path = req.url ?? ""
      // Batch "a" gets each of its requests answered 503 once; batch "b" never.
      if (path.startsWith("/a/") && !seen.has(path)) {
        seen.add(path)
        res.statusCode = 503
        res.setHeader("retry-after", "0")
        res.end("busy")
      } else res.end("ok")
    })
    try {
      const a = { retries: 0 }
      const b = { retries: 0 }
      const counters = await Effect.runPromise(
        Effect.scoped(
          Effect.flatMap(httpEndpoint({ plugin: "t", url: server.url, ...settings }), (e) =>
            Effect.map(
              Effect.all(
                [
                  e.requestAll(3, (i) => ({ path: `/a/${i}` }), text, a),
                  e.requestAll(4, (i) => ({ path: `/b/${i}` }), text, b)
                ],
                { concurrency: "unbounded" }
              ),
              () => ({ ...e.counters })
            )
          )
        )
      )
      expect([a.retries, b.retries]).toEqual([3, 0])
      expect(counters).toEqual({ requests: 10, retries: 3 })
    } finally {
      await server.close()
    }
  })

  it("refuses a path that would leave the origin", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.scoped(
        Effect.flatMap(httpEndpoint({ plugin: "t", url: "http://127.0.0.1:9/", ...settings }), (e) =>
          e.request({ path: "//elsewhere.example/x" }, text)
        )
      )
    )
    expect(Exit.isFailure(exit) && String(Cause.squash(exit.cause))).toContain(
      "is not a path on http://127.0.0.1:9"
    )
  })

  it("redacts secrets from every message", async () => {
    const server = await serve((req, res) => {
      res.statusCode = 401
      res.end(`bad key ${String(req.headers["x-key"])}`)
    })
    try {
      const exit = await Effect.runPromiseExit(
        Effect.scoped(
          Effect.flatMap(
            httpEndpoint({
              plugin: "t",
              url: server.url,
              headers: { "x-key": "s3cret" },
              secrets: ["s3cret"],
              ...settings
            }),
            (e) =>
              e.request({}, (reply) => {
                expect(e.redact("a s3cret b")).toBe("a *** b")
                throw new (class extends Error {})(text(reply))
              })
          )
        )
      )
      expect(JSON.stringify(Exit.isFailure(exit) ? Cause.squash(exit.cause) : "")).not.toContain("s3cret")
    } finally {
      await server.close()
    }
  })
})

describe("httpEndpoint and a server's Retry-After", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  // Each is answered 429 with it every time: the request gives up after its retries, having waited at
  // most the cap (5 ms, +20%) between attempts, and no timer is armed beyond what Node can wait.
  for (const retryAfter of [
    "99999999999",
    "3600",
    new Date(Date.now() + 30 * 24 * 3600 * 1000).toUTCString(),
    new Date(Date.now() - 3600 * 1000).toUTCString(),
    "garbage",
    "-1"
  ]) {
    it(`gives up within the request's budget when every answer is 429 with Retry-After: ${retryAfter}`, async () => {
      const server = await serve((_req, res) => {
        res.statusCode = 429
        res.setHeader("retry-after", retryAfter)
        res.end("slow down")
      })
      const warnings: Array<string> = []
      const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`)
      process.on("warning", onWarning)
      const delays: Array<number> = []
      const realSetTimeout = globalThis.setTimeout
      vi.spyOn(globalThis, "setTimeout").mockImplementation(((f: () => void, ms?: number) => {
        delays.push(ms ?? 0)
        return realSetTimeout(f, ms)
      }) as typeof setTimeout)
      try {
        const { exit, counters } = await Effect.runPromise(
          Effect.scoped(
            Effect.flatMap(httpEndpoint({ plugin: "t", url: server.url, ...settings, retries: 2 }), (e) =>
              Effect.map(
                // A stalled request fails the test here instead of hanging it (a real clock's guard).
                Effect.exit(Effect.timeout(e.request({}, text), "10 seconds")),
                (exit) => ({ exit, counters: { ...e.counters } })
              )
            )
          )
        )
        await new Promise((resolve) => realSetTimeout(resolve, 10)) // warnings are emitted on a later tick
        const error = failureOf(exit) as { retryable: boolean; message: string; retryAfterMillis?: number }
        expect(error.message).toContain(
          "the server answered 429: slow down; gave up after 3 attempt(s) (max_retries 2)"
        )
        expect(error.retryable).toBe(true)
        expect(error.retryAfterMillis ?? 0).toBeLessThanOrEqual(settings.backoff.maxMillis)
        expect(counters).toEqual({ requests: 3, retries: 2 })
        const waits = delays.filter((ms) => ms !== settings.timeoutMillis && ms !== 10_000)
        expect(waits).toHaveLength(2)
        for (const ms of waits) expect(ms).toBeLessThanOrEqual(settings.backoff.maxMillis * 1.2)
        expect(Math.max(...delays)).toBeLessThanOrEqual(2 ** 31 - 1)
        expect(warnings).toEqual([])
      } finally {
        process.off("warning", onWarning)
        await server.close()
      }
    })
  }
})

/** An HTTPS server on 127.0.0.1 with the test-only self-signed certificate (127.0.0.1, localhost). */
const serveTls = async () => {
  const tls = (name: string) => readFileSync(new URL(`./fixtures/tls/${name}`, import.meta.url))
  let requests = 0
  const server = createTlsServer(
    { cert: tls("localhost-cert.pem"), key: tls("localhost-key.pem") },
    (_req, res) => {
      requests++
      res.end("secure hello")
    }
  )
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats: () => ({ requests }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

const failureOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) ? (Cause.squash(exit.cause) as { retryable: boolean; message: string }) : undefined

describe("httpEndpoint over HTTPS", () => {
  it("fails at once on a certificate no authority vouches for, saying how to trust a private one", async () => {
    const server = await serveTls()
    try {
      const { exit, counters } = await Effect.runPromise(
        Effect.scoped(
          Effect.flatMap(httpEndpoint({ plugin: "t", url: server.url, ...settings }), (e) =>
            Effect.map(Effect.exit(e.request({}, text)), (exit) => ({ exit, counters: { ...e.counters } }))
          )
        )
      )
      const error = failureOf(exit)
      expect(error?.retryable).toBe(false)
      expect(error?.message).toContain("its TLS certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)")
      expect(error?.message).toContain("NODE_EXTRA_CA_CERTS=/path/to/ca.pem")
      // One attempt, no retries (max_retries 3), and nothing reached the server's handler.
      expect(counters).toEqual({ requests: 1, retries: 0 })
      expect(server.stats().requests).toBe(0)
    } finally {
      await server.close()
    }
  })

  it("says so when the URL is https: and the server speaks plain http:", async () => {
    const server = await serve((_req, res) => res.end("plain"))
    try {
      const url = server.url.replace("http:", "https:")
      const exit = await Effect.runPromiseExit(
        Effect.scoped(
          Effect.flatMap(httpEndpoint({ plugin: "t", url, ...settings }), (e) => e.request({}, text))
        )
      )
      expect(failureOf(exit)).toMatchObject({ retryable: false })
      expect(failureOf(exit)?.message).toContain("it does not answer in TLS; is the URL https:")
    } finally {
      await server.close()
    }
  })

  it("talks to a server signed by an authority given in NODE_EXTRA_CA_CERTS", async () => {
    const server = await serveTls()
    const script = fileURLToPath(new URL("./fixtures/https-request.mjs", import.meta.url))
    const ca = fileURLToPath(new URL("./fixtures/tls/localhost-cert.pem", import.meta.url))
    const request = (env: Record<string, string>) =>
      new Promise<{ reply?: string; error?: string }>((resolve, reject) =>
        execFile(
          process.execPath,
          [script, server.url],
          { env: { ...process.env, ...env } },
          (error, stdout) => (error === null ? resolve(JSON.parse(stdout)) : reject(error))
        )
      )
    try {
      expect(await request({ NODE_EXTRA_CA_CERTS: ca })).toEqual({ reply: "secure hello" })
      expect((await request({})).error).toContain("its TLS certificate is not trusted")
    } finally {
      await server.close()
    }
  })
})

/** Runs of eight characters of `secret` found in `text` (whole, or a prefix or suffix left by a cut). */
const leaks = (text: string, secret: string): Array<string> =>
  Array.from({ length: secret.length - 7 }, (_, i) => secret.slice(i, i + 8)).filter((run) =>
    text.includes(run)
  )

/** 600 characters with `secret` at offset `at`, as a server quoting a header back in a long error. */
const quoting = (secret: string, at: number) =>
  `${"-".repeat(at - 1)} ${secret} ${"-".repeat(600 - at - secret.length - 1)}`

describe("httpEndpoint keeps secrets out of what a server says", () => {
  const SECRET = "tok-3f9a0c7e5b21d8"
  const withSecret = { headers: { authorization: `Bearer ${SECRET}` }, secrets: [SECRET], ...settings }

  it("redacts a secret quoted anywhere around the cut of a reply's quote (offsets 270–330 of 600)", async () => {
    let at = 0
    const server = await serve((_req, res) => {
      res.statusCode = 500
      res.end(quoting(`Bearer ${SECRET}`, at))
    })
    try {
      for (at = 270; at <= 330; at++) {
        const exit = await Effect.runPromiseExit(
          Effect.scoped(
            Effect.flatMap(httpEndpoint({ plugin: "t", url: server.url, ...withSecret, retries: 0 }), (e) =>
              e.request({}, text)
            )
          )
        )
        const message = failureOf(exit)?.message ?? ""
        expect(message, `secret at ${at}`).toContain("the server answered 500: ---")
        expect(leaks(message, SECRET), `secret at ${at}: ${message}`).toEqual([])
        expect(leaks(JSON.stringify(Exit.isFailure(exit) ? exit.cause : ""), SECRET)).toEqual([])
      }
    } finally {
      await server.close()
    }
  })
})

describe("HTTP engine helpers", () => {
  it("reads Retry-After as seconds or a date to come; a date past, or garbage, says nothing", () => {
    expect(retryAfterMillis("2")).toBe(2000)
    expect(retryAfterMillis("0.5")).toBe(500)
    expect(retryAfterMillis("99999999999")).toBe(99_999_999_999_000)
    expect(retryAfterMillis(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1000)
    expect(retryAfterMillis(new Date(Date.now() - 3000).toUTCString())).toBeUndefined()
    expect(retryAfterMillis("Thu, 01 Jan 1970 00:00:00 GMT")).toBeUndefined()
    for (const garbage of ["soon", "-5", "1e3", "0x10", "Infinity", "12 34", "", "9".repeat(400)])
      expect(retryAfterMillis(garbage), garbage).toBeUndefined()
    expect(retryAfterMillis(undefined)).toBeUndefined()
  })

  it("waits what Retry-After asks (plus up to 20%) up to the backoff's cap, never a timer Node cannot arm", () => {
    const backoff = { initialMillis: 100, maxMillis: 1000 }
    for (let i = 0; i < 50; i++) {
      const asked = backoffMillis(backoff, 3, 500)
      expect(asked).toBeGreaterThanOrEqual(500)
      expect(asked).toBeLessThanOrEqual(600)
      // More than the cap, however much more: the cap (plus up to 20%).
      for (const retryAfter of [1500, 3_600_000, 99_999_999_999_000, Number.POSITIVE_INFINITY]) {
        const delay = backoffMillis(backoff, 3, retryAfter)
        expect(delay, String(retryAfter)).toBeGreaterThanOrEqual(1000)
        expect(delay, String(retryAfter)).toBeLessThanOrEqual(1200)
      }
      // Nonsense asks count as no ask: the exponential backoff.
      for (const retryAfter of [Number.NaN, -5]) {
        const delay = backoffMillis(backoff, 3, retryAfter)
        expect(delay).toBeGreaterThanOrEqual(retryAfter < 0 ? 0 : 320)
        expect(delay).toBeLessThanOrEqual(retryAfter < 0 ? 0 : 480)
      }
      const exponential = backoffMillis(backoff, 3)
      expect(exponential).toBeGreaterThanOrEqual(320)
      expect(exponential).toBeLessThanOrEqual(480)
      expect(backoffMillis(backoff, 10)).toBeLessThanOrEqual(1200)
      // A cap beyond what a timer can wait (2^31-1 ms, ~24.8 days) is cut to that.
      expect(backoffMillis({ initialMillis: 100, maxMillis: 1e13 }, 60)).toBeLessThanOrEqual(2 ** 31 - 1)
      expect(backoffMillis({ initialMillis: 100, maxMillis: 1e13 }, 1, 1e12)).toBeLessThanOrEqual(2 ** 31 - 1)
    }
  })

  it("checks URLs, header names and which headers carry credentials", () => {
    expect(endpointUrlProblem("http://127.0.0.1:8000/v1")).toBeUndefined()
    expect(endpointUrlProblem("file:///etc/passwd")).toContain("must be http: or https:")
    expect(endpointUrlProblem("https://u:p@example.com/")).toContain("user name or password")
    expect(endpointUrlProblem("/relative")).toContain("is not an absolute URL")
    expect(headerNameProblem("X-Tenant")).toBeUndefined()
    expect(headerNameProblem("Host")).toContain("set by runbatch")
    expect(headerNameProblem("Transfer-Encoding")).toContain("set by runbatch")
    expect(headerNameProblem("a b")).toContain("not a valid HTTP header name")
    for (const name of ["Authorization", "X-Api-Key", "X-Auth-Token", "Cookie", "api-secret"])
      expect(isCredentialHeader(name), name).toBe(true)
    for (const name of ["X-Tenant", "Accept-Language"]) expect(isCredentialHeader(name), name).toBe(false)
  })

  it("reads a secret from the environment, naming only the variable when it is missing", async () => {
    process.env["RUNBATCH_TEST_HELPER_SECRET"] = "value-1"
    expect(
      await Effect.runPromise(secretFromEnvironment("t", "api_key_env", "RUNBATCH_TEST_HELPER_SECRET"))
    ).toBe("value-1")
    delete process.env["RUNBATCH_TEST_HELPER_SECRET"]
    const exit = await Effect.runPromiseExit(
      secretFromEnvironment("t", "api_key_env", "RUNBATCH_TEST_HELPER_SECRET")
    )
    expect(Exit.isFailure(exit) && String(Cause.squash(exit.cause))).toContain(
      "the environment variable RUNBATCH_TEST_HELPER_SECRET (named by api_key_env) is not set"
    )
  })

  it("decodes engine options, refusing unknown keys by name without quoting values", async () => {
    const schema = Schema.Struct({ url: Schema.String, ...httpOptionFields })
    const ok = await Effect.runPromise(decodeEngineOptions("x", schema, { url: "u", concurrency: 3 }))
    expect(ok).toEqual({ url: "u", concurrency: 3 })
    const unknown = await Effect.runPromiseExit(
      decodeEngineOptions(
        "x",
        schema,
        { url: "u", api_key: "sk-123" },
        { api_key: "Use an environment variable." }
      )
    )
    const message = Exit.isFailure(unknown) ? String(Cause.squash(unknown.cause)) : ""
    expect(message).toContain("unknown engine option(s) api_key")
    expect(message).toContain("Use an environment variable.")
    expect(message).not.toContain("sk-123")
    const bad = await Effect.runPromiseExit(decodeEngineOptions("x", schema, { url: "u", max_retries: -1 }))
    expect(Exit.isFailure(bad) && String(Cause.squash(bad.cause))).toContain("max_retries")
  })

  it("refuses a timeout or backoff longer than a timer can wait (about 24 days)", async () => {
    const schema = Schema.Struct({ url: Schema.String, ...httpOptionFields })
    const longest = {
      timeout_seconds: 2_147_483,
      backoff_initial_seconds: 2_147_483,
      backoff_max_seconds: 2_147_483
    }
    expect(await Effect.runPromise(decodeEngineOptions("x", schema, { url: "u", ...longest }))).toEqual({
      url: "u",
      ...longest
    })
    for (const option of ["timeout_seconds", "backoff_initial_seconds", "backoff_max_seconds"]) {
      const exit = await Effect.runPromiseExit(
        decodeEngineOptions("x", schema, { url: "u", [option]: 99999999999 })
      )
      expect(Exit.isFailure(exit) && String(Cause.squash(exit.cause))).toContain(
        `${option}: must be at most 2147483 (about 24 days`
      )
    }
  })
})
