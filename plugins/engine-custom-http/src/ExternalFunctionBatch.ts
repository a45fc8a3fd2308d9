/**
 * Snowflake's external-function JSON batch format (reference: snowflake-platform.md §E).
 *
 * Request: `{"data": [[0, arg1, arg2, …], [1, …], …]}` — each row's 0-based number within the
 * request, then its arguments in signature order (numbers as numbers, 64-bit integers exactly,
 * strings, booleans, OBJECT and groups as JSON objects, lists as arrays, timestamps and binary as
 * strings, NULL as null). Reply: `{"data": [[0, value], …]}` with every row number exactly once; a
 * reply that leaves one out, repeats one or names one that was not sent fails the batch, saying which.
 */
import type { Arrow, RowError } from "@runbatch/plugin-api"
import { type JsonWriter, jsonWriter, type Redactor } from "@runbatch/plugin-http"
import { PluginBatchError, type Signature } from "@runbatch/spec"

export interface Chunk {
  /** The batch rows this request carries, in request order (request row i is batch row rows[i]). */
  readonly rows: ReadonlyArray<number>
  readonly body: string
}

export interface Chunks {
  readonly chunks: ReadonlyArray<Chunk>
  /** Rows too large to send at all. */
  readonly rowErrors: ReadonlyArray<RowError>
}

/** Split a batch into requests of at most `rowsPerRequest` rows and `maxBytes` bytes. */
export const chunk = (
  inputs: ReadonlyArray<Signature.Feature>,
  batch: Arrow.RecordBatch,
  limits: { readonly rowsPerRequest: number; readonly maxBytes: number; readonly binary: "hex" | "base64" }
): Chunks => {
  const columns: Array<{ vector: Arrow.Vector; write: JsonWriter }> = inputs.map((feature) => ({
    vector: batch.getChild(feature.name)!,
    write: jsonWriter(feature, { binary: limits.binary })
  }))
  const chunks: Array<Chunk> = []
  const rowErrors: Array<RowError> = []
  const envelope = Buffer.byteLength('{"data":[]}')
  let rows: Array<number> = []
  let texts: Array<string> = []
  let bytes = envelope
  const flush = () => {
    if (rows.length === 0) return
    chunks.push({ rows, body: `{"data":[${texts.join(",")}]}` })
    rows = []
    texts = []
    bytes = envelope
  }
  for (let row = 0; row < batch.numRows; row++) {
    let args = ""
    for (const column of columns) args += `,${column.write(column.vector.get(row))}`
    // The row number depends on the request; measure with the widest one it could get.
    const size = Buffer.byteLength(args) + String(limits.rowsPerRequest).length + 3
    if (envelope + size > limits.maxBytes) {
      rowErrors.push({
        row,
        message: `the row is ${size} bytes as JSON, more than max_request_bytes (${limits.maxBytes}) allows in one request.`
      })
      continue
    }
    if (rows.length === limits.rowsPerRequest || bytes + size > limits.maxBytes) flush()
    texts.push(`[${rows.length}${args}]`)
    rows.push(row)
    bytes += size
  }
  flush()
  return { chunks, rowErrors }
}

/**
 * The values of a reply, in request order. Throws a PluginBatchError (not retryable: a server that
 * mixes up row numbers is broken) when the numbers are not exactly 0…count-1, once each; the entries it
 * quotes are redacted by `redactor` before they are cut short.
 */
export const readReply = (
  reply: unknown,
  count: number,
  where: string,
  redactor: Redactor
): ReadonlyArray<unknown> | "malformed" => {
  const data = (reply as { data?: unknown } | null)?.data
  if (typeof reply !== "object" || reply === null || !Array.isArray(data)) return "malformed"
  const values = new Array<unknown>(count)
  const seen = new Uint8Array(count)
  const wrong: Array<string> = []
  const repeated: Array<number> = []
  for (const entry of data as Array<unknown>) {
    if (!Array.isArray(entry) || entry.length !== 2) {
      wrong.push(redactor.snippet(JSON.stringify(entry) ?? String(entry), 40))
      continue
    }
    const index = entry[0] as unknown
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= count) {
      wrong.push(redactor.snippet(JSON.stringify(index) ?? String(index), 40))
      continue
    }
    if (seen[index] === 1) {
      repeated.push(index)
      continue
    }
    seen[index] = 1
    values[index] = entry[1]
  }
  const missing: Array<number> = []
  for (let i = 0; i < count; i++) if (seen[i] === 0) missing.push(i)
  if (wrong.length + repeated.length + missing.length > 0) {
    const list = (xs: ReadonlyArray<string | number>) =>
      `${xs.slice(0, 5).join(", ")}${xs.length > 5 ? `, … (${xs.length} in all)` : ""}`
    const problems = [
      ...(wrong.length > 0 ? [`row numbers that were not sent (${list(wrong)})`] : []),
      ...(repeated.length > 0 ? [`row numbers more than once (${list(repeated)})`] : []),
      ...(missing.length > 0 ? [`no answer for row numbers ${list(missing)}`] : [])
    ]
    throw new PluginBatchError({
      plugin: "custom-http",
      reason: `the server at ${where} answered a request of ${count} rows (numbered 0 to ${count - 1}) with ${problems.join("; ")}. Every row number must come back exactly once: {"data": [[row, value], …]}.`,
      retryable: false
    })
  }
  return values
}

/** A value per batch row, from the replies of its requests (null where a row was not sent). */
export const spread = (
  numRows: number,
  chunks: ReadonlyArray<Chunk>,
  replies: ReadonlyArray<ReadonlyArray<unknown>>
): Array<unknown> => {
  const values = new Array<unknown>(numRows).fill(null)
  chunks.forEach((c, k) => {
    const reply = replies[k]!
    for (let i = 0; i < c.rows.length; i++) values[c.rows[i]!] = reply[i]
  })
  return values
}
