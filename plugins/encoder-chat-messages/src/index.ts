/**
 * The `chat-messages` encoder: a column of OpenAI chat messages — JSON text, or a list of structs as
 * Snowflake's OpenAI chat signatures describe them — whose media parts name stage files becomes the
 * same messages with the media inlined, as JSON text an LLM server takes:
 *
 * - `image_url.url` and `video_url.url` holding a full stage path (`@DB.SCHEMA.STAGE/cat.jpeg`)
 *   become `data:<type>;base64,…` URLs (the type from the file's bytes, then its extension);
 * - `input_audio.data` holding a stage path becomes the file's base64, and `input_audio.format` is
 *   filled from the file when missing (`mp3`, `wav`, …);
 * - http(s) and `data:` URLs are left alone (the server fetches links itself: this encoder never
 *   does), and any other kind of URL fails its row.
 *
 * Rows without media pass through; several media per message and files of several stages work; a
 * file is read once per batch however many rows name it. Caps: `maxFileBytes` per file (default
 * 32 MiB), `maxMediaPerRow` (default 32) and `maxRowBytes` of media per row (default 64 MiB); a row
 * over a cap, or naming a file that cannot be read, fails alone with an error naming the path and the
 * limit. Engines that need it (engine-vllm) declare it in their manifest, so users never configure it.
 */
import { Arrow, defineEncoder, FileReader, positiveIntegerOption, type RowError } from "@runbatch/plugin-api"
import { MediaType } from "@runbatch/plugin-http"
import { Effect } from "effect"

const ID = "chat-messages"
const MiB = 1024 * 1024

interface Limits {
  readonly maxFileBytes: number
  readonly maxMediaPerRow: number
  readonly maxRowBytes: number
  readonly concurrency: number
}

/** A stage file a message part names, and how to put its contents in. */
interface MediaRef {
  readonly location: string
  /** Where it sits in the row, for errors: `messages[0].content[1].image_url.url`. */
  readonly path: string
  /**
   * Inline the file, given its bytes and their base64 text (encoded once per batch, however many rows
   * name the file); returns an error message when the file does not fit.
   */
  readonly inline: (bytes: Uint8Array, base64: () => string) => string | undefined
}

class RowProblem {
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

const isStagePath = (value: string) => value.startsWith("@") || value.startsWith("snow://")
const isPassThroughUrl = (value: string) => /^(https?:\/\/|data:)/i.test(value)

const base64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** An Arrow value (a list of StructRows) as plain messages, fields that are null left out. */
const plainMessages = (value: unknown): unknown => {
  if (value === null || value === undefined) return undefined
  if (typeof value === "bigint") return Number(value)
  if (typeof value !== "object") return value
  if (value instanceof Arrow.Vector || Array.isArray(value))
    return Array.from(value as Iterable<unknown>, (v) => plainMessages(v) ?? null)
  const record = ((value as { toJSON?: () => unknown }).toJSON?.() ?? value) as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(record)) {
    const plain = plainMessages(v)
    if (plain !== undefined) out[key] = plain
  }
  return out
}

/** Check the messages' shape and find the stage files their parts name. */
const mediaOf = (messages: unknown, limits: Limits): Array<MediaRef> => {
  if (!Array.isArray(messages) || messages.length === 0)
    throw new RowProblem("messages must be a non-empty list of chat messages ({role, content}).")
  const refs: Array<MediaRef> = []
  messages.forEach((message, m) => {
    if (!isRecord(message) || typeof message["role"] !== "string")
      throw new RowProblem(`messages[${m}] must be an object with a role.`)
    const content = message["content"]
    if (content === undefined || content === null || typeof content === "string") return
    if (!Array.isArray(content))
      throw new RowProblem(`messages[${m}].content must be text or a list of content parts.`)
    content.forEach((part, p) => {
      const at = `messages[${m}].content[${p}]`
      if (!isRecord(part) || typeof part["type"] !== "string")
        throw new RowProblem(`${at} must be an object with a type.`)
      for (const kind of ["image_url", "video_url"] as const) {
        const holder = part[kind]
        if (part["type"] !== kind || !isRecord(holder) || typeof holder["url"] !== "string") continue
        const url = holder["url"]
        const path = `${at}.${kind}.url`
        if (isPassThroughUrl(url)) continue
        if (!isStagePath(url))
          throw new RowProblem(
            `${path} must be a stage path (@DB.SCHEMA.STAGE/file), an http(s) URL or a data: URL, got ${JSON.stringify(url.slice(0, 80))}.`
          )
        refs.push({
          location: url,
          path,
          inline: (bytes, encoded) => {
            holder["url"] = `data:${MediaType.of(url, bytes)};base64,${encoded()}`
            return undefined
          }
        })
      }
      const audio = part["input_audio"]
      if (part["type"] === "input_audio" && isRecord(audio) && typeof audio["data"] === "string") {
        const data = audio["data"]
        if (!isStagePath(data)) return
        const path = `${at}.input_audio.data`
        refs.push({
          location: data,
          path,
          inline: (bytes, encoded) => {
            if (typeof audio["format"] !== "string" || audio["format"] === "") {
              const format = MediaType.audioFormatOf(data, bytes)
              if (format === undefined)
                return `${path}: cannot tell the audio format of ${data}; set input_audio.format (mp3, wav, …).`
              audio["format"] = format
            }
            audio["data"] = encoded()
            return undefined
          }
        })
      }
    })
  })
  if (refs.length > limits.maxMediaPerRow)
    throw new RowProblem(
      `the row has ${refs.length} media parts; the limit is ${limits.maxMediaPerRow} (maxMediaPerRow).`
    )
  return refs
}

/** One row's messages, parsed, checked, with the files it needs. */
interface Row {
  readonly text: string | undefined
  readonly messages: unknown
  readonly refs: ReadonlyArray<MediaRef>
}

const parseRow = (value: unknown, limits: Limits): Row => {
  if (typeof value === "string") {
    let messages: unknown
    try {
      messages = JSON.parse(value)
    } catch (error) {
      throw new RowProblem(`messages is not valid JSON: ${(error as Error).message}`)
    }
    return { text: value, messages, refs: mediaOf(messages, limits) }
  }
  const messages = plainMessages(value)
  return { text: undefined, messages, refs: mediaOf(messages, limits) }
}

const encodeColumn = (column: Arrow.Vector, limits: Limits) =>
  Effect.gen(function* () {
    const reader = yield* FileReader
    const rowErrors: Array<RowError> = []
    const rows: Array<Row | null> = []
    for (let i = 0; i < column.length; i++) {
      const value = column.get(i) as unknown
      if (value === null || value === undefined) {
        rows.push(null)
        continue
      }
      try {
        rows.push(parseRow(value, limits))
      } catch (error) {
        if (!(error instanceof RowProblem)) throw error
        rowErrors.push({ row: i, message: error.message })
        rows.push(null)
      }
    }

    // Each file once per batch, however many rows name it.
    const locations = [...new Set(rows.flatMap((row) => row?.refs.map((r) => r.location) ?? []))]
    const files = new Map<string, Uint8Array | string>()
    yield* Effect.forEach(
      locations,
      (location) =>
        reader.read(location, { maxBytes: limits.maxFileBytes }).pipe(
          Effect.match({
            onFailure: (error) =>
              void files.set(
                location,
                error.problem === "too_large"
                  ? `${location} is larger than ${limits.maxFileBytes} bytes (maxFileBytes).`
                  : error.message
              ),
            onSuccess: (bytes) => void files.set(location, bytes)
          })
        ),
      { concurrency: limits.concurrency, discard: true }
    )

    const encoded = new Map<string, string>()
    const base64Of = (location: string, bytes: Uint8Array) => () => {
      let text = encoded.get(location)
      if (text === undefined) {
        text = base64(bytes)
        encoded.set(location, text)
      }
      return text
    }

    const texts = rows.map((row, i): string | null => {
      if (row === null) return null
      let total = 0
      for (const ref of row.refs) {
        const file = files.get(ref.location)!
        if (typeof file !== "string") total += file.byteLength
        const problem =
          typeof file === "string"
            ? `${ref.path}: ${file}`
            : total > limits.maxRowBytes
              ? `${ref.path}: ${ref.location} brings the row's media to ${total} bytes; the limit is ${limits.maxRowBytes} (maxRowBytes).`
              : ref.inline(file, base64Of(ref.location, file))
        if (problem !== undefined) {
          rowErrors.push({ row: i, message: problem })
          return null
        }
      }
      return row.refs.length === 0 && row.text !== undefined ? row.text : JSON.stringify(row.messages)
    })
    rowErrors.sort((a, b) => a.row - b.row)
    return { vector: Arrow.vectorFromArray(texts, new Arrow.Utf8()), rowErrors }
  })

export default defineEncoder({
  id: ID,
  open: ({ options }) =>
    Effect.gen(function* () {
      const limits: Limits = {
        maxFileBytes: yield* positiveIntegerOption(ID, "maxFileBytes", options["maxFileBytes"], 32 * MiB),
        maxMediaPerRow: yield* positiveIntegerOption(ID, "maxMediaPerRow", options["maxMediaPerRow"], 32),
        maxRowBytes: yield* positiveIntegerOption(ID, "maxRowBytes", options["maxRowBytes"], 64 * MiB),
        concurrency: yield* positiveIntegerOption(ID, "concurrency", options["concurrency"], 16)
      }
      return { encode: (column) => encodeColumn(column, limits) }
    })
})
