/**
 * A replica's output as the supervisor keeps it: its stdout and stderr split into lines, and the lines
 * a failure message quotes (the protocol's lines rendered short, progress left out, other text as is).
 * The lines themselves are the protocol in @runbatch/spec's ReplicaOutput.
 */
import type { Parsed } from "@runbatch/spec/ReplicaOutput"

/** How a line reads in a failure message's log tail; progress lines are left out. */
export const tailText = (line: Parsed): string | undefined => {
  switch (line.type) {
    case "progress":
      return undefined
    case "failed":
      return `[failed] ${line.tag}: ${line.message}`
    case "log":
      return `[${line.level}] ${line.message}`
    case "done":
      return "[done]"
    case "interrupted":
      return `[interrupted] ${line.signal}`
    case "text":
    case "mismatch":
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
