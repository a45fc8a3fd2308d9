/**
 * The custom-http engine calls only its configured host, and never prints the header secrets it reads
 * from the environment. A decoy server on another 127.0.0.1 port stands for every other host: whatever
 * a redirect, an option, a row or the environment tries, it must see no request.
 */
import { afterAll, afterEach, describe, expect, it } from "@effect/vitest"
import { Signature } from "@runbatch/spec"
import { FakeExternalFunctionServer, type FakeHttp, type MemoryStage, SecretLeaks } from "@runbatch/testkit"
import { Cause, Exit } from "effect"
import { column, prepare, request, run, runExit, scorer, textBatch } from "./support.ts"

const decoy = await FakeExternalFunctionServer.start()
afterAll(() => decoy.close())
afterEach(() => {
  expect(decoy.stats().requests, "the decoy host was called").toBe(0)
})

const quick = { backoff_initial_seconds: 0.001, backoff_max_seconds: 0.01, max_retries: 1 }

const failureOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit)
    ? (Cause.squash(exit.cause) as { _tag: string; retryable?: boolean; message: string })
    : undefined

describe("the custom-http engine calls only its configured host", () => {
  it("does not follow a redirect to another port", async () => {
    const server = await FakeExternalFunctionServer.start({
      faults: [{ kind: "redirect", location: `${decoy.url}/score` }]
    })
    try {
      const error = failureOf(await runExit(request({ url: server.url, ...quick }), textBatch(["a"])))
      expect(error?.retryable).toBe(false)
      expect(error?.message).toContain("answered 307 (a redirect)")
    } finally {
      await server.close()
    }
  })

  it("refuses options that would name another URL or host, at plan time and when opened without one", async () => {
    const server = await FakeExternalFunctionServer.start({ compute: "length" })
    try {
      for (const smuggled of [
        { endpoint: decoy.url },
        { base_url: decoy.url },
        { proxy: decoy.url },
        { urls: [decoy.url] },
        { headers: { Host: `127.0.0.1:${decoy.port}` } }
      ]) {
        const req = request({ url: server.url, ...quick, ...smuggled })
        const planned = await prepare(req)
        expect(planned._tag, JSON.stringify(smuggled)).toBe("Failure")
        // A plan edited by hand gets no further: open decodes the options again.
        expect(failureOf(await runExit(req, textBatch(["a"])))?._tag).toBe("EnginePrepareError")
      }
      expect(server.stats().requests).toBe(0)
      // Headers are data: a forwarding header changes nothing about where requests go.
      const forwarded = request({
        url: server.url,
        ...quick,
        headers: { "X-Forwarded-Host": `127.0.0.1:${decoy.port}` }
      })
      expect(column((await run(forwarded, textBatch(["abc"]))).outputs, "result")).toEqual(["3"])
      expect(server.stats().requests).toBe(1)
    } finally {
      await server.close()
    }
  })

  it("ignores proxy variables in the environment", async () => {
    const server = await FakeExternalFunctionServer.start({ compute: "length" })
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
      const result = await run(request({ url: server.url, ...quick }), textBatch(["abc"]))
      expect(column(result.outputs, "result")).toEqual(["3"])
    } finally {
      names.forEach((n, i) => {
        if (saved[i] === undefined) delete process.env[n]
        else process.env[n] = saved[i]
      })
      await server.close()
    }
  })

  it("sends URLs found in rows to the configured server only, as data", async () => {
    const server = await FakeExternalFunctionServer.start({ compute: "echo" })
    try {
      const result = await run(
        request({ url: server.url, ...quick }),
        textBatch([`${decoy.url}/x`, "http://metadata.invalid/latest"])
      )
      expect(column(result.outputs, "result")).toEqual([
        JSON.stringify([`${decoy.url}/x`, 0]),
        '["http://metadata.invalid/latest",1]'
      ])
    } finally {
      await server.close()
    }
  })
})

describe("the custom-http engine keeps header secrets secret", () => {
  const TOKEN = "tok-7f3e9a1b2c4d"

  it("sends header values from the named variables, and never prints them", async () => {
    const server = await FakeExternalFunctionServer.start({
      compute: "length",
      requireHeaders: { authorization: `Bearer ${TOKEN}`, "x-tenant": "acme" }
    })
    process.env["RUNBATCH_TEST_SCORER_TOKEN"] = TOKEN
    try {
      const req = request({
        url: server.url,
        ...quick,
        headers: {
          Authorization: { env: "RUNBATCH_TEST_SCORER_TOKEN", prefix: "Bearer " },
          "X-Tenant": "acme"
        }
      })
      const planned = await prepare(req)
      expect(planned._tag).toBe("Success")
      expect(JSON.stringify(planned)).not.toContain(TOKEN)
      const lines: Array<MemoryStage.LoggedLine> = []
      const exit = await runExit(req, textBatch(["abcd"]), lines)
      expect(Exit.isSuccess(exit) && column(exit.value.outputs, "result")).toEqual(["4"])
      expect(lines.map((l) => l.message)).toEqual([
        `Sending batches of up to 100 rows to ${server.url}/ (up to 8 requests in flight per worker).`
      ])
      expect(JSON.stringify(lines)).not.toContain(TOKEN)
    } finally {
      delete process.env["RUNBATCH_TEST_SCORER_TOKEN"]
      await server.close()
    }
  })

  it("redacts header secrets from errors, even when the server quotes them back", async () => {
    const server = await FakeExternalFunctionServer.start({
      requireHeaders: { authorization: "Bearer the-right-one" }
    })
    process.env["RUNBATCH_TEST_SCORER_TOKEN"] = TOKEN
    try {
      const lines: Array<MemoryStage.LoggedLine> = []
      const exit = await runExit(
        request({
          url: server.url,
          ...quick,
          headers: { Authorization: { env: "RUNBATCH_TEST_SCORER_TOKEN", prefix: "Bearer " } }
        }),
        textBatch(["a"]),
        lines
      )
      const error = failureOf(exit)
      expect(error?.message).toContain("refused the request (401)")
      expect(error?.message).toContain("missing or wrong header authorization: got ***")
      expect(JSON.stringify(Exit.isFailure(exit) ? exit.cause : "")).not.toContain(TOKEN)
      expect(JSON.stringify(lines)).not.toContain(TOKEN)
    } finally {
      delete process.env["RUNBATCH_TEST_SCORER_TOKEN"]
      await server.close()
    }
  })

  const authorization = { Authorization: { env: "RUNBATCH_TEST_SCORER_TOKEN", prefix: "Bearer " } }
  const leaks = (text: string) => SecretLeaks.leaksOf(text, TOKEN)
  /** The batch's error from a server answering every request with `fault`. */
  const failureWith = async (server: FakeHttp.FakeServer, faults: ReadonlyArray<FakeHttp.Fault>) => {
    server.setFaults(faults)
    const exit = await runExit(
      request({ url: server.url, ...quick, max_retries: 0, headers: authorization }),
      textBatch(["a"])
    )
    return { error: failureOf(exit), cause: JSON.stringify(Exit.isFailure(exit) ? exit.cause : "") }
  }

  it("keeps a header secret out of errors wherever the server quotes it (offsets 270–330 of 600)", async () => {
    const server = await FakeExternalFunctionServer.start()
    process.env["RUNBATCH_TEST_SCORER_TOKEN"] = TOKEN
    try {
      for (let at = 270; at <= 330; at++) {
        const body = SecretLeaks.quoting(`Bearer ${TOKEN}`, at)
        // A refused request (400: the batch fails at once), and a busy server (500: retried, then given up).
        for (const [fault, says] of [
          [{ kind: "answer", status: 400, body }, "answered 400 to a request of 1 rows: ---"],
          [{ kind: "500", body }, "the server answered 500: ---"]
        ] as const) {
          const { error, cause } = await failureWith(server, [fault])
          expect(error?.message).toContain(says)
          expect(leaks(error?.message ?? ""), `${fault.kind} at ${at}: ${error?.message}`).toEqual([])
          expect(leaks(cause)).toEqual([])
        }
      }
    } finally {
      delete process.env["RUNBATCH_TEST_SCORER_TOKEN"]
      await server.close()
    }
  })

  it("keeps a header secret out of row errors when the server answers it as a value", async () => {
    // An INT64 output answered with text holding the secret: whole, or past the quote's cut.
    const value = (row: number) =>
      row === 0 ? TOKEN : row === 1 ? `Bearer ${TOKEN}` : `${"-".repeat(38 + row)} Bearer ${TOKEN}`
    const server = await FakeExternalFunctionServer.start({ compute: (args) => value(Number(args[1])) })
    process.env["RUNBATCH_TEST_SCORER_TOKEN"] = TOKEN
    try {
      const rows = Array.from({ length: 32 }, (_, row) => `row ${row}`)
      const exit = await runExit(
        request(
          { url: server.url, ...quick, headers: authorization },
          scorer(Signature.feature("result", "INT64"))
        ),
        textBatch(rows)
      )
      const rowErrors = (Exit.isSuccess(exit) ? exit.value.rowErrors : undefined) ?? []
      expect(rowErrors.map((e) => e.row)).toEqual(rows.map((_, row) => row))
      for (const { row, message } of rowErrors) {
        expect(message).toContain("the server's value for result is not an integer")
        expect(leaks(message), `row ${row}: ${message}`).toEqual([])
      }
    } finally {
      delete process.env["RUNBATCH_TEST_SCORER_TOKEN"]
      await server.close()
    }
  })

  it("keeps a header secret out of the error naming a malformed row entry", async () => {
    const server = await FakeExternalFunctionServer.start()
    process.env["RUNBATCH_TEST_SCORER_TOKEN"] = TOKEN
    try {
      for (let at = 1; at <= 45; at++) {
        // An entry of three items where [row, value] belongs, the secret at its own offset.
        const entry = [`${"-".repeat(at)} Bearer ${TOKEN}`, 1, 2]
        const body = JSON.stringify({ data: [[0, "ok"], entry] })
        const { error, cause } = await failureWith(server, [{ kind: "answer", status: 200, body }])
        expect(error?.message).toContain("row numbers that were not sent")
        expect(leaks(error?.message ?? ""), `entry at ${at}: ${error?.message}`).toEqual([])
        expect(leaks(cause)).toEqual([])
      }
    } finally {
      delete process.env["RUNBATCH_TEST_SCORER_TOKEN"]
      await server.close()
    }
  })

  it("names a missing variable, not a value", async () => {
    delete process.env["RUNBATCH_TEST_SCORER_MISSING"]
    const error = failureOf(
      await runExit(
        request({
          url: decoy.url,
          ...quick,
          headers: { "X-Api-Key": { env: "RUNBATCH_TEST_SCORER_MISSING" } }
        }),
        textBatch(["a"])
      )
    )
    expect(error?.message).toContain(
      "the environment variable RUNBATCH_TEST_SCORER_MISSING (named by headers.X-Api-Key) is not set"
    )
  })
})
