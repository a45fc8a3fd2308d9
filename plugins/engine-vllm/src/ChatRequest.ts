/**
 * Request bodies for `/v1/chat/completions`, one per row: the served model, the row's messages (as the
 * chat-messages encoder left them: JSON text, written as is), `"stream": false`, then the generation
 * settings — the job's params, overridden by the row's own columns where the signature has them
 * (temperature, max_completion_tokens, stop, n, top_p, response_format, …). Null values are left out,
 * so a row's null falls back to the job's setting and that to the server's default.
 */
import type { Arrow } from "@runbatch/plugin-api"
import { type JsonWriter, jsonWriter } from "@runbatch/plugin-http"
import type { Json, Signature } from "@runbatch/spec"

/** Inputs that are not settings to forward: the messages, and `stream` (answers are collected whole). */
const NOT_SENT = new Set(["messages", "stream", "stream_options"])

const withoutNulls = (value: Json): Json => {
  if (Array.isArray(value)) return value.map(withoutNulls)
  if (value !== null && typeof value === "object") {
    const out: Record<string, Json> = {}
    for (const [key, v] of Object.entries(value as Record<string, Json>))
      if (v !== null) out[key] = withoutNulls(v)
    return out
  }
  return value
}

export const isMessages = (feature: Signature.Feature) => feature.name.toLowerCase() === "messages"

/**
 * A response_format that asks for nothing: a json_schema one without a schema. Snowflake's chat
 * signatures declare response_format as a param group whose fields have defaults, so a job that sets
 * none resolves to exactly this; it is left out of the request.
 */
export const isEmptyResponseFormat = (value: unknown): boolean => {
  if (typeof value !== "object" || value === null) return false
  const format = value as { type?: unknown; json_schema?: { schema?: unknown } | null }
  const schema = format.json_schema?.schema
  return format.type === "json_schema" && (schema === null || schema === undefined || schema === "")
}

/** The job's params as body fields (`"temperature":0.2`), and a model override when params name one. */
export const paramFields = (
  params: Readonly<Record<string, Json>>
): { readonly fields: ReadonlyMap<string, string>; readonly model: string | undefined } => {
  const fields = new Map<string, string>()
  let model: string | undefined
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined || NOT_SENT.has(name.toLowerCase())) continue
    if (name.toLowerCase() === "model") {
      if (typeof value === "string" && value !== "") model = value
      continue
    }
    if (name.toLowerCase() === "response_format" && isEmptyResponseFormat(value)) continue
    fields.set(name, JSON.stringify(withoutNulls(value)))
  }
  return { fields, model }
}

interface RowColumn {
  readonly name: string
  readonly responseFormat: boolean
  readonly vector: Arrow.Vector
  readonly write: JsonWriter
}

export interface RequestBodies {
  /** Whether the row gets a request (its messages are not null). */
  readonly has: (row: number) => boolean
  /** The row's body. */
  readonly body: (row: number) => string
}

export const requestBodies = (
  inputs: ReadonlyArray<Signature.Feature>,
  batch: Arrow.RecordBatch,
  params: { readonly fields: ReadonlyMap<string, string>; readonly model: string | undefined },
  servedModel: string
): RequestBodies => {
  const messagesFeature = inputs.find(isMessages)!
  const messages = batch.getChild(messagesFeature.name)!
  const writeGroup = jsonWriter(messagesFeature, { omitNullFields: true })
  const writeMessages: JsonWriter = (v) => (typeof v === "string" ? v : writeGroup(v))
  const columns: Array<RowColumn> = []
  let modelColumn: Arrow.Vector | undefined
  for (const feature of inputs) {
    if (isMessages(feature)) continue
    const vector = batch.getChild(feature.name)
    if (vector === null) continue
    if (feature.name.toLowerCase() === "model") {
      modelColumn = vector
      continue
    }
    if (NOT_SENT.has(feature.name.toLowerCase())) continue
    columns.push({
      name: feature.name,
      responseFormat: feature.name.toLowerCase() === "response_format",
      vector,
      write: jsonWriter(feature, { omitNullFields: true })
    })
  }
  const jobModel = JSON.stringify(params.model ?? servedModel)
  const jobFields = [...params.fields].filter(([name]) => !columns.some((c) => c.name === name))
  // A job param a column overrides, sent for the rows whose cell is null.
  const overridable = new Map([...params.fields].filter(([name]) => columns.some((c) => c.name === name)))
  return {
    has: (row) => messages.isValid(row),
    body: (row) => {
      const value = messages.get(row) as unknown
      const rowModel = modelColumn?.get(row) as string | null | undefined
      let body = `{"model":${rowModel ? JSON.stringify(rowModel) : jobModel},"messages":${writeMessages(value)},"stream":false`
      for (const [name, text] of jobFields) body += `,${JSON.stringify(name)}:${text}`
      for (const column of columns) {
        const cell = column.vector.get(row) as unknown
        if (
          cell === null ||
          cell === undefined ||
          // A struct row reads its fields by name: no need to convert the whole cell.
          (column.responseFormat && isEmptyResponseFormat(cell))
        ) {
          const fallback = overridable.get(column.name)
          if (fallback !== undefined) body += `,${JSON.stringify(column.name)}:${fallback}`
          continue
        }
        body += `,${JSON.stringify(column.name)}:${column.write(cell)}`
      }
      return `${body}}`
    }
  }
}
