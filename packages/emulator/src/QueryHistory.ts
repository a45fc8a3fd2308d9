/**
 * Every statement the emulator ran, as Snowflake's `INFORMATION_SCHEMA.QUERY_HISTORY()` shows them,
 * and — with the `queryLog` option — one JSON line per finished statement in a file
 * (`{"sql": …, "status": …, "queryId": …, …}`). Secrets never reach either: the string literals of
 * `CREATE/ALTER SECRET` and `CREATE/ALTER USER` (passwords, RSA public keys) are replaced by `'***'`.
 */
import { createWriteStream, type WriteStream } from "node:fs"
import { Effect } from "effect"
import { type Token, tokenize } from "./SqlTokens.ts"

export type ExecutionStatus = "RUNNING" | "SUCCESS" | "FAILED_WITH_ERROR" | "ABORTED"

export interface HistoryEntry {
  readonly queryId: string
  /** The statement's text, with secrets redacted. */
  readonly sql: string
  readonly sessionId: number
  readonly user: string
  readonly role: string
  readonly warehouse: string | undefined
  readonly database: string
  readonly schema: string
  /** Whether the client submitted it asynchronously (asyncExec) and polled for its result. */
  readonly asyncExec: boolean
  /** The session's QUERY_TAG parameter when the statement ran. */
  readonly queryTag: string | undefined
  readonly startTime: Date
  status: ExecutionStatus
  endTime: Date | undefined
  errorCode: string | undefined
  errorMessage: string | undefined
  sqlState: string | undefined
  rows: number | undefined
}

/** How many statements QUERY_HISTORY() keeps in memory (the log file keeps them all). */
export const HISTORY_LIMIT = 10_000

const SECRET_STATEMENT = /^\s*(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:SECRET|USER)|ALTER\s+(?:SECRET|USER))\b/i

/** `sql` with every string literal replaced by `'***'` when it creates or alters a secret or a user. */
export const redact = (sql: string): string => {
  const withoutComments = sql.replace(/^(\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/))*/, "")
  if (!SECRET_STATEMENT.test(withoutComments)) return sql
  let tokens: ReadonlyArray<Token>
  try {
    tokens = tokenize(sql)
  } catch {
    // Unlexable (an unclosed quote): keep only the statement's head.
    return `${withoutComments.slice(0, 40).replace(/'.*$/s, "")}'***'`
  }
  return tokens.map((token) => (token.kind === "string" ? "'***'" : token.text)).join("")
}

export interface QueryHistory {
  /** Record a statement as it starts (RUNNING). */
  readonly start: (
    entry: Omit<HistoryEntry, "status" | "endTime" | "errorCode" | "errorMessage" | "sqlState" | "rows">
  ) => void
  /** Record how it ended, and log it. */
  readonly finish: (
    queryId: string,
    outcome: {
      readonly status: Exclude<ExecutionStatus, "RUNNING">
      readonly errorCode?: string
      readonly errorMessage?: string
      readonly sqlState?: string
      readonly rows?: number
    }
  ) => void
  readonly entries: () => ReadonlyArray<HistoryEntry>
  readonly get: (queryId: string) => HistoryEntry | undefined
  /** Flush and close the log file. */
  readonly close: Effect.Effect<void>
}

const logLine = (entry: HistoryEntry): string =>
  `${JSON.stringify({
    sql: entry.sql,
    status: entry.status,
    queryId: entry.queryId,
    sessionId: entry.sessionId,
    user: entry.user,
    database: entry.database,
    schema: entry.schema,
    asyncExec: entry.asyncExec,
    queryTag: entry.queryTag,
    startTime: entry.startTime.toISOString(),
    endTime: entry.endTime?.toISOString(),
    elapsedMs: entry.endTime === undefined ? undefined : entry.endTime.getTime() - entry.startTime.getTime(),
    rows: entry.rows,
    errorCode: entry.errorCode,
    sqlState: entry.sqlState,
    errorMessage: entry.errorMessage
  })}\n`

export const makeQueryHistory = (logFile: string | undefined): QueryHistory => {
  const byId = new Map<string, HistoryEntry>()
  const log: WriteStream | undefined =
    logFile === undefined ? undefined : createWriteStream(logFile, { flags: "a", mode: 0o600 })
  // A log that cannot be written must not take the emulator down; the failure is reported once.
  log?.on("error", (error) =>
    process.stderr.write(`runbatch emulator: the query log ${logFile} failed: ${error.message}\n`)
  )
  return {
    start: (entry) => {
      byId.set(entry.queryId, {
        ...entry,
        sql: redact(entry.sql),
        status: "RUNNING",
        endTime: undefined,
        errorCode: undefined,
        errorMessage: undefined,
        sqlState: undefined,
        rows: undefined
      })
      if (byId.size > HISTORY_LIMIT) byId.delete(byId.keys().next().value!)
    },
    finish: (queryId, outcome) => {
      const entry = byId.get(queryId)
      if (entry === undefined || entry.status !== "RUNNING") return
      entry.status = outcome.status
      entry.endTime = new Date()
      entry.errorCode = outcome.errorCode
      entry.errorMessage = outcome.errorMessage
      entry.sqlState = outcome.sqlState
      entry.rows = outcome.rows
      log?.write(logLine(entry))
    },
    entries: () => [...byId.values()],
    get: (queryId) => byId.get(queryId),
    close: Effect.callback<void>((resume) => {
      if (log === undefined || log.closed) resume(Effect.void)
      else log.end(() => resume(Effect.void))
    })
  }
}
