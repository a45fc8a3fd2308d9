/**
 * Whole jobs with the HTTP engines against the testkit's fake servers on 127.0.0.1: an LLM over chat
 * messages (text; images, video and audio from stage files; params; response_format) with vllm, and a
 * scorer in Snowflake's external-function format with custom-http — each through faults a real server
 * throws (429 with Retry-After, 500, timeouts, malformed JSON, broken row numbers) and a cancel.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { LocalAccount } from "@runbatch/session"
import { LocalLayout, Signature } from "@runbatch/spec"
import { StageStore } from "@runbatch/stage-io"
import { ChatSignatures, FakeExternalFunctionServer, FakeOpenAiServer, plainRows } from "@runbatch/testkit"
import { Cause, Effect, Exit, Fiber, Layer } from "effect"
import { Progress, type ProgressLine, ReplicaMonitor, runReplica } from "../src/index.ts"
import { results, runInProcess, stage, tempHome, waitFor } from "./support.ts"

const llm = await FakeOpenAiServer.start({ latencyMillis: 2 })
const scorer = await FakeExternalFunctionServer.start({ compute: "object", latencyMillis: 2 })
afterAll(async () => {
  await llm.close()
  await scorer.close()
})

const quick = { backoff_initial_seconds: 0.001, backoff_max_seconds: 0.02 }
const vllmOptions = { base_url: llm.url, model: "fake-model", concurrency: 8, ...quick }

/** Output rows as plain JSON, sorted by N (chat outputs include "id", so inputs use another key). */
const outputRows = async (home: string) => plainRows(await results(home), "N")

const contentOf = (row: Record<string, unknown>) =>
  (row["choices"] as Array<{ message: { content: string } }>)[0]!.message.content

const chatJob = (home: string, prompts: ReadonlyArray<string>, extra: Record<string, unknown> = {}) =>
  stage(home, {
    rows: prompts.map((p, i) => ({ N: i, MESSAGES: JSON.stringify([{ role: "user", content: p }]) })),
    columns: [Signature.feature("N", "INT64"), Signature.feature("MESSAGES", "STRING")],
    signature: ChatSignatures.chatWithParams(),
    engine: "vllm",
    engineOptions: vllmOptions,
    plugins: [],
    targetShards: 3,
    numWorkers: 2,
    ...extra
  })

const outDir = (home: string) =>
  join(LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }), "out")

describe("a vllm job", () => {
  it("answers chat messages row for row, on worker threads, with token counts in the progress lines", async () => {
    const home = tempHome()
    const prompts = Array.from({ length: 120 }, (_, i) => `question number ${i}`)
    const job = await chatJob(home, prompts)
    expect(job.plan.columnHandling).toEqual([
      { column: "MESSAGES", inputFormat: "openai_chat", convertTo: "chat_messages", encoder: "chat-messages" }
    ])
    const { exit, lines } = await runInProcess(home, job)
    expect(Exit.isSuccess(exit)).toBe(true)
    const out = await outputRows(home)
    expect(out.map(contentOf)).toEqual(prompts.map((p) => `echo: ${p}`))
    expect(out[7]!["MESSAGES"]).toBe(JSON.stringify([{ role: "user", content: "question number 7" }]))
    expect(out[0]!["usage"]).toEqual({ completion_tokens: 4, prompt_tokens: 3, total_tokens: 7 })
    const last = lines.filter((l) => l.type === "progress").at(-1) as { metrics: Record<string, number> }
    expect(last.metrics["prompt_tokens"]).toBe(360)
    expect(last.metrics["completion_tokens"]).toBe(480)
  })

  it("inlines images, video and audio named by stage paths (messages as JSON text or structs)", async () => {
    const home = tempHome()
    const media = LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "MEDIA" })
    const other = LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "CLIPS" })
    mkdirSync(media, { recursive: true })
    mkdirSync(other, { recursive: true })
    writeFileSync(join(media, "cat.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2]))
    writeFileSync(join(other, "clip.avi"), Buffer.from("RIFF\0\0\0\0AVI LIST"))
    writeFileSync(join(media, "hello.mp3"), Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0]))
    const part = (type: string, value: Record<string, unknown>) => ({
      type,
      text: null,
      image_url: null,
      video_url: null,
      input_audio: null,
      ...value
    })
    const message = (content: Array<unknown>) => [{ role: "user", name: null, title: null, content }]
    const rows = [
      message([
        part("text", { text: "what is it" }),
        part("image_url", { image_url: { url: "@ML.PUBLIC.MEDIA/cat.png", detail: null } })
      ]),
      message([
        part("video_url", { video_url: { url: "@ML.PUBLIC.CLIPS/clip.avi" } }),
        part("input_audio", { input_audio: { data: "@ML.PUBLIC.MEDIA/hello.mp3", format: null } })
      ]),
      message([part("text", { text: "no media here" })]),
      message([
        part("image_url", { image_url: { url: "https://media.example.invalid/x.png", detail: "low" } })
      ])
    ]
    const job = await stage(home, {
      rows: rows.map((messages, i) => ({ N: i, messages })),
      columns: [Signature.feature("N", "INT64"), ChatSignatures.messages()],
      signature: ChatSignatures.chatWithParams(),
      engine: "vllm",
      engineOptions: vllmOptions,
      plugins: [],
      targetShards: 2
    })
    const { exit } = await runInProcess(home, job, { isolation: "fibers" })
    expect(Exit.isSuccess(exit)).toBe(true)
    expect((await outputRows(home)).map(contentOf)).toEqual([
      "echo: what is it [image/png 10 bytes]",
      "echo: [video/x-msvideo 16 bytes] [audio mp3 7 bytes]",
      "echo: no media here",
      "echo: [image url https://media.example.invalid/x.png]"
    ])
  })

  it("sends the job's params and a response_format, and records refused prompts with on_error record", async () => {
    const home = tempHome()
    const schema = { type: "object", properties: { topic: { type: "string" } } }
    const job = await chatJob(home, ["tell me about tea", "please REFUSE", "and coffee"], {
      params: {
        temperature: 0.2,
        max_completion_tokens: 32,
        response_format: { type: "json_schema", json_schema: { name: "topic", schema } }
      },
      onError: "record"
    })
    const before = llm.requests.length
    const { exit } = await runInProcess(home, job, { isolation: "fibers" })
    expect(Exit.isSuccess(exit)).toBe(true)
    const out = await outputRows(home)
    expect(JSON.parse(contentOf(out[0]!))).toEqual({ topic: "topic: echo: tell me about tea" })
    expect(out[1]!["choices"]).toBeNull()
    expect(out[1]!["_ERROR"]).toContain("the server refused the row (400)")
    expect(out[2]!["_ERROR"]).toBeNull()
    const body = JSON.parse(llm.requests[before]!.body) as Record<string, unknown>
    expect(body).toMatchObject({ temperature: 0.2, max_completion_tokens: 32, stream: false })
    expect(body["response_format"]).toEqual({ type: "json_schema", json_schema: { name: "topic", schema } })
  })

  it("survives every fault a busy server throws, each row answered exactly once", async () => {
    const server = await FakeOpenAiServer.start({
      latencyMillis: 2,
      seed: 11,
      faults: [
        { kind: "429", probability: 0.2, retryAfterSeconds: 0 },
        { kind: "500", probability: 0.05 },
        { kind: "503", probability: 0.05, retryAfterSeconds: 0 },
        { kind: "malformed", probability: 0.05 },
        { kind: "timeout", probability: 0.02 },
        { kind: "reset", probability: 0.02 }
      ]
    })
    try {
      const home = tempHome()
      const prompts = Array.from({ length: 200 }, (_, i) => `p${i}`)
      const job = await chatJob(home, prompts, {
        engineOptions: { ...vllmOptions, base_url: server.url, timeout_seconds: 0.25, max_retries: 10 }
      })
      const { exit } = await runInProcess(home, job, { isolation: "fibers" })
      expect(Exit.isSuccess(exit)).toBe(true)
      const out = await outputRows(home)
      expect(out.map((r) => r["N"])).toEqual(prompts.map((_, i) => i))
      expect(out.map(contentOf)).toEqual(prompts.map((p) => `echo: ${p}`))
      const faults = server.stats().faults
      expect(Object.keys(faults).sort()).toEqual(["429", "500", "503", "malformed", "reset", "timeout"])
    } finally {
      await server.close()
    }
  })

  it("stops cleanly on cancel: requests dropped, nothing committed as done", async () => {
    const server = await FakeOpenAiServer.start({ latencyMillis: 10_000 })
    try {
      const home = tempHome()
      const job = await chatJob(
        home,
        Array.from({ length: 40 }, (_, i) => `slow ${i}`),
        { engineOptions: { ...vllmOptions, base_url: server.url } }
      )
      const lines: Array<ProgressLine> = []
      const fiber = Effect.runFork(
        runReplica({ plan: job.planLocation, replica: 0, replicas: 1, cpus: 2 }).pipe(
          Effect.provide(
            Layer.mergeAll(
              StageStore.layerLocal().pipe(
                Layer.provide(LocalAccount.layer({ home, database: "ML", schema: "PUBLIC" }))
              ),
              ReplicaMonitor.layerAssumeAlive,
              Progress.layerCollect(0, { rows: 0, shards: 0 }, lines)
            )
          )
        )
      )
      await waitFor(() => server.stats().inFlight === 16)
      await Effect.runPromise(Fiber.interrupt(fiber))
      const exit = await Effect.runPromise(Fiber.await(fiber))
      expect(Exit.hasInterrupts(exit)).toBe(true)
      await waitFor(() => server.stats().inFlight === 0 && server.stats().openConnections === 0)
      expect(existsSync(join(outDir(home), "_SUCCESS"))).toBe(false)
    } finally {
      await server.close()
    }
  })
})

describe("a custom-http job", () => {
  const signature = Signature.signature(
    [Signature.feature("text", "STRING"), Signature.feature("x", "DOUBLE")],
    [Signature.feature("args", "STRING", { shape: [-1] }), Signature.feature("count", "INT32")]
  )
  const scorerJob = (
    home: string,
    n: number,
    options: Record<string, unknown>,
    extra: Record<string, unknown> = {}
  ) =>
    stage(home, {
      rows: Array.from({ length: n }, (_, i) => ({ N: i, TEXT: `t${i}`, X: i / 2 })),
      columns: [
        Signature.feature("N", "INT64"),
        Signature.feature("TEXT", "STRING"),
        Signature.feature("X", "DOUBLE")
      ],
      signature,
      engine: "custom-http",
      engineOptions: {
        url: `${scorer.url}/score`,
        rows_per_request: 7,
        concurrency: 4,
        ...quick,
        ...options
      },
      plugins: [],
      targetShards: 3,
      numWorkers: 2,
      ...extra
    })

  it("scores a table in batches, every output from the object the server answers", async () => {
    const home = tempHome()
    const job = await scorerJob(home, 150, {})
    const { exit } = await runInProcess(home, job)
    expect(Exit.isSuccess(exit)).toBe(true)
    const out = await outputRows(home)
    expect(out).toHaveLength(150)
    expect(out[9]).toMatchObject({ N: 9, TEXT: "t9", X: 4.5, args: ["t9", "4.5"], count: 2 })
  })

  it("survives 429 with Retry-After, 500, timeouts and malformed JSON, each row exactly once", async () => {
    const server = await FakeExternalFunctionServer.start({
      compute: "object",
      seed: 5,
      faults: [
        { kind: "429", probability: 0.2, retryAfterSeconds: 0 },
        { kind: "429", times: 1, retryAfterSeconds: 1 },
        { kind: "500", probability: 0.1 },
        { kind: "malformed", probability: 0.05 },
        { kind: "timeout", probability: 0.03 }
      ]
    })
    try {
      const home = tempHome()
      // The timeout is what the server's "timeout" fault runs into; a shorter one failed healthy
      // requests too on a loaded 2-core machine, and their retries ran out.
      const job = await scorerJob(home, 300, { url: server.url, timeout_seconds: 1.5, max_retries: 10 })
      const { exit } = await runInProcess(home, job, { isolation: "fibers" })
      expect(Exit.isSuccess(exit)).toBe(true)
      const out = await outputRows(home)
      expect(out.map((r) => r["N"])).toEqual(Array.from({ length: 300 }, (_, i) => i))
      expect(out.every((r) => (r["args"] as Array<string>)[0] === r["TEXT"])).toBe(true)
      expect(Object.keys(server.stats().faults).sort()).toEqual(["429", "500", "malformed", "timeout"])
    } finally {
      await server.close()
    }
  })

  it("fails the job, naming the problem, when the server breaks the row-number contract", async () => {
    const server = await FakeExternalFunctionServer.start({ faults: [{ kind: "duplicate-index", times: 1 }] })
    try {
      const home = tempHome()
      const job = await scorerJob(home, 40, { url: server.url })
      const { exit } = await runInProcess(home, job, { isolation: "fibers" })
      expect(Exit.isFailure(exit)).toBe(true)
      const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      expect((error as { _tag: string })._tag).toBe("PluginBatchError")
      expect(String((error as Error).message)).toContain("row numbers more than once (0)")
      expect(existsSync(join(outDir(home), "_SUCCESS"))).toBe(false)
    } finally {
      await server.close()
    }
  })
})
