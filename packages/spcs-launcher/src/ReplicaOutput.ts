/**
 * What a replica prints, as the supervisor reads it: JSON lines on stdout (`{"type":"log",…}`,
 * `{"type":"progress",…}`, a last `{"type":"done",…}` or `{"type":"failed","error":{tag,message}}`)
 * and free text on stderr. Lines that are not JSON are kept as text: a replica command is any command.
 */
import type { ReplicaProgress } from "./JobFolder.ts"

export type ReplicaLine =
  | { readonly type: "progress"; readonly progress: ReplicaProgress }
  | { readonly type: "failed"; readonly tag: string; readonly message: string }
  | { readonly type: "log"; readonly level: string; readonly message: string }
  | { readonly type: "done" }
  | { readonly type: "text"; readonly text: string }

const count = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0)

/** One line of a replica's output. */
export const parseLine = (text: string): ReplicaLine => {
  const trimmed = text.trim()
  if (!trimmed.startsWith("{")) return { type: "text", text }
  let value: unknown
  try {
    value = JSON.parse(trimmed)
  } catch {
    return { type: "text", text }
  }
  if (typeof value !== "object" || value === null) return { type: "text", text }
  const line = value as Record<string, unknown>
  switch (line["type"]) {
    case "progress":
      return {
        type: "progress",
        progress: {
          rows: count(line["rows"]),
          totalRows: count(line["totalRows"]),
          shardsDone: count(line["shardsDone"]),
          shards: count(line["shards"]),
          rowsPerSecond: count(line["rowsPerSecond"]),
          errors: count(line["errors"])
        }
      }
    case "failed": {
      const error = (
        typeof line["error"] === "object" && line["error"] !== null ? line["error"] : {}
      ) as Record<string, unknown>
      return {
        type: "failed",
        tag: typeof error["tag"] === "string" ? error["tag"] : "Error",
        message: typeof error["message"] === "string" ? error["message"] : JSON.stringify(line["error"])
      }
    }
    case "log":
      return {
        type: "log",
        level: typeof line["level"] === "string" ? line["level"] : "info",
        message: typeof line["message"] === "string" ? line["message"] : ""
      }
    case "done":
      return { type: "done" }
    default:
      return { type: "text", text }
  }
}

/** How a line reads in a failure message's log tail; progress lines are left out. */
export const tailText = (line: ReplicaLine): string | undefined => {
  switch (line.type) {
    case "progress":
      return undefined
    case "failed":
      return `[failed] ${line.tag}: ${line.message}`
    case "log":
      return `[${line.level}] ${line.message}`
    case "done":
      return "[done]"
    case "text":
      return line.text
  }
}

/** Splits a stream of text chunks into lines; `end` returns an unterminated last line. */
export const lineSplitter = (onLine: (line: string) => void) => {
  let buffer = ""
  return {
    push: (chunk: string) => {
      buffer += chunk
      const parts = buffer.split("\n")
      buffer = parts.pop() ?? ""
      for (const part of parts) onLine(part.endsWith("\r") ? part.slice(0, -1) : part)
    },
    end: () => {
      if (buffer !== "") onLine(buffer)
      buffer = ""
    }
  }
}
