/**
 * The vllm engine calls only its configured host, and never prints the API key it reads from the
 * environment. A decoy server on another 127.0.0.1 port stands for every other host: whatever a
 * redirect, an option, a param, a row or the environment tries, it must see no request.
 */
import { afterAll, afterEach, describe, expect, it } from "@effect/vitest"
import { Arrow } from "@runbatch/plugin-api"
import { Signature } from "@runbatch/spec"
import { ChatSignatures, FakeOpenAiServer, type MemoryStage, SecretLeaks } from "@runbatch/testkit"
import { Cause, Exit } from "effect"
import { messagesBatch, prepare, request, rows, run, runExit } from "./support.ts"

const decoy = await FakeOpenAiServer.start()
afterAll(() => decoy.close())
afterEach(() => {
  expect(decoy.stats().requests, "the decoy host was called").toBe(0)
})

const quick = {
  model: "fake-model",
  backoff_initial_seconds: 0.001,
  backoff_max_seconds: 0.01,
  max_retries: 1
}

const failureOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit)
    ? (Cause.squash(exit.cause) as { _tag: string; retryable?: boolean; message: string })
    : undefined

describe("the vllm engine calls only its configured host", () => {
  it("does not follow a redirect to another port", async () => {
    const server = await FakeOpenAiServer.start({
      faults: [{ kind: "redirect", location: `${decoy.url}/v1/chat/completions` }]
    })
    try {
      const error = failureOf(
        await runExit(request({ ...quick, base_url: server.url }), messagesBatch(["hi"]))
      )
      expect(error?.retryable).toBe(false)
      expect(error?.message).toContain("answered 307 (a redirect)")
      expect(error?.message).toContain("never follows redirects")
    } finally {
      await server.close()
    }
  })

  it("refuses options that would name another URL, at plan time and when opened without one", async () => {
    const server = await FakeOpenAiServer.start()
    try {
      for (const smuggled of [
        { url: decoy.url },
        { proxy: decoy.url },
        { endpoint: `${decoy.url}/v1` },
        { headers: { Host: `127.0.0.1:${decoy.port}` } },
        { base_urls: [decoy.url] }
      ]) {
        const req = request({ ...quick, base_url: server.url, ...smuggled })
        const planned = await prepare(req)
        expect(planned._tag === "Failure" && planned.failure.message).toContain("unknown engine option(s)")
        // A plan edited by hand gets no further: open decodes the options again.
        const error = failureOf(await runExit(req, messagesBatch(["hi"])))
        expect(error?._tag).toBe("EnginePrepareError")
      }
      expect(server.stats().requests).toBe(0)
    } finally {
      await server.close()
    }
  })

  it("ignores proxy variables in the environment", async () => {
    const server = await FakeOpenAiServer.start()
    const names = [
      "HTTP_PROXY",
      "http_proxy",
      "HTTPS_PROXY",
      "https_proxy",
      "ALL_PROXY",
      "NODE_USE_ENV_PROXY"
    ]
    const saved = names.map((n) => process.env[n])
    for (const n of names) process.env[n] = n === "NODE_USE_ENV_PROXY" ? "1" : decoy.url
    try {
      const result = await run(request({ ...quick, base_url: server.url }), messagesBatch(["hi"]))
      expect(result.outputs.numRows).toBe(1)
      expect(server.stats().requests).toBe(1)
    } finally {
      names.forEach((n, i) => {
        if (saved[i] === undefined) delete process.env[n]
        else process.env[n] = saved[i]
      })
      await server.close()
    }
  })

  it("sends URLs found in rows, params and model names to the configured server only, as data", async () => {
    const server = await FakeOpenAiServer.start({ models: [`${decoy.url}/v1`] })
    try {
      const link = `${decoy.url}/cat.png`
      const messages = JSON.stringify([
        { role: "user", content: [{ type: "image_url", image_url: { url: link } }] }
      ])
      const batch = new Arrow.RecordBatch({
        messages: Arrow.vectorFromArray([messages], new Arrow.Utf8()).data[0]!
      })
      const signature = Signature.signature([ChatSignatures.messages()], ChatSignatures.outputs, [
        Signature.param("base_url", "STRING", null)
      ])
      const result = await run(
        request({ ...quick, base_url: server.url, model: `${decoy.url}/v1` }, signature, {
          base_url: decoy.url
        }),
        batch
      )
      expect(rows(result.outputs)[0]!["model"]).toBe(`${decoy.url}/v1`)
      const body = JSON.parse(server.requests[0]!.body) as Record<string, unknown>
      expect(body["base_url"]).toBe(decoy.url)
      expect(JSON.stringify(body["messages"])).toContain(link)
    } finally {
      await server.close()
    }
  })
})

describe("the vllm engine keeps its API key secret", () => {
  const KEY = "sk-test-5e4b1f0c9d7a"

  it("sends the key from the named variable, and never prints it", async () => {
    const server = await FakeOpenAiServer.start({ apiKey: KEY })
    process.env["RUNBATCH_TEST_VLLM_KEY"] = KEY
    try {
      const req = request({ ...quick, base_url: server.url, api_key_env: "RUNBATCH_TEST_VLLM_KEY" })
      const planned = await prepare(req)
      expect(JSON.stringify(planned)).not.toContain(KEY)
      const lines: Array<MemoryStage.LoggedLine> = []
      const exit = await runExit(req, messagesBatch(["hello"]), lines)
      expect(Exit.isSuccess(exit) && rows(exit.value.outputs)[0]!["object"]).toBe("chat.completion")
      expect(server.requests[0]!.headers["authorization"]).toBe(`Bearer ${KEY}`)
      expect(lines.map((l) => l.message)).toEqual([
        `Sending chat completions to ${server.url}/v1/chat/completions (model fake-model, up to 64 requests in flight per worker).`
      ])
      expect(JSON.stringify(lines)).not.toContain(KEY)
    } finally {
      delete process.env["RUNBATCH_TEST_VLLM_KEY"]
      await server.close()
    }
  })

  it("redacts the key from errors, even when the server quotes it back", async () => {
    const server = await FakeOpenAiServer.start({ apiKey: "the-right-key" })
    process.env["RUNBATCH_TEST_VLLM_KEY"] = KEY
    try {
      const lines: Array<MemoryStage.LoggedLine> = []
      const exit = await runExit(
        request({ ...quick, base_url: server.url, api_key_env: "RUNBATCH_TEST_VLLM_KEY" }),
        messagesBatch(["hello"]),
        lines
      )
      const error = failureOf(exit)
      expect(error?.message).toContain("refused the request (401)")
      expect(error?.message).toContain("Invalid API key in header: Bearer ***")
      expect(JSON.stringify(Exit.isFailure(exit) ? exit.cause : "")).not.toContain(KEY)
      expect(JSON.stringify(lines)).not.toContain(KEY)
    } finally {
      delete process.env["RUNBATCH_TEST_VLLM_KEY"]
      await server.close()
    }
  })

  const OFFSETS = Array.from({ length: 61 }, (_, i) => 270 + i)
  const keyed = { ...quick, api_key_env: "RUNBATCH_TEST_VLLM_KEY" }
  const leaks = (text: string) => SecretLeaks.leaksOf(text, KEY)

  it("keeps the key out of a refused row's error wherever the server quotes it (offsets 270–330 of 600)", async () => {
    // Each row's 400 quotes "Bearer <key>" at its own offset, on either side of the quote's cut.
    const server = await FakeOpenAiServer.start({
      faults: OFFSETS.map((at) => ({
        kind: "answer" as const,
        status: 400,
        matching: `offset ${at}.`,
        body: SecretLeaks.quoting(`Bearer ${KEY}`, at)
      }))
    })
    process.env["RUNBATCH_TEST_VLLM_KEY"] = KEY
    try {
      const lines: Array<MemoryStage.LoggedLine> = []
      const exit = await runExit(
        request({ ...keyed, base_url: server.url }),
        messagesBatch(OFFSETS.map((at) => `offset ${at}.`)),
        lines
      )
      const rowErrors = (Exit.isSuccess(exit) ? exit.value.rowErrors : undefined) ?? []
      expect(rowErrors.map((e) => e.row)).toEqual(OFFSETS.map((_, row) => row))
      for (const { row, message } of rowErrors) {
        expect(message).toContain("the server refused the row (400): ---")
        expect(leaks(message), `key at ${OFFSETS[row]}: ${message}`).toEqual([])
      }
      expect(leaks(JSON.stringify(lines))).toEqual([])
    } finally {
      delete process.env["RUNBATCH_TEST_VLLM_KEY"]
      await server.close()
    }
  })

  it("keeps the key out of the batch's error when a busy server quotes it around the cut", async () => {
    const server = await FakeOpenAiServer.start()
    process.env["RUNBATCH_TEST_VLLM_KEY"] = KEY
    try {
      for (const at of OFFSETS) {
        server.setFaults([{ kind: "503", body: SecretLeaks.quoting(`Bearer ${KEY}`, at) }])
        const exit = await runExit(
          request({ ...keyed, base_url: server.url, max_retries: 0 }),
          messagesBatch(["hi"])
        )
        const error = failureOf(exit)
        expect(error?.message).toContain("the server answered 503: ---")
        expect(leaks(JSON.stringify(Exit.isFailure(exit) ? exit.cause : "")), `key at ${at}`).toEqual([])
        expect(leaks(error?.message ?? ""), `key at ${at}: ${error?.message}`).toEqual([])
      }
    } finally {
      delete process.env["RUNBATCH_TEST_VLLM_KEY"]
      await server.close()
    }
  })

  it("keeps the key out of the row error when the server answers it as a value", async () => {
    // A chat completion whose `created` (a FLOAT) is text holding the key: whole, or past the cut.
    const values = [
      KEY,
      `Bearer ${KEY}`,
      ...Array.from({ length: 30 }, (_, i) => `${"-".repeat(40 + i)} ${KEY}`)
    ]
    const server = await FakeOpenAiServer.start({
      faults: values.map((value, i) => ({
        kind: "answer" as const,
        status: 200,
        matching: `value ${i}.`,
        body: JSON.stringify({ id: "x", object: "chat.completion", created: value, choices: [] })
      }))
    })
    process.env["RUNBATCH_TEST_VLLM_KEY"] = KEY
    try {
      const exit = await runExit(
        request({ ...keyed, base_url: server.url }),
        messagesBatch(values.map((_, i) => `value ${i}.`))
      )
      const rowErrors = (Exit.isSuccess(exit) ? exit.value.rowErrors : undefined) ?? []
      expect(rowErrors.map((e) => e.row)).toEqual(values.map((_, row) => row))
      for (const { row, message } of rowErrors) {
        expect(message).toContain("the server's value for created is not a number")
        expect(leaks(message), `value ${row}: ${message}`).toEqual([])
      }
    } finally {
      delete process.env["RUNBATCH_TEST_VLLM_KEY"]
      await server.close()
    }
  })

  it("refuses a key put in the options, without quoting it, and names a missing variable", async () => {
    const planned = await prepare(request({ ...quick, base_url: decoy.url, api_key: KEY }))
    expect(planned._tag === "Failure" && planned.failure.message).toContain(
      "name the variable in api_key_env"
    )
    expect(JSON.stringify(planned)).not.toContain(KEY)

    delete process.env["RUNBATCH_TEST_VLLM_MISSING"]
    const error = failureOf(
      await runExit(
        request({ ...quick, base_url: decoy.url, api_key_env: "RUNBATCH_TEST_VLLM_MISSING" }),
        messagesBatch(["x"])
      )
    )
    expect(error?.message).toContain(
      "the environment variable RUNBATCH_TEST_VLLM_MISSING (named by api_key_env) is not set"
    )
  })
})
