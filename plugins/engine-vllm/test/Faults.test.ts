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

const contents = (batch: Parameters<typeof rows>[0]) =>
  rows(batch).map((r) => (r["choices"] as Array<{ message: { content: string } }>)[0]!.message.content)

describe("the vllm engine against a failing server", () => {
  it("waits out a 429's Retry-After before trying again", () =>
    withServer({ faults: [{ kind: "429", retryAfterSeconds: 1, times: 1 }] }, async (server) => {
      const started = performance.now()
      const result = await run(request({ ...quick, base_url: server.url }), messagesBatch(["hello"]))
      expect(performance.now() - started).toBeGreaterThanOrEqual(990)
      expect(contents(result.outputs)).toEqual(["echo: hello"])
      expect(result.metrics?.["http_retries"]).toBe(1)
    }))

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
