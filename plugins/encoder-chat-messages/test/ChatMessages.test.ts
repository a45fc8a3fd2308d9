import { describe, expect, it } from "@effect/vitest"
import { Arrow, FileReader } from "@runbatch/plugin-api"
import { ArrowTypes } from "@runbatch/spec"
import { ChatSignatures, encoderConformance, MemoryStage } from "@runbatch/testkit"
import { Effect, Layer } from "effect"
import encoder from "../src/index.ts"

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])
const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 9, 9])
const avi = new Uint8Array([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x41, 0x56, 0x49, 0x20, 7])
const mp3 = new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0])
const files = new Map([
  ["@ML.PUBLIC.MEDIA/cat.png", png],
  ["@ML.PUBLIC.MEDIA/dog.jpeg", jpeg],
  ["@ML.PUBLIC.MEDIA/clip.avi", avi],
  ["@ML.PUBLIC.MEDIA/hello.mp3", mp3],
  ["@OTHER.STAGES.EXTERNAL/big.png", new Uint8Array(5000).fill(1)]
])
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64")

const imageMessage = (url: string) =>
  JSON.stringify([
    {
      role: "user",
      content: [
        { type: "text", text: "what is this?" },
        { type: "image_url", image_url: { url } }
      ]
    }
  ])

encoderConformance({
  packageJson: new URL("../package.json", import.meta.url),
  encoder,
  files,
  value: imageMessage
})

const encodeVector = (
  column: Arrow.Vector,
  options: Record<string, unknown> = {},
  layer = MemoryStage.host(files)
) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(encoder.open({ options: options as never }), (instance) =>
        instance.encode(column, {
          column: "MESSAGES",
          inputFormat: "openai_chat",
          convertTo: "chat_messages"
        })
      )
    ).pipe(Effect.provide(layer))
  )

const encode = (rows: ReadonlyArray<unknown>, options: Record<string, unknown> = {}) =>
  encodeVector(
    Arrow.vectorFromArray(
      rows.map((r) => (r === null ? null : typeof r === "string" ? r : JSON.stringify(r))),
      new Arrow.Utf8()
    ),
    options
  )

const parsed = (value: unknown) =>
  JSON.parse(value as string) as Array<{ content: Array<Record<string, unknown>> }>

describe("the chat-messages encoder", () => {
  it("passes rows without media through as they were", async () => {
    const text = '[{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]'
    const result = await encode([text, null])
    expect(result.vector.get(0)).toBe(text)
    expect(result.vector.get(1)).toBeNull()
    expect(result.rowErrors).toEqual([])
  })

  it("inlines images, videos and audio named by stage paths; several per message, mixed stages", async () => {
    const messages = [
      {
        role: "user",
        content: [
          { type: "text", text: "compare" },
          { type: "image_url", image_url: { url: "@ML.PUBLIC.MEDIA/cat.png", detail: "low" } },
          { type: "image_url", image_url: { url: "@ML.PUBLIC.MEDIA/dog.jpeg" } },
          { type: "image_url", image_url: { url: "@OTHER.STAGES.EXTERNAL/big.png" } },
          { type: "video_url", video_url: { url: "@ML.PUBLIC.MEDIA/clip.avi" } },
          { type: "input_audio", input_audio: { data: "@ML.PUBLIC.MEDIA/hello.mp3" } },
          { type: "input_audio", input_audio: { data: "@ML.PUBLIC.MEDIA/hello.mp3", format: "wav" } }
        ]
      }
    ]
    const result = await encode([messages])
    expect(result.rowErrors).toEqual([])
    const parts = parsed(result.vector.get(0))[0]!.content
    expect(parts[0]).toEqual({ type: "text", text: "compare" })
    expect(parts[1]).toEqual({
      type: "image_url",
      image_url: { url: `data:image/png;base64,${b64(png)}`, detail: "low" }
    })
    expect(parts[2]).toEqual({ type: "image_url", image_url: { url: `data:image/jpeg;base64,${b64(jpeg)}` } })
    expect((parts[3] as { image_url: { url: string } }).image_url.url).toMatch(/^data:image\/png;base64,AQEB/)
    expect(parts[4]).toEqual({
      type: "video_url",
      video_url: { url: `data:video/x-msvideo;base64,${b64(avi)}` }
    })
    expect(parts[5]).toEqual({ type: "input_audio", input_audio: { data: b64(mp3), format: "mp3" } })
    expect(parts[6]).toEqual({ type: "input_audio", input_audio: { data: b64(mp3), format: "wav" } })
  })

  it("leaves http(s) and data URLs alone and refuses other kinds of URL", async () => {
    const result = await encode([
      imageMessage("https://media.example.invalid/cat.png"),
      imageMessage("data:image/png;base64,AAAA"),
      imageMessage("file:///etc/passwd"),
      imageMessage("cat.png")
    ])
    expect(parsed(result.vector.get(0))[0]!.content[1]).toEqual({
      type: "image_url",
      image_url: { url: "https://media.example.invalid/cat.png" }
    })
    expect(result.vector.get(1)).toBe(imageMessage("data:image/png;base64,AAAA"))
    expect(result.vector.get(2)).toBeNull()
    expect(result.rowErrors.map((e) => e.row)).toEqual([2, 3])
    expect(result.rowErrors[0]!.message).toContain(
      "messages[0].content[1].image_url.url must be a stage path (@DB.SCHEMA.STAGE/file), an http(s) URL or a data: URL"
    )
  })

  it("fails only the rows that are not chat messages", async () => {
    const result = await encode([
      "not json",
      "{}",
      [{ content: "no role" }],
      [{ role: "user", content: [{ text: "no type" }] }],
      [{ role: "user", content: "fine" }]
    ])
    expect(result.rowErrors.map((e) => [e.row, e.message.slice(0, 40)])).toEqual([
      [0, "messages is not valid JSON: Unexpected t"],
      [1, "messages must be a non-empty list of cha"],
      [2, "messages[0] must be an object with a rol"],
      [3, "messages[0].content[0] must be an object"]
    ])
    expect(result.vector.get(4)).not.toBeNull()
  })

  it("enforces its caps per file, per row count and per row bytes, naming the path and the limit", async () => {
    const big = await encode(
      [imageMessage("@OTHER.STAGES.EXTERNAL/big.png"), imageMessage("@ML.PUBLIC.MEDIA/cat.png")],
      {
        maxFileBytes: 1000
      }
    )
    expect(big.rowErrors).toEqual([
      {
        row: 0,
        message:
          "messages[0].content[1].image_url.url: @OTHER.STAGES.EXTERNAL/big.png is larger than 1000 bytes (maxFileBytes)."
      }
    ])
    expect(big.vector.get(1)).not.toBeNull()

    const many = [
      {
        role: "user",
        content: Array.from({ length: 3 }, () => ({
          type: "image_url",
          image_url: { url: "@ML.PUBLIC.MEDIA/cat.png" }
        }))
      }
    ]
    const counted = await encode([many], { maxMediaPerRow: 2 })
    expect(counted.rowErrors[0]!.message).toBe("the row has 3 media parts; the limit is 2 (maxMediaPerRow).")

    const summed = await encode([many], { maxRowBytes: 25 })
    expect(summed.rowErrors[0]!.message).toBe(
      "messages[0].content[2].image_url.url: @ML.PUBLIC.MEDIA/cat.png brings the row's media to 33 bytes; the limit is 25 (maxRowBytes)."
    )

    const missing = await encode([imageMessage("@ML.PUBLIC.MEDIA/nope.png")])
    expect(missing.rowErrors[0]!.message).toContain("@ML.PUBLIC.MEDIA/nope.png does not exist")
  })

  it("reads a file once per batch however many rows name it", async () => {
    let reads = 0
    const inner = Effect.runSync(Effect.provide(FileReader, MemoryStage.fileReader(files)))
    const counting = Layer.mergeAll(
      Layer.succeed(FileReader, {
        ...inner,
        read: (location, options) =>
          Effect.suspend(() => {
            reads++
            return inner.read(location, options)
          })
      }),
      MemoryStage.logger()
    )
    const column = Arrow.vectorFromArray(
      Array.from({ length: 50 }, () => imageMessage("@ML.PUBLIC.MEDIA/cat.png")),
      new Arrow.Utf8()
    )
    const result = await encodeVector(column, {}, counting)
    expect(result.rowErrors).toEqual([])
    expect(reads).toBe(1)
  })

  it("takes messages as a list of structs (Snowflake's chat signature), leaving out null fields", async () => {
    const type = ArrowTypes.featureType(ChatSignatures.messages())
    const column = Arrow.vectorFromArray(
      [
        [
          {
            role: "user",
            name: null,
            title: null,
            content: [
              { type: "text", text: "describe", image_url: null, video_url: null, input_audio: null },
              {
                type: "image_url",
                text: null,
                image_url: { url: "@ML.PUBLIC.MEDIA/cat.png", detail: null },
                video_url: null,
                input_audio: null
              }
            ]
          }
        ],
        null
      ],
      type as Arrow.DataType
    )
    const result = await encodeVector(column)
    expect(result.rowErrors).toEqual([])
    expect(JSON.parse(result.vector.get(0) as string)).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "describe" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${b64(png)}` } }
        ]
      }
    ])
    expect(result.vector.get(1)).toBeNull()
  })
})
