/**
 * Requests the driver never sends: each gets a clear answer, and the emulator keeps serving.
 */
import { gzipSync } from "node:zlib"
import { describe, expect, it } from "vitest"
import { connect, emulator, execute, loginToken, request } from "./support.ts"

describe("bad requests", () => {
  it("answers an unknown endpoint with 404 JSON naming the endpoints it serves", async () => {
    const running = await emulator()
    const { status, json } = await request(running, "/api/v2/statements")
    expect(status).toBe(404)
    expect(json["message"]).toMatch(/no endpoint POST \/api\/v2\/statements/)
  })

  it("refuses a request without a known session token with 401 and code 390104", async () => {
    const running = await emulator()
    const none = await request(running, "/queries/v1/query-request", { body: '{"sqlText":"select 1"}' })
    expect([none.status, none.json["code"]]).toEqual([401, "390104"])
    const forged = await request(running, "/queries/v1/query-request", {
      body: '{"sqlText":"select 1"}',
      token: "forged"
    })
    expect([forged.status, forged.json["code"]]).toEqual([401, "390104"])
  })

  it("refuses malformed JSON and a body without sqlText with 400, and reads gzip bodies", async () => {
    const running = await emulator()
    const token = await loginToken(running)
    const malformed = await request(running, "/queries/v1/query-request", { body: '{"sqlText": ', token })
    expect(malformed.status).toBe(400)
    expect(malformed.json["message"]).toMatch(/not JSON/)
    const empty = await request(running, "/queries/v1/query-request", { body: '{"sql": "select 1"}', token })
    expect(empty.status).toBe(400)
    expect(empty.json["message"]).toMatch(/sqlText/)
    const gzipped = await request(running, "/queries/v1/query-request", {
      body: gzipSync(JSON.stringify({ sqlText: "select 41 + 1 as answer" })),
      token
    })
    expect(gzipped.json["success"]).toBe(true)
    expect((gzipped.json["data"] as { rowset: unknown }).rowset).toEqual([["42"]])
  })

  it("refuses an oversized body without reading it all, and keeps serving", async () => {
    const running = await emulator({ maxBodyBytes: 16_384 })
    const token = await loginToken(running)
    const big = JSON.stringify({ sqlText: `select '${"x".repeat(65_536)}'` })
    const refused = await request(running, "/queries/v1/query-request", { body: big, token })
    expect(refused.status).toBe(400)
    expect(refused.json["message"]).toMatch(/larger than the emulator's limit of 16384 bytes/)
    const connection = await connect(running)
    expect((await execute(connection, "select 1 as x")).rows).toEqual([{ X: 1 }])
  })
})
