/**
 * What a replica prints on stdout: one JSON object per line. `runbatch-replica` writes these lines;
 * the local supervisor reads them from its child's stdout, and in Snowpark Container Services the same
 * lines come back through the service's logs. Both sides use this file, so the protocol has one
 * definition. No dependencies: the supervisor loads it alone (`@runbatch/spec/ReplicaOutput`).
 *
 * The reader is lenient, because a replica command may be any command: a line that is not one of the
 * protocol's is text, kept as it is, and a protocol line's missing or malformed counters read as 0.
 * Only a line that says it is of another version of the protocol (`"runbatch": 2`) is an error: the
 * replica runs another runbatch version than the launcher reading it, and nothing it says can be
 * trusted to mean the same.
 */

export type LogLevel = "info" | "warn" | "error"

/** A replica's running totals, as its progress lines carry them. */
export interface Counters {
  /** Input rows this replica has finished (committed or recorded), `resumedRows` included. */
  readonly rows: number
  /**
   * Of `rows`, those of shards committed by an earlier attempt of the job (a resumed job): done, but
   * not by this run, so they count in `rows` and not in `rowsPerSecond`.
   */
  readonly resumedRows: number
  /** Input rows this replica has to do. */
  readonly totalRows: number
  readonly shardsDone: number
  readonly shards: number
  /** Rows this run has finished per second (`resumedRows` left out). */
  readonly rowsPerSecond: number
  /** Rows whose error was recorded (`onError: record`). */
  readonly errors: number
  /** Engine counters, e.g. prompt and completion tokens. */
  readonly metrics: Readonly<Record<string, number>>
}

/** The lines a replica writes while it runs. */
export type ProgressLine =
  | {
      readonly type: "log"
      readonly replica: number
      readonly time: string
      readonly level: LogLevel
      readonly message: string
    }
  | ({ readonly type: "progress"; readonly replica: number; readonly time: string } & Counters)

/** Every line a replica writes: its running lines, then exactly one last line saying how it ended. */
export type Line =
  | ProgressLine
  | {
      readonly type: "done"
      readonly replica: number
      readonly summary: unknown
      /** The peak resident memory of the whole process (every thread included). */
      readonly peakRssBytes: number
      /** The module the replica ran (a file URL: which install or build of the runtime). */
      readonly entry?: string
    }
  | {
      readonly type: "failed"
      readonly replica: number
      readonly error: { readonly tag: string; readonly message: string }
    }
  | { readonly type: "interrupted"; readonly replica: number; readonly signal: string }

/** A line as the reader sees it: what it needs of each kind, or the text of a line that is not one. */
export type Parsed =
  | { readonly type: "progress"; readonly progress: Counters }
  | { readonly type: "failed"; readonly tag: string; readonly message: string }
  | { readonly type: "log"; readonly level: string; readonly message: string }
  | { readonly type: "done" }
  | { readonly type: "interrupted"; readonly signal: string }
  | { readonly type: "text"; readonly text: string }
  /** A line of another version of the protocol (`found`, as the line gives it). */
  | { readonly type: "mismatch"; readonly found: string; readonly text: string }

/**
 * The protocol's version. Each line carries it as `runbatch` (lines of version 1 written before it
 * did carry none, and still read).
 */
export const VERSION = 1

/** The key of a line's protocol version: a name no other program's JSON lines are likely to use. */
export const VERSION_KEY = "runbatch"

/** The JSON text of a line, without its newline. */
export const format = (line: Line): string => JSON.stringify({ [VERSION_KEY]: VERSION, ...line })

/** What a reader says of a line of another version (ReplicaOutputMismatch's message). */
export const mismatchMessage = (replica: number, found: string): string =>
  `Replica ${replica} writes version ${found} of runbatch's replica output, and this launcher reads version ${VERSION}: the replica command runs another runbatch version than the launcher. Start replicas with the replica command of the same install (ReplicaCommand from the @runbatch/runtime beside this @runbatch/spcs-launcher).`

const count = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0)

const metricsOf = (value: unknown): Readonly<Record<string, number>> =>
  typeof value === "object" && value !== null
    ? Object.fromEntries(
        Object.entries(value).filter(
          (entry): entry is [string, number] => typeof entry[1] === "number" && Number.isFinite(entry[1])
        )
      )
    : {}

/**
 * One line of a replica's output; anything that is not a line of this protocol is kept as text, and a
 * line of another version of it is a `mismatch`.
 */
export const parse = (text: string): Parsed => {
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
  if (VERSION_KEY in line && line[VERSION_KEY] !== VERSION) {
    const found = line[VERSION_KEY]
    return { type: "mismatch", found: typeof found === "string" ? found : JSON.stringify(found), text }
  }
  switch (line["type"]) {
    case "progress":
      return {
        type: "progress",
        progress: {
          rows: count(line["rows"]),
          resumedRows: count(line["resumedRows"]),
          totalRows: count(line["totalRows"]),
          shardsDone: count(line["shardsDone"]),
          shards: count(line["shards"]),
          rowsPerSecond: count(line["rowsPerSecond"]),
          errors: count(line["errors"]),
          metrics: metricsOf(line["metrics"])
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
    case "interrupted":
      return { type: "interrupted", signal: typeof line["signal"] === "string" ? line["signal"] : "a signal" }
    default:
      return { type: "text", text }
  }
}
