import { afterAll, describe, expect, it } from "@effect/vitest"
import { Arrow } from "@runbatch/plugin-api"
import { Signature } from "@runbatch/spec"
import { ChatSignatures, engineConformance, FakeOpenAiServer } from "@runbatch/testkit"
import { Cause, Effect, Exit, Fiber } from "effect"
import { isEmptyResponseFormat } from "../src/ChatRequest.ts"
import engine from "../src/index.ts"
import { inferEffect, messagesBatch, prepare, request, rows, run, runExit, userMessages } from "./support.ts"

const server = await FakeOpenAiServer.start()
afterAll(() => server.close())

/** Fast retries for tests. */
const quick = { backoff_initial_seconds: 0.001, backoff_max_seconds: 0.01 }
const options = { base_url: server.url, model: "fake-model", ...quick }

engineConformance({
  packageJson: new URL("../package.json", import.meta.url),
  engine,
  request: request(options),
  batch: messagesBatch(["hello there", "what is two plus two", "bye"])
})

const fresh = async (serverOptions: FakeOpenAiServer.FakeOpenAiOptions = {}) => {
  const s = await FakeOpenAiServer.start(serverOptions)
  return s
}

describe("the vllm engine", () => {
  it("answers each row with a chat completion, token counts as metrics", async () => {
    const result = await run(request(options), messagesBatch(["hello there", null, "how are you"]))
    const out = rows(result.outputs)
    expect(out).toHaveLength(3)
    expect(out[0]!["object"]).toBe("chat.completion")
    expect(out[0]!["model"]).toBe("fake-model")
    expect(out[0]!["created"]).toBe(1_700_000_000)
    expect(out[0]!["choices"]).toEqual([
      {
        index: 0,
        message: { content: "echo: hello there", name: null, role: "assistant" },
        logprobs: null,
        finish_reason: "stop"
      }
    ])
    expect(out[0]!["usage"]).toEqual({ completion_tokens: 3, prompt_tokens: 2, total_tokens: 5 })
    expect(out[1]).toEqual({ id: null, object: null, created: null, model: null, choices: null, usage: null })
    expect(result.rowErrors).toEqual([])
    expect(result.metrics).toEqual({ prompt_tokens: 5, completion_tokens: 7, http_retries: 0 })
  })

  it("sends the job's params, stream false, and lets a row's own columns override them", async () => {
    const s = await fresh()
    try {
      const signature = Signature.signature(
        [ChatSignatures.messages(), ...ChatSignatures.rowSettings],
        ChatSignatures.outputs,
        [Signature.param("temperature", "DOUBLE", 0.5), Signature.param("seed", "INT64", 7)]
      )
      const schema = { type: "object", properties: { city: { type: "string" }, words: { type: "integer" } } }
      const batch = messagesBatch(["Warsaw is in Poland", "Toronto", "Lima"], {
        temperature: Arrow.vectorFromArray([0.1, null, null], new Arrow.Float64()),
        n: Arrow.vectorFromArray([null, 2, null], new Arrow.Int32()),
        stop: Arrow.vectorFromArray(
          [["\n"], null, null],
          new Arrow.List(new Arrow.Field("item", new Arrow.Utf8(), true))
        ),
        stream: Arrow.vectorFromArray([true, true, null], new Arrow.Bool()),
        response_format: Arrow.vectorFromArray(
          [
            null,
            null,
            {
              type: "json_schema",
              json_schema: { name: "place", description: null, schema: JSON.stringify(schema), strict: true }
            }
          ],
          new Arrow.Struct([
            new Arrow.Field("type", new Arrow.Utf8(), true),
            new Arrow.Field(
              "json_schema",
              new Arrow.Struct([
                new Arrow.Field("name", new Arrow.Utf8(), true),
                new Arrow.Field("description", new Arrow.Utf8(), true),
                new Arrow.Field("schema", new Arrow.Utf8(), true),
                new Arrow.Field("strict", new Arrow.Bool(), true)
              ]),
              true
            )
          ])
        )
      })
      const result = await run(
        request({ ...options, base_url: s.url }, signature, { temperature: 0.5, seed: 7 }),
        batch
      )
      const bodies = s.requests
        .map((r) => JSON.parse(r.body) as Record<string, unknown>)
        .sort((a, b) => JSON.stringify(a["messages"]).localeCompare(JSON.stringify(b["messages"])))
      const [lima, toronto, warsaw] = bodies
      expect(warsaw).toEqual({
        model: "fake-model",
        messages: [{ role: "user", content: "Warsaw is in Poland" }],
        stream: false,
        temperature: 0.1,
        seed: 7,
        stop: ["\n"]
      })
      expect(toronto).toMatchObject({ temperature: 0.5, seed: 7, n: 2, stream: false })
      expect(lima!["response_format"]).toEqual({
        type: "json_schema",
        json_schema: { name: "place", schema, strict: true }
      })
      const out = rows(result.outputs)
      expect((out[1]!["choices"] as Array<unknown>).length).toBe(2)
      const content = (out[2]!["choices"] as Array<{ message: { content: string } }>)[0]!.message.content
      expect(JSON.parse(content)).toEqual({ city: "city: echo: Lima", words: 2 })
    } finally {
      await s.close()
    }
  })

  it("forwards params from the OpenAI chat-with-params signature (response_format as a param)", async () => {
    const s = await fresh()
    try {
      const schema = { type: "object", properties: { answer: { type: "string" } } }
      const params = {
        temperature: 0,
        max_completion_tokens: 64,
        stop: [],
        n: 1,
        stream: false,
        top_p: 1,
        frequency_penalty: 0,
        presence_penalty: 0,
        response_format: {
          type: "json_schema",
          json_schema: { name: "answer", description: null, schema, strict: null }
        }
      }
      const result = await run(
        request({ ...options, base_url: s.url }, ChatSignatures.chatWithParams(), params),
        messagesBatch(["what?"])
      )
      const body = JSON.parse(s.requests[0]!.body) as Record<string, unknown>
      expect(body).toEqual({
        model: "fake-model",
        messages: [{ role: "user", content: "what?" }],
        stream: false,
        temperature: 0,
        max_completion_tokens: 64,
        stop: [],
        n: 1,
        top_p: 1,
        frequency_penalty: 0,
        presence_penalty: 0,
        response_format: { type: "json_schema", json_schema: { name: "answer", schema } }
      })
      const choice = (rows(result.outputs)[0]!["choices"] as Array<{ message: { content: string } }>)[0]!
      expect(JSON.parse(choice.message.content)).toEqual({ answer: "answer: echo: what?" })

      // A job that sets no response_format resolves the group to its fields' defaults: no schema,
      // which asks for nothing, and is left out of the request.
      await run(
        request({ ...options, base_url: s.url }, ChatSignatures.chatWithParams(), {
          ...params,
          response_format: {
            type: "json_schema",
            json_schema: { name: "", description: null, schema: null, strict: null }
          }
        }),
        messagesBatch(["plain"])
      )
      expect(JSON.parse(s.requests[1]!.body)).not.toHaveProperty("response_format")
    } finally {
      await s.close()
    }
  })

  it("asks the server for its model when the options name none", async () => {
    const one = await fresh({ models: ["served-one"] })
    const two = await fresh({ models: ["a", "b"] })
    try {
      const result = await run(request({ base_url: `${one.url}/v1`, ...quick }), messagesBatch(["hi"]))
      expect(rows(result.outputs)[0]!["model"]).toBe("served-one")
      expect(one.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        "GET /v1/models",
        "POST /v1/chat/completions"
      ])
      const exit = await runExit(request({ base_url: two.url, ...quick }), messagesBatch(["hi"]))
      expect(Exit.isFailure(exit) && String(Cause.squash(exit.cause))).toContain(
        "the server serves 2 models (a, b); set the model option to one of them."
      )
    } finally {
      await one.close()
      await two.close()
    }
  })

  it("keeps `concurrency` requests in flight, no more", async () => {
    const s = await fresh({ latencyMillis: 20 })
    try {
      const prompts = Array.from({ length: 48 }, (_, i) => `prompt ${i}`)
      const result = await run(
        request({ ...options, base_url: s.url, concurrency: 8 }),
        messagesBatch(prompts)
      )
      expect(result.outputs.numRows).toBe(48)
      expect(s.stats().maxInFlight).toBe(8)
      expect(s.stats().connections).toBeLessThanOrEqual(8)
    } finally {
      await s.close()
    }
  })

  it("fails a prompt the server refuses alone, and the batch on a model the server does not serve", async () => {
    const result = await run(request(options), messagesBatch(["fine", "please REFUSE this", "also fine"]))
    expect(result.rowErrors).toEqual([
      {
        row: 1,
        message:
          'the server refused the row (400): {"error":{"message":"this prompt is refused","type":"BadRequestError"}}'
      }
    ])
    expect(rows(result.outputs)[1]!["choices"]).toBeNull()
    expect(rows(result.outputs)[2]!["choices"]).not.toBeNull()

    const exit = await runExit(request({ ...options, model: "other" }), messagesBatch(["hi"]))
    const error = Exit.isFailure(exit)
      ? (Cause.squash(exit.cause) as { retryable?: boolean; message: string })
      : undefined
    expect(error?.retryable).toBe(false)
    expect(error?.message).toContain("answered 404")
    expect(error?.message).toContain("The model `other` does not exist.")
  })

  it("refuses at plan time what cannot work, naming the option or feature", async () => {
    const cases: Array<[ReturnType<typeof request>, string]> = [
      [request({}), "base_url"],
      [request({ base_url: "ftp://127.0.0.1/" }), "base_url: the URL must be http: or https:"],
      [request({ base_url: "http://user:secret@127.0.0.1:1/" }), "holds a user name or password"],
      [request({ base_url: server.url, concurency: 4 }), "unknown engine option(s) concurency"],
      [request({ base_url: server.url, concurrency: 0 }), "concurrency"],
      [request({ base_url: server.url, api_key_env: "not a name" }), "api_key_env"],
      [
        request(
          options,
          Signature.signature([Signature.feature("prompt", "STRING")], ChatSignatures.outputs)
        ),
        'needs an input feature "messages"'
      ],
      [
        request(
          options,
          Signature.signature([ChatSignatures.messages()], [Signature.feature("text", "STRING")])
        ),
        "the output(s) text are not fields of a chat completion"
      ],
      [request(options, ChatSignatures.chatWithParams(), { stream: true }), "the param stream is true"],
      [request(options, ChatSignatures.chatWithParams(), {}, ["--port=9"]), "--port is set by runbatch"],
      [
        request(options, ChatSignatures.chatWithParams(), {}, ["max-model-len=4096"]),
        "forgot to add '--' prefix"
      ]
    ]
    for (const [req, fragment] of cases) {
      const result = await prepare(req)
      expect(result._tag, fragment).toBe("Failure")
      if (result._tag === "Failure") {
        expect(result.failure._tag).toBe("EnginePrepareError")
        expect(result.failure.message).toContain(fragment)
      }
    }
    const ok = await prepare(request(options, ChatSignatures.chatWithParams(), {}, ["--max-model-len=4096"]))
    expect(ok._tag === "Success" && ok.success.capabilities.preferredBatchRows).toBe(1024)
    expect(ok._tag === "Success" && ok.success.options).toMatchObject({
      concurrency: 64,
      max_retries: 8,
      timeout_seconds: 600
    })
  })

  it("stops cleanly when interrupted: requests on the wire are dropped, none is sent after", async () => {
    const s = await fresh({ latencyMillis: 5_000 })
    try {
      const fiber = Effect.runFork(
        inferEffect(
          request({ ...options, base_url: s.url, concurrency: 4 }),
          messagesBatch(["a", "b", "c", "d", "e", "f"])
        )
      )
      await waitFor(() => s.stats().inFlight === 4)
      await Effect.runPromise(Fiber.interrupt(fiber))
      await waitFor(() => s.stats().inFlight === 0 && s.stats().openConnections === 0)
      const sent = s.stats().requests
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(s.stats().requests).toBe(sent)
      expect(sent).toBe(4)
    } finally {
      await s.close()
    }
  })

  it("writes messages given as a list of structs (no encoder) as JSON, null fields left out", async () => {
    const s = await fresh()
    try {
      const type = (await import("@runbatch/spec")).ArrowTypes.featureType(ChatSignatures.messages("string"))
      const batch = new Arrow.RecordBatch({
        messages: Arrow.vectorFromArray(
          [[{ role: "user", content: "hi", name: null, title: null }]],
          type as Arrow.DataType
        ).data[0]!
      })
      await run(request({ ...options, base_url: s.url }, ChatSignatures.chatWithParams("string")), batch)
      expect(JSON.parse(s.requests[0]!.body)["messages"]).toEqual([{ role: "user", content: "hi" }])
      expect(userMessages("hi")).toBe(JSON.stringify([{ role: "user", content: "hi" }]))
    } finally {
      await s.close()
    }
  })
})

export const waitFor = async (condition: () => boolean, millis = 5_000) => {
  const until = Date.now() + millis
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out waiting")
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe("isEmptyResponseFormat", () => {
  it("reads an Arrow struct row's fields as they are", () => {
    const formats = Arrow.vectorFromArray(
      [
        { type: "json_schema", json_schema: { name: "x", schema: null } },
        { type: "json_schema", json_schema: { name: "x", schema: '{"type":"object"}' } },
        { type: "json_object", json_schema: null }
      ],
      new Arrow.Struct([
        new Arrow.Field("type", new Arrow.Utf8(), true),
        new Arrow.Field(
          "json_schema",
          new Arrow.Struct([
            new Arrow.Field("name", new Arrow.Utf8(), true),
            new Arrow.Field("schema", new Arrow.Utf8(), true)
          ]),
          true
        )
      ])
    )
    expect([...formats].map(isEmptyResponseFormat)).toEqual([true, false, false])
  })
})
