import { describe, expect, it } from "@effect/vitest"
import { Arrow, plainValue } from "@runbatch/plugin-api"
import { ArrowTypes, Signature } from "@runbatch/spec"
import { jsonColumns, jsonWriter, redactor } from "../src/index.ts"

const { feature, group } = Signature

const features = [
  feature("id", "STRING"),
  feature("created", "FLOAT"),
  feature("big", "INT64"),
  feature("small", "INT8"),
  feature("ok", "BOOL"),
  feature("blob", "BYTES"),
  feature("at", "TIMESTAMP_NTZ"),
  feature("meta", "OBJECT"),
  feature("scores", "DOUBLE", { shape: [-1] }),
  group(
    "choices",
    [feature("index", "INT32"), group("message", [feature("content", "STRING"), feature("role", "STRING")])],
    { shape: [-1] }
  )
]

const rows = [
  {
    id: "a",
    created: 1.5,
    big: 2 ** 40,
    small: -3,
    ok: true,
    blob: Buffer.from("hi").toString("base64"),
    at: "2014-01-01 16:00:00.000",
    meta: { k: [1] },
    scores: [0.5, 1],
    choices: [
      { index: 0, message: { content: "x", role: "assistant" } },
      { index: 1, message: null }
    ]
  },
  null,
  { ID: "case-insensitive", choices: [], scores: null, ok: false, meta: "text", logprobs: { extra: 1 } }
]

describe("jsonColumns", () => {
  it("builds columns typed as the features, the same values Arrow's own builders give", () => {
    const { batch, rowErrors } = jsonColumns(features, rows)
    expect(rowErrors).toEqual([])
    for (const f of features) {
      expect(String(batch.getChild(f.name)!.type)).toBe(String(ArrowTypes.featureType(f)))
    }
    const plain = batch.toArray().map((r) => plainValue(r))
    expect(plain[0]).toEqual({
      id: "a",
      created: 1.5,
      big: 2 ** 40,
      small: -3,
      ok: true,
      blob: Buffer.from("hi").toString("base64"),
      at: Date.UTC(2014, 0, 1, 16),
      meta: '{"k":[1]}',
      scores: [0.5, 1],
      choices: [
        { index: 0, message: { content: "x", role: "assistant" } },
        { index: 1, message: null }
      ]
    })
    expect(plain[1]).toEqual(Object.fromEntries(features.map((f) => [f.name, null])))
    expect(plain[2]).toMatchObject({
      id: "case-insensitive",
      choices: [],
      scores: null,
      ok: false,
      meta: "text"
    })
    const reference = Arrow.vectorFromArray(
      [
        [
          { index: 0, message: { content: "x", role: "assistant" } },
          { index: 1, message: null }
        ],
        null,
        []
      ],
      ArrowTypes.featureType(features[9]!) as Arrow.DataType
    )
    expect(JSON.stringify([...batch.getChild("choices")!])).toBe(JSON.stringify([...reference]))
  })

  it("keeps every string's bytes where its offsets say, lone surrogates included", () => {
    // Joined, "a\uD800" + "\uDC00b" would become one valid pair: 2 bytes fewer than the values' own.
    const texts = ["a\uD800", "\uDC00b", "end"]
    const { batch } = jsonColumns(
      [feature("t", "STRING")],
      texts.map((t) => ({ t }))
    )
    expect([...batch.getChild("t")!]).toEqual(texts.map((t) => Buffer.from(t, "utf8").toString("utf8")))
  })

  it("fails only the row whose value does not fit, naming the feature", () => {
    const { batch, rowErrors } = jsonColumns(
      [feature("n", "INT32"), group("usage", [feature("tokens", "INT64")])],
      [{ n: 1, usage: { tokens: "many" } }, { n: 2.5 }, { n: 2 ** 40 }, { n: 3, usage: { tokens: 4 } }]
    )
    expect(rowErrors).toEqual([
      { row: 0, message: 'the server\'s value for usage.tokens is not an integer: "many"' },
      { row: 1, message: "the server's value for n is not an integer: 2.5" },
      { row: 2, message: "the server's value for n is not within INT32: 1099511627776" }
    ])
    expect([...batch.getChild("n")!]).toEqual([null, null, null, 3])
  })

  it("quotes a value that does not fit redacted whole, then cut: no part of a secret survives the cut", () => {
    const secret = "key-0d9c8b7a6f5e4d3c"
    const values = Array.from({ length: 40 }, (_, i) => ({ n: `${"-".repeat(30 + i)} ${secret}` }))
    const { rowErrors } = jsonColumns([feature("n", "INT32")], values, undefined, {
      redactor: redactor([secret])
    })
    expect(rowErrors).toHaveLength(40)
    for (const { message } of rowErrors) {
      expect(message).toMatch(/^the server's value for n is not an integer: "-{30}/)
      for (let i = 0; i + 4 <= secret.length; i++) expect(message).not.toContain(secret.slice(i, i + 4))
    }
  })
})

describe("jsonWriter", () => {
  it("writes values the way Snowflake sends them to external functions", () => {
    expect(jsonWriter(feature("x", "INT64"))(2n ** 62n)).toBe("4611686018427387904")
    expect(jsonWriter(feature("x", "DOUBLE"))(Number.NEGATIVE_INFINITY)).toBe('"-Infinity"')
    expect(jsonWriter(feature("x", "STRING"))('say "hi"')).toBe('"say \\"hi\\""')
    expect(jsonWriter(feature("x", "BYTES"), { binary: "base64" })(new Uint8Array([1, 2]))).toBe('"AQI="')
    expect(jsonWriter(feature("x", "OBJECT"))("not json")).toBe('"not json"')
    expect(jsonWriter(feature("x", "STRING"))(null)).toBe("null")
    const g = group("g", [feature("a", "INT32"), feature("b", "STRING")])
    expect(jsonWriter(g)({ a: 1, b: null })).toBe('{"a":1,"b":null}')
    expect(jsonWriter(g, { omitNullFields: true })({ a: 1, b: null })).toBe('{"a":1}')
    expect(jsonWriter(g)('[{"raw": true}]')).toBe('[{"raw": true}]')
  })
})
