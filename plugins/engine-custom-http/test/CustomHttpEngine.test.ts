import { afterAll, describe, expect, it } from "@effect/vitest"
import { Arrow } from "@runbatch/plugin-api"
import { Signature } from "@runbatch/spec"
import { engineConformance, FakeExternalFunctionServer } from "@runbatch/testkit"
import { Cause, Exit } from "effect"
import engine from "../src/index.ts"
import { column, prepare, request, run, runExit, scorer, textBatch } from "./support.ts"

const server = await FakeExternalFunctionServer.start({ compute: "object" })
afterAll(() => server.close())

const quick = { backoff_initial_seconds: 0.001, backoff_max_seconds: 0.01 }

engineConformance({
  packageJson: new URL("../package.json", import.meta.url),
  engine,
  request: request({ url: `${server.url}/score`, ...quick }),
  batch: textBatch(["a", "bb", null, "dddd"])
})

/** `promise`, or a failure after `millis` of real time: a stalled retry fails its test instead of hanging it. */
const guarded = <A>(promise: Promise<A>, millis = 10_000): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${millis} ms`)), millis)
  })
  return Promise.race([promise, stalled]).finally(() => clearTimeout(timer))
}

const withServer = async <A>(
  options: FakeExternalFunctionServer.FakeExternalFunctionOptions,
  f: (s: Awaited<ReturnType<typeof FakeExternalFunctionServer.start>>) => Promise<A>
) => {
  const s = await FakeExternalFunctionServer.start(options)
  try {
    return await f(s)
  } finally {
    await s.close()
  }
}

const failureOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit)
    ? (Cause.squash(exit.cause) as { _tag: string; retryable?: boolean; message: string })
    : undefined

describe("the custom-http engine", () => {
  it("POSTs rows in the external-function format and reads the values back, row for row", () =>
    withServer({ compute: "echo" }, async (s) => {
      const result = await run(
        request({ url: `${s.url}/v1/score?mode=fast`, ...quick }),
        textBatch(["a", null, "c"])
      )
      expect(column(result.outputs, "result")).toEqual(['["a",0]', "[null,1]", '["c",2]'])
      const sent = s.requests[0]!
      expect(sent.method).toBe("POST")
      expect(sent.path).toBe("/v1/score?mode=fast")
      expect(sent.body).toBe('{"data":[[0,"a",0],[1,null,1],[2,"c",2]]}')
      expect(sent.headers).toMatchObject({
        "content-type": "application/json",
        "sf-external-function-format": "json",
        "sf-external-function-format-version": "1.0",
        "sf-external-function-name": "SCORE"
      })
      expect(sent.headers["sf-external-function-query-batch-id"]).toMatch(/^[0-9a-f-]{36}$/)
      expect(result.metrics).toEqual({ http_requests: 1, http_retries: 0 })
    }))

  it("writes every signature type the way Snowflake sends it", () =>
    withServer({ compute: "echo" }, async (s) => {
      const signature = Signature.signature(
        [
          Signature.feature("big", "INT64"),
          Signature.feature("ratio", "DOUBLE"),
          Signature.feature("flag", "BOOL"),
          Signature.feature("blob", "BYTES"),
          Signature.feature("at", "TIMESTAMP_NTZ"),
          Signature.feature("meta", "OBJECT"),
          Signature.feature("tags", "STRING", { shape: [-1] }),
          Signature.group("point", [Signature.feature("x", "DOUBLE"), Signature.feature("label", "STRING")])
        ],
        [Signature.feature("result", "OBJECT")]
      )
      const batch = new Arrow.RecordBatch({
        big: Arrow.vectorFromArray([2n ** 60n], new Arrow.Int64()).data[0]!,
        ratio: Arrow.vectorFromArray([Number.NaN], new Arrow.Float64()).data[0]!,
        flag: Arrow.vectorFromArray([true], new Arrow.Bool()).data[0]!,
        blob: Arrow.vectorFromArray([new Uint8Array([0xca, 0xfe])], new Arrow.Binary()).data[0]!,
        at: Arrow.vectorFromArray([Date.UTC(2014, 0, 1, 16)], new Arrow.TimestampMicrosecond()).data[0]!,
        meta: Arrow.vectorFromArray(['{"k": [1, 2]}'], new Arrow.Utf8()).data[0]!,
        tags: Arrow.vectorFromArray(
          [["x", "y"]],
          new Arrow.List(new Arrow.Field("item", new Arrow.Utf8(), true))
        ).data[0]!,
        point: Arrow.vectorFromArray(
          [{ x: 1.5, label: null }],
          new Arrow.Struct([
            new Arrow.Field("x", new Arrow.Float64(), true),
            new Arrow.Field("label", new Arrow.Utf8(), true)
          ])
        ).data[0]!
      })
      await run(request({ url: s.url, ...quick }, signature), batch)
      expect(s.requests[0]!.body).toBe(
        '{"data":[[0,1152921504606846976,"NaN",true,"cafe","2014-01-01 16:00:00.000",{"k": [1, 2]},["x","y"],{"x":1.5,"label":null}]]}'
      )
      await run(request({ url: s.url, binary_format: "base64", ...quick }, signature), batch)
      expect(s.requests[1]!.body).toContain('"yv4="')
    }))

  it("fills several outputs from an object's fields, failing rows whose values do not fit", () =>
    withServer(
      {
        compute: (args) =>
          args[0] === "bad"
            ? { label: "not a number", score: 1 }
            : { LABEL: Number(args[1]) * 10, score: 0.5 }
      },
      async (s) => {
        const signature = scorer()
        const two = Signature.signature(signature.inputs, [
          Signature.feature("label", "INT64"),
          Signature.feature("score", "DOUBLE")
        ])
        const result = await run(request({ url: s.url, ...quick }, two), textBatch(["ok", "bad", "fine"]))
        expect(column(result.outputs, "label")).toEqual([0, null, 20])
        expect(column(result.outputs, "score")).toEqual([0.5, null, 0.5])
        expect(result.rowErrors).toEqual([
          { row: 1, message: 'the server\'s value for label is not an integer: "not a number"' }
        ])
      }
    ))

  it("caps requests by rows and by bytes, keeps `concurrency` in flight, and fails only a row too large to send", () =>
    withServer({ compute: "length", latencyMillis: 10 }, async (s) => {
      const texts = Array.from({ length: 95 }, (_, i) => `text ${i}`)
      const result = await run(
        request({ url: s.url, rows_per_request: 10, concurrency: 3, ...quick }),
        textBatch(texts)
      )
      expect(column(result.outputs, "result")).toEqual(texts.map((t) => String(t.length)))
      expect(s.requests).toHaveLength(10)
      expect(s.stats().maxInFlight).toBe(3)

      const before = s.requests.length
      const sized = await run(
        request({ url: s.url, max_request_bytes: 60, ...quick }),
        textBatch(["aaaa", "bbbb", "cccc", "x".repeat(100), "dddd"])
      )
      const bodies = s.requests.slice(before).map((r) => r.body)
      expect(bodies.every((b) => Buffer.byteLength(b) <= 60)).toBe(true)
      expect(bodies.length).toBeGreaterThan(1)
      expect(column(sized.outputs, "result")).toEqual(["4", "4", "4", null, "4"])
      expect(sized.rowErrors).toEqual([
        {
          row: 3,
          message: "the row is 111 bytes as JSON, more than max_request_bytes (60) allows in one request."
        }
      ])
    }))

  it("refuses at plan time what cannot work, without quoting header values", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, "url"],
      [{ url: "not a url" }, "is not an absolute URL"],
      [
        { url: server.url, headers: { Authorization: "Bearer sk-literal-123" } },
        "the header Authorization carries credentials"
      ],
      [
        { url: server.url, headers: { "X-Api-Key": "sk-literal-123" } },
        "the header X-Api-Key carries credentials"
      ],
      [{ url: server.url, headers: { Host: "elsewhere" } }, "the header Host is set by runbatch"],
      [{ url: server.url, headers: { "bad name": "x" } }, "is not a valid HTTP header name"],
      [
        { url: server.url, headers: { "X-Key": { env: "1BAD" } } },
        "must be the name of an environment variable"
      ],
      [{ url: server.url, rows_per_request: 0 }, "rows_per_request"],
      [{ url: server.url, binary_format: "b64" }, "binary_format"]
    ]
    for (const [options, fragment] of cases) {
      const result = await prepare(request(options))
      expect(result._tag, fragment).toBe("Failure")
      if (result._tag === "Failure") {
        expect(result.failure.message).toContain(fragment)
        expect(result.failure.message).not.toContain("sk-literal-123")
      }
    }
    const ok = await prepare(
      request({
        url: server.url,
        headers: { "X-Tenant": "acme", Authorization: { env: "TOKEN", prefix: "Bearer " } }
      })
    )
    expect(ok._tag === "Success" && ok.success.options).toMatchObject({
      rows_per_request: 100,
      concurrency: 8
    })
    expect(ok._tag === "Success" && ok.success.capabilities.preferredBatchRows).toBe(12_800)
  })
})

describe("the custom-http engine against a failing server", () => {
  it("retries 429 (waiting out Retry-After within backoff_max_seconds), 503, 500, resets, malformed JSON and silence; every row once", () =>
    withServer(
      {
        compute: "length",
        faults: [
          { kind: "429", matching: "r-0", times: 1, retryAfterSeconds: 1 },
          { kind: "503", matching: "r-10", times: 1 },
          { kind: "500", matching: "r-20", times: 1 },
          { kind: "reset", matching: "r-30", times: 1 },
          { kind: "malformed", matching: "r-40", times: 1 },
          { kind: "timeout", matching: "r-50", times: 1 }
        ]
      },
      async (s) => {
        const texts = Array.from({ length: 60 }, (_, i) => `r-${i}`)
        const started = performance.now()
        const result = await run(
          request({
            url: s.url,
            rows_per_request: 10,
            timeout_seconds: 0.3,
            ...quick,
            backoff_max_seconds: 2
          }),
          textBatch(texts)
        )
        expect(performance.now() - started).toBeGreaterThanOrEqual(990)
        expect(column(result.outputs, "result")).toEqual(texts.map((t) => String(t.length)))
        expect(result.metrics).toEqual({ http_requests: 6, http_retries: 6 })
        expect(s.stats().answered).toBe(6)
        // Every attempt of one request carries its batch id: the key a handler dedupes retries on.
        const idsByBody = new Map<string, Set<unknown>>()
        for (const sent of s.requests) {
          const ids = idsByBody.get(sent.body) ?? new Set()
          ids.add(sent.headers["sf-external-function-query-batch-id"])
          idsByBody.set(sent.body, ids)
        }
        expect(s.requests.length).toBe(12)
        expect([...idsByBody.values()].map((ids) => ids.size)).toEqual([1, 1, 1, 1, 1, 1])
        expect(new Set([...idsByBody.values()].flatMap((ids) => [...ids])).size).toBe(6)
      }
    ))

  it("waits at most backoff_max_seconds whatever a 429's Retry-After asks, and a request's budget ends", async () => {
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
      // Each request is told once to come back much later (or told nonsense): retried after at most
      // 50 ms, and answered.
      await withServer(
        {
          compute: "length",
          faults: asks.map((retryAfter, i) => ({
            kind: "429" as const,
            matching: `ask-${i}.`,
            times: 1,
            retryAfter
          }))
        },
        async (s) => {
          const texts = asks.map((_, i) => `ask-${i}.`)
          const result = await guarded(
            run(
              request({ url: s.url, rows_per_request: 1, ...quick, backoff_max_seconds: 0.05 }),
              textBatch(texts)
            )
          )
          expect(column(result.outputs, "result")).toEqual(texts.map((t) => String(t.length)))
          expect(result.metrics).toEqual({ http_requests: asks.length, http_retries: asks.length })
        }
      )
      // Told so every time: the request's budget ends; the batch fails retryable, the cap as its ask.
      await withServer({ faults: [{ kind: "429", retryAfter: "3600" }] }, async (s) => {
        const error = failureOf(
          await guarded(
            runExit(
              request({ url: s.url, ...quick, backoff_max_seconds: 0.05, max_retries: 2 }),
              textBatch(["a"])
            )
          )
        ) as { retryable?: boolean; message: string; retryAfterMillis?: number } | undefined
        expect(error?.message).toContain("the server answered 429")
        expect(error?.message).toContain("gave up after 3 attempt(s) (max_retries 2)")
        expect(error?.retryable).toBe(true)
        expect(error?.retryAfterMillis).toBe(50)
        expect(s.stats().requests).toBe(3)
      })
      await new Promise((resolve) => setTimeout(resolve, 10)) // warnings are emitted on a later tick
      expect(warnings).toEqual([])
    } finally {
      process.off("warning", onWarning)
    }
  })

  it("answers every row exactly once when a fifth of the requests get 429", () =>
    withServer(
      { compute: "echo", faults: [{ kind: "429", probability: 0.2, retryAfterSeconds: 0 }], seed: 3 },
      async (s) => {
        const texts = Array.from({ length: 2000 }, (_, i) => `t${i}`)
        const result = await run(
          request({ url: s.url, rows_per_request: 20, concurrency: 8, ...quick }),
          textBatch(texts)
        )
        expect(column(result.outputs, "result")).toEqual(texts.map((t, i) => JSON.stringify([t, i])))
        expect(s.stats().faults["429"]).toBeGreaterThan(10)
      }
    ))

  it.each([
    ["wrong-index", "row numbers that were not sent (3); no answer for row numbers 0"],
    ["duplicate-index", "row numbers more than once (0); no answer for row numbers 2"],
    ["missing-row", "no answer for row numbers 2"]
  ] as const)("fails the batch, naming the rows, when the server answers with %s", (kind, fragment) =>
    withServer({ faults: [{ kind, times: 1 }] }, async (s) => {
      const error = failureOf(await runExit(request({ url: s.url, ...quick }), textBatch(["a", "b", "c"])))
      expect(error?._tag).toBe("PluginBatchError")
      expect(error?.retryable).toBe(false)
      expect(error?.message).toContain("answered a request of 3 rows (numbered 0 to 2) with")
      expect(error?.message).toContain(fragment)
      expect(error?.message).toContain("Every row number must come back exactly once")
    })
  )

  it("fails the batch, retryable, when a request's budget is spent", () =>
    withServer({ faults: [{ kind: "503", retryAfterSeconds: 0 }] }, async (s) => {
      const error = failureOf(
        await runExit(request({ url: s.url, max_retries: 1, ...quick }), textBatch(["a"]))
      )
      expect(error?.retryable).toBe(true)
      expect(error?.message).toContain("the server answered 503")
      expect(error?.message).toContain("gave up after 2 attempt(s) (max_retries 1)")
    }))
})
