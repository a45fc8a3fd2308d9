import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { redact, redactor, secretFromEnvironment } from "../src/index.ts"

/** Runs of `min` characters of `secret` found in `text`. */
const leaks = (text: string, secret: string, min = 4): Array<string> =>
  Array.from({ length: secret.length - min + 1 }, (_, i) => secret.slice(i, i + min)).filter((run) =>
    text.includes(run)
  )

describe("a redactor", () => {
  const SECRET = "tok-5b7e2f90c1a3d846"
  const r = redactor([SECRET, `Bearer ${SECRET}`])

  it("redacts each secret's value, the longest form first, and its JSON-escaped form", () => {
    expect(r.redact(`got Bearer ${SECRET}, then ${SECRET}.`)).toBe("got ***, then ***.")
    const quoted = 'p"ss\\word-with-quote'
    expect(redactor([quoted]).redact(JSON.stringify({ got: quoted }))).toBe('{"got":"***"}')
  })

  it("redacts credentials of a known shape whatever their value", () => {
    expect(redactor().redact("header: Bearer abc.DEF-123_x~+/== rest")).toBe("header: Bearer *** rest")
    expect(redactor().redact("bearer\tsomething")).toBe("bearer\t***")
    expect(redactor().redact("key sk-proj-AbCdEf0123456789xyz!")).toBe("key ***!")
    // Short or embedded look-alikes are left alone.
    expect(redactor().redact("sk-learn, task-sk-1, Bearer ***")).toBe("sk-learn, task-sk-1, Bearer ***")
  })

  it("masks any eight characters of a secret another's cut left, anywhere in a text", () => {
    let parsed = ""
    try {
      JSON.parse(`${SECRET} and more`)
    } catch (error) {
      parsed = String(error)
    }
    expect(parsed).toContain(SECRET.slice(0, 10)) // V8 quotes ten characters of the input
    expect(leaks(r.redact(parsed), SECRET, 8)).toEqual([])
    expect(r.redact(`a ${SECRET.slice(3, 15)} b ${SECRET.slice(0, 7)} c`)).toBe(
      `a *** b ${SECRET.slice(0, 7)} c`
    )
    // Only the secret proper is looked for in pieces, not the header value holding it ("Token to").
    expect(redactor([SECRET, `Token ${SECRET}`]).redact("a Token top-up")).toBe("a Token top-up")
  })

  it("redacts before it cuts: no four characters of a secret survive a cut anywhere", () => {
    for (let limit = 20; limit <= 80; limit++) {
      for (let at = 0; at <= 70; at++) {
        const text = `${"x".repeat(at)} ${SECRET} ${"y".repeat(40)}`
        const quote = r.snippet(text, limit)
        expect(leaks(quote, SECRET), `limit ${limit}, at ${at}: ${quote}`).toEqual([])
        expect(quote.length).toBeLessThanOrEqual(limit + 1)
      }
    }
  })

  it("drops what may begin an sk- key where a huge body's window ends", () => {
    const key = "sk-AbCdEf0123456789xyzXYZ"
    for (const cut of [5, 10, 20]) {
      const quote = redactor().snippet(Buffer.from(`${" ".repeat(64 * 1024 - cut)}${key}`))
      expect(quote).toBe("*** …")
    }
  })

  it("quotes a body on one line, cut to its limit, reading a window of a huge one with its end as a cut", () => {
    expect(r.snippet(Buffer.from("  a\n b  "))).toBe("a b")
    expect(r.snippet(Buffer.from("z".repeat(500)))).toBe(`${"z".repeat(300)}…`)
    // Spaces collapse: a secret 64 KiB in can land within the quote; one split by the window's end
    // leaves nothing of itself.
    const window = 64 * 1024
    for (const at of [window - 300, window - 10, window - 4, window + 10]) {
      const body = Buffer.from(`${" ".repeat(at)}${SECRET}${" ".repeat(100)}`)
      const quote = r.snippet(body)
      expect(leaks(quote, SECRET), `secret at ${at}: ${quote}`).toEqual([])
    }
  })

  it("redacts every secret read through secretFromEnvironment, in every redactor of the thread", async () => {
    const value = "remembered-4c1d9e7f0a"
    process.env["RUNBATCH_TEST_REMEMBERED"] = value
    try {
      expect(redact(`a ${value} b`)).toBe(`a ${value} b`)
      await Effect.runPromise(secretFromEnvironment("t", "opt", "RUNBATCH_TEST_REMEMBERED"))
      expect(redact(`a ${value} b`)).toBe("a *** b")
      expect(redactor(["other"]).redact(`${value} other`)).toBe("*** ***")
    } finally {
      delete process.env["RUNBATCH_TEST_REMEMBERED"]
    }
  })
})
