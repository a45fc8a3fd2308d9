/**
 * `SELECT SYSTEM$CANCEL_QUERY('<query id>')`: cancels a running statement of any session, as an
 * abort-request does (Snowflake allows it for the user's own queries; the emulator has one user's
 * trust). Answers one row: `query [<id>] terminated.`, or that it was not running.
 */
import { EmulatorSqlError } from "@runbatch/spec"
import { Effect } from "effect"
import { isSymbol, isWord } from "../SqlTokens.ts"
import type { Statement, StatementHandler } from "../Statement.ts"
import { rows } from "../StatementRows.ts"

/** The query id and the column's name, when the statement is `SELECT SYSTEM$CANCEL_QUERY('…') [[AS] name]`. */
const parse = (statement: Statement): { queryId: string; column: string } | undefined => {
  const w = statement.words
  const id = w[3]
  if (!isWord(w[1], "SYSTEM$CANCEL_QUERY") || !isSymbol(w[2], "(") || !isSymbol(w[4], ")")) return undefined
  if (id?.kind !== "string") return undefined
  const rest = isWord(w[5], "AS") ? w.slice(6) : w.slice(5)
  const alias = rest[0]
  if (rest.length > 1 || (alias !== undefined && alias.kind !== "word" && alias.kind !== "quoted"))
    return undefined
  const column =
    alias === undefined
      ? `SYSTEM$CANCEL_QUERY('${id.value}')`
      : alias.kind === "quoted"
        ? alias.text.slice(1, -1).replace(/""/g, '"')
        : alias.text.toUpperCase()
  return { queryId: id.value, column }
}

export const cancelQueryStatement: StatementHandler = {
  kind: "SELECT SYSTEM$CANCEL_QUERY",
  matches: (statement) => statement.keywords.startsWith("SELECT SYSTEM$CANCEL_QUERY"),
  run: (statement, context) =>
    Effect.gen(function* () {
      const parsed = parse(statement)
      if (parsed === undefined)
        return yield* new EmulatorSqlError({
          statement: statement.text,
          code: "001003",
          sqlState: "42000",
          reason: "SQL compilation error:\nwrite SELECT SYSTEM$CANCEL_QUERY('<query id>') [AS name]"
        })
      const { queryId, column } = parsed
      const cancelled = yield* context.cancelQuery(queryId)
      return rows(
        [[column, "text"]],
        [
          [
            cancelled
              ? `query [${queryId}] terminated.`
              : "Identified SQL statement is not currently executing."
          ]
        ]
      )
    })
}
