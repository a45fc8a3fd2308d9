/**
 * What may stop a statement before its handler runs: a refusal given as the `refuse` option (a
 * testing hook that answers matching statements with a Snowflake error over the wire), and — with
 * `requireWarehouse` — a session without a warehouse for a statement that scans data (000606, as
 * Snowflake answers). Statements about the session, SHOW, DESCRIBE and `SELECT CURRENT_…()` never
 * need a warehouse.
 */
import { EmulatorSqlError } from "@runbatch/spec"
import { cancelQueryStatement } from "./handlers/CancelQuery.ts"
import { contextFunctionsStatement } from "./handlers/SessionStatements.ts"
import type { SessionState } from "./Sessions.ts"
import { NO_WAREHOUSE } from "./SnowflakeErrors.ts"
import type { Statement } from "./Statement.ts"

export interface Refusal {
  /** Tested against the statement's text. */
  readonly match: RegExp
  /** Snowflake's error code, e.g. `003001`. */
  readonly code: string
  readonly sqlState: string
  readonly message: string
}

export interface GateOptions {
  readonly requireWarehouse: boolean
  readonly refuse: ReadonlyArray<Refusal>
}

const SCANS = /^(SELECT|WITH|VALUES|INSERT|UPDATE|DELETE|MERGE|COPY)\b/

/** Whether Snowflake needs a running warehouse for the statement. */
export const needsWarehouse = (statement: Statement): boolean => {
  if (contextFunctionsStatement.matches(statement) || cancelQueryStatement.matches(statement)) return false
  if (SCANS.test(statement.keywords)) return true
  // CREATE TABLE … AS SELECT (a view's AS SELECT runs nothing)
  const words = statement.words
  return (
    statement.keywords.startsWith("CREATE ") &&
    words.some((t) => t.kind === "word" && t.text.toUpperCase() === "TABLE") &&
    words.some(
      (t, i) =>
        t.kind === "word" &&
        t.text.toUpperCase() === "AS" &&
        /^(SELECT|WITH)$/i.test(words[i + 1]?.text ?? "")
    )
  )
}

/** The error that stops the statement, or undefined when it may run. */
export const stopped = (
  statement: Statement,
  session: SessionState,
  options: GateOptions,
  describeOnly: boolean
): EmulatorSqlError | undefined => {
  const refusal = options.refuse.find((r) => {
    r.match.lastIndex = 0
    return r.match.test(statement.text)
  })
  if (refusal !== undefined)
    return new EmulatorSqlError({
      statement: statement.text,
      code: refusal.code,
      sqlState: refusal.sqlState,
      reason: refusal.message
    })
  if (
    options.requireWarehouse &&
    session.warehouse === undefined &&
    !describeOnly &&
    needsWarehouse(statement)
  )
    return new EmulatorSqlError({
      statement: statement.text,
      code: NO_WAREHOUSE.code,
      sqlState: NO_WAREHOUSE.sqlState,
      reason: NO_WAREHOUSE.message
    })
  return undefined
}
