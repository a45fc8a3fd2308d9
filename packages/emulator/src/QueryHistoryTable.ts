/**
 * `TABLE(INFORMATION_SCHEMA.QUERY_HISTORY(…))` (also `[DB.]INFORMATION_SCHEMA.QUERY_HISTORY_BY_SESSION`
 * and `_BY_USER`) inside a query, replaced by the emulator's history as a DuckDB table of values, so
 * any SELECT over it (columns, WHERE, ORDER BY) runs on DuckDB. The function's arguments are ignored:
 * every statement still in memory is there, newest last.
 */
import type { HistoryEntry } from "./QueryHistory.ts"
import { duckDbString, isSymbol, isWord, significant, type Token } from "./SqlTokens.ts"

const COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ["QUERY_ID", "VARCHAR"],
  ["QUERY_TEXT", "VARCHAR"],
  ["DATABASE_NAME", "VARCHAR"],
  ["SCHEMA_NAME", "VARCHAR"],
  ["SESSION_ID", "BIGINT"],
  ["USER_NAME", "VARCHAR"],
  ["ROLE_NAME", "VARCHAR"],
  ["WAREHOUSE_NAME", "VARCHAR"],
  ["QUERY_TAG", "VARCHAR"],
  ["EXECUTION_STATUS", "VARCHAR"],
  ["ERROR_CODE", "VARCHAR"],
  ["ERROR_MESSAGE", "VARCHAR"],
  ["START_TIME", "TIMESTAMPTZ"],
  ["END_TIME", "TIMESTAMPTZ"],
  ["TOTAL_ELAPSED_TIME", "BIGINT"],
  ["ROWS_PRODUCED", "BIGINT"]
]

const text = (value: string | undefined) => (value === undefined ? "NULL" : duckDbString(value))
const time = (value: Date | undefined) =>
  value === undefined ? "NULL" : `make_timestamp(${value.getTime() * 1000})::TIMESTAMPTZ`
const number = (value: number | undefined) => (value === undefined ? "NULL" : String(value))

const valuesOf = (entry: HistoryEntry): string =>
  `(${[
    text(entry.queryId),
    text(entry.sql),
    text(entry.database),
    text(entry.schema),
    number(entry.sessionId),
    text(entry.user),
    text(entry.role),
    text(entry.warehouse),
    text(entry.queryTag),
    text(entry.status),
    text(entry.errorCode),
    text(entry.errorMessage),
    time(entry.startTime),
    time(entry.endTime),
    number(entry.endTime === undefined ? undefined : entry.endTime.getTime() - entry.startTime.getTime()),
    number(entry.rows)
  ].join(", ")})`

/** The history as a DuckDB subquery with QUERY_HISTORY()'s columns. */
export const historyTable = (entries: ReadonlyArray<HistoryEntry>): string => {
  // A first row of typed NULLs gives the columns their types even when the history is empty.
  const typed = `(${COLUMNS.map(([, type]) => `CAST(NULL AS ${type})`).join(", ")})`
  const names = COLUMNS.map(([name]) => name).join(", ")
  return `(SELECT * FROM (VALUES ${[typed, ...entries.map(valuesOf)].join(",\n")}) AS QH(${names}) WHERE QUERY_ID IS NOT NULL)`
}

const HISTORY_FUNCTIONS = new Set(["QUERY_HISTORY", "QUERY_HISTORY_BY_SESSION", "QUERY_HISTORY_BY_USER"])

/** Whether the statement reads the query history. */
export const readsHistory = (tokens: ReadonlyArray<Token>): boolean =>
  tokens.some((token) => token.kind === "word" && HISTORY_FUNCTIONS.has(token.text.toUpperCase()))

/**
 * `tokens` with each `TABLE( [DB.]INFORMATION_SCHEMA.QUERY_HISTORY…(…) )` replaced by the history
 * table (a raw token).
 */
export const withHistory = (
  tokens: ReadonlyArray<Token>,
  entries: () => ReadonlyArray<HistoryEntry>
): Array<Token> => {
  const out: Array<Token> = []
  const at = (from: number): Array<number> => {
    const indices: Array<number> = []
    for (let i = from; i < tokens.length && indices.length < 12; i++)
      if (significant(tokens[i]!)) indices.push(i)
    return indices
  }
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (isWord(token, "TABLE")) {
      const next = at(i + 1)
      const word = (n: number) => tokens[next[n] ?? -1]
      // TABLE ( [DB .] INFORMATION_SCHEMA . FN ( … ) )
      const offset = isSymbol(word(2), ".") && isWord(word(3), "INFORMATION_SCHEMA") ? 2 : 0
      const fn = word(3 + offset)
      if (
        isSymbol(word(0), "(") &&
        isWord(word(1 + offset), "INFORMATION_SCHEMA") &&
        isSymbol(word(2 + offset), ".") &&
        fn?.kind === "word" &&
        HISTORY_FUNCTIONS.has(fn.text.toUpperCase()) &&
        isSymbol(word(4 + offset), "(")
      ) {
        // Skip to the parenthesis closing TABLE(.
        let depth = 0
        let end = next[0]!
        for (; end < tokens.length; end++) {
          if (isSymbol(tokens[end], "(")) depth++
          if (isSymbol(tokens[end], ")") && --depth === 0) break
        }
        out.push({ kind: "raw", text: historyTable(entries()) })
        i = end
        continue
      }
    }
    out.push(token)
  }
  return out
}
