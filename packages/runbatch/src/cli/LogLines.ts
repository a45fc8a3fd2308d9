/**
 * `jobs logs` as people read logs: a replica's log holds its protocol lines (JSON, see
 * @runbatch/spec's ReplicaOutput); each is printed as `TIME LEVEL message`, and a line that is not one
 * (a crash's stderr) as it is. `--json` gives the records themselves.
 */

/** One record of a log: the protocol line's object, or the text of a line that is not JSON. */
export type LogRecord = Readonly<Record<string, unknown>>

export const record = (line: string): LogRecord => {
  try {
    const value: unknown = JSON.parse(line)
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as LogRecord
  } catch {
    // not a protocol line: kept as text below
  }
  return { type: "text", message: line }
}

const text = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value))

/** A record as one readable line. */
export const readable = (entry: LogRecord): string => {
  const time = typeof entry["time"] === "string" ? `${entry["time"]} ` : ""
  switch (entry["type"]) {
    case "text":
      return text(entry["message"])
    case "log":
      return `${time}${text(entry["level"]).toUpperCase().padEnd(5)} ${text(entry["message"])}`
    case "failed": {
      const error = (entry["error"] ?? {}) as Record<string, unknown>
      return `${time}ERROR ${text(error["tag"])}: ${text(error["message"])}`
    }
    case "progress": {
      const errors =
        typeof entry["errors"] === "number" && entry["errors"] > 0 ? `, ${entry["errors"]} error(s)` : ""
      return `${time}INFO  progress: ${text(entry["rows"])} row(s), ${text(entry["shardsDone"])} shard(s) done, ${text(entry["rowsPerSecond"])} rows/s${errors}`
    }
    case "interrupted":
      return `${time}WARN  interrupted by ${text(entry["signal"])}`
    case "done":
      return `${time}INFO  replica ${text(entry["replica"])} done`
    default:
      return JSON.stringify(entry)
  }
}
