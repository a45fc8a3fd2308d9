/** A busy or broken server: every fault the fake server injects, each row answered exactly once. */
import { describe, expect, it } from "@effect/vitest"
import { FakeOpenAiServer } from "@runbatch/testkit"
import { Cause, Exit } from "effect"
import { messagesBatch, request, rows, run, runExit } from "./support.ts"

const quick = { model: "fake-model", backoff_initial_seconds: 0.001, backoff_max_seconds: 0.01 }

const withServer = async <A>(
  options: FakeOpenAiServer.FakeOpenAiOptions,
  f: (server: Awaited<ReturnType<typeof FakeOpenAiServer.start>>) => Promise<A>
) => {
  const server = await FakeOpenAiServer.start(options)
  try {
    return await f(server)
  } finally {
    await server.close()
  }
}

/** `promise`, or a failure after `millis` of real time: a stalled retry fails its test instead of hanging it. */
const guarded = <A>(promise: Promise<A>, millis = 10_000): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${millis} ms`)), millis)
  })
  return Promise.race([promise, stalled]).finally(() => clearTimeout(timer))
}

const contents = (batch: Parameters<typeof rows>[0]) =>
  rows(batch).map((r) => (r["choices"] as Array<{ message: { content: string } }>)[0]!.message.content)

describe("the vllm engine against a failing server", () => {
  it("waits out a 429's Retry-After (within backoff_max_seconds) before trying again", () =>
    withServer({ faults: [{ kind: "429", retryAfterSeconds: 1, times: 1 }] }, async (server) => {
      const started = performance.now()
      const result = await run(
        request({ ...quick, base_url: server.url, backoff_max_seconds: 2 }),
        messagesBatch(["hello"])
      )
      expect(performance.now() - started).toBeGreaterThanOrEqual(990)
      expect(contents(result.outputs)).toEqual(["echo: hello"])
      expect(result.metrics?.["http_retries"]).toBe(1)
    }))

  it("waits at most backoff_max_seconds whatever a 429's Retry-After asks, and a row's budget ends", async () => {
    const asks = [
      "99999999999",
      "3600",
      new Date(Date.now() + 30 * 24 * 3600 * 1000).toUTCString(),
      new Date(Date.now() - 3600 * 1000).toUTCString(),
      "garbage"
    ]
    const warnings: Array<string> = []
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`)
    process.on("warning", onWarning)
    try {
      // Each row is told once to come back much later (or told nonsense): each is retried after at
      // most 50 ms and answered.
      await withServer(
        {
          faults: asks.map((retryAfter, i) => ({
            kind: "429" as const,
            matching: `ask-${i}.`,
            times: 1,
            retryAfter
          }))
        },
        async (server) => {
          const prompts = asks.map((_, i) => `ask-${i}.`)
          const result = await guarded(
            run(
              request({ ...quick, base_url: server.url, backoff_max_seconds: 0.05 }),
              messagesBatch(prompts)
            )
          )
          expect(contents(result.outputs)).toEqual(prompts.map((p) => `echo: ${p}`))
          expect(result.metrics?.["http_retries"]).toBe(asks.length)
        }
      )
      // Told so every time: the row's budget ends, and the batch fails retryable with the cap as its ask.
      await withServer({ faults: [{ kind: "429", retryAfter: "99999999999" }] }, async (server) => {
        const exit = await guarded(
          runExit(
            request({ ...quick, base_url: server.url, backoff_max_seconds: 0.05, max_retries: 2 }),
            messagesBatch(["hello"])
          )
        )
        const error = Exit.isFailure(exit)
          ? (Cause.squash(exit.cause) as { retryable: boolean; message: string; retryAfterMillis?: number })
          : undefined
        expect(error?.message).toContain("answered 429")
        expect(error?.message).toContain("gave up after 3 attempt(s) (max_retries 2)")
        expect(error?.retryable).toBe(true)
        expect(error?.retryAfterMillis).toBe(50)
        expect(server.stats().requests).toBe(3)
      })
      await new Promise((resolve) => setTimeout(resolve, 10)) // warnings are emitted on a later tick
      expect(warnings).toEqual([])
    } finally {
      process.off("warning", onWarning)
    }
  })

  it("retries 503, 500, a reset connection, malformed JSON and a request never answered", () =>
    withServer(
      {
        faults: [
          { kind: "503", matching: "row-1", times: 1, retryAfterSeconds: 0 },
          { kind: "500", matching: "row-2", times: 2 },
          { kind: "reset", matching: "row-3", times: 1 },
          { kind: "malformed", matching: "row-4", times: 1 },
          { kind: "timeout", matching: "row-5", times: 1 }
        ]
      },
      async (server) => {
        const prompts = Array.from({ length: 7 }, (_, i) => `row-${i}`)
        const result = await run(
          request({ ...quick, base_url: server.url, timeout_seconds: 0.3 }),
          messagesBatch(prompts)
        )
        expect(contents(result.outputs)).toEqual(prompts.map((p) => `echo: ${p}`))
        expect(result.rowErrors).toEqual([])
        expect(result.metrics?.["http_retries"]).toBe(6)
        expect(server.stats().faults).toEqual({ "503": 1, "500": 2, reset: 1, malformed: 1, timeout: 1 })
      }
    ))

  it("answers every row exactly once when a fifth of the requests get 429", () =>
    withServer(
      { faults: [{ kind: "429", probability: 0.2, retryAfterSeconds: 0 }], seed: 7 },
      async (server) => {
        const prompts = Array.from({ length: 300 }, (_, i) => `prompt number ${i}`)
        const result = await run(
          request({ ...quick, base_url: server.url, concurrency: 16 }),
          messagesBatch(prompts)
        )
        expect(contents(result.outputs)).toEqual(prompts.map((p) => `echo: ${p}`))
        const stats = server.stats()
        expect(stats.answered).toBe(300)
        expect(stats.faults["429"]).toBeGreaterThan(30)
        expect(result.metrics?.["http_retries"]).toBe(stats.faults["429"])
      }
    ))

  it("fails the batch, retryable, when a row's retry budget is spent", () =>
    withServer({ faults: [{ kind: "500" }] }, async (server) => {
      const exit = await runExit(
        request({ ...quick, base_url: server.url, max_retries: 2 }),
        messagesBatch(["x"])
      )
      const error = Exit.isFailure(exit)
        ? (Cause.squash(exit.cause) as { _tag: string; retryable: boolean; message: string })
        : undefined
      expect(error?._tag).toBe("PluginBatchError")
      expect(error?.retryable).toBe(true)
      expect(error?.message).toContain(`${server.url}: the server answered 500`)
      expect(error?.message).toContain("gave up after 3 attempt(s) (max_retries 2)")
      expect(server.stats().requests).toBe(3)
    }))

  it("gives up on a server that never answers, naming the timeout", () =>
    withServer({ faults: [{ kind: "timeout" }] }, async (server) => {
      const exit = await runExit(
        request({ ...quick, base_url: server.url, max_retries: 1, timeout_seconds: 0.1 }),
        messagesBatch(["x"])
      )
      expect(Exit.isFailure(exit) && String(Cause.squash(exit.cause))).toContain(
        "no answer within 0.1 s (timeout_seconds); gave up after 2 attempt(s)"
      )
    }))

  it("retries a server that is not up yet (connection refused)", async () => {
    const server = await FakeOpenAiServer.start()
    const url = server.url
    await server.close()
    const exit = await runExit(request({ ...quick, base_url: url, max_retries: 1 }), messagesBatch(["x"]))
    expect(Exit.isFailure(exit) && String(Cause.squash(exit.cause))).toContain(
      "the connection was refused (is the server running?); gave up after 2 attempt(s)"
    )
  })
})
