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

/** The query id argument, when the statement is exactly `SELECT SYSTEM$CANCEL_QUERY('…')`. */
const argumentOf = (statement: Statement): string | undefined => {
  const w = statement.words
  if (!isWord(w[1], "SYSTEM$CANCEL_QUERY") || !isSymbol(w[2], "(") || !isSymbol(w[4], ")")) return undefined
  const id = w[3]
  return w.length === 5 && id?.kind === "string" ? id.value : undefined
}

export const cancelQueryStatement: StatementHandler = {
  kind: "SELECT SYSTEM$CANCEL_QUERY",
  matches: (statement) => statement.keywords.startsWith("SELECT SYSTEM$CANCEL_QUERY"),
  run: (statement, context) =>
    Effect.gen(function* () {
      const queryId = argumentOf(statement)
      if (queryId === undefined)
        return yield* new EmulatorSqlError({
          statement: statement.text,
          code: "001003",
          sqlState: "42000",
          reason: "SQL compilation error:\nwrite SELECT SYSTEM$CANCEL_QUERY('<query id>')"
        })
      const cancelled = yield* context.cancelQuery(queryId)
      return rows(
        [[`SYSTEM$CANCEL_QUERY('${queryId}')`, "text"]],
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
