/**
 * A statement's failure as reported by snowflake-sdk, typed: Snowflake's codes that need the user to
 * act on something other than the statement get their own errors (no warehouse 000606, missing
 * privileges 003001, the statement timeout 000630); every other code is a SqlError with the code and
 * SQL state, marked `refused` when the statement itself needs fixing.
 */
import {
  InsufficientPrivileges,
  NoActiveWarehouse,
  type SnowflakeStatementError,
  SqlError,
  StatementTimedOut
} from "@runbatch/spec"

/** Snowflake's codes for a statement it refused to compile: it needs fixing, not retrying. */
const REFUSED_CODES: ReadonlySet<string> = new Set([
  "001003", // SQL compilation error: syntax error
  "002003", // object does not exist or not authorized
  "000904", // invalid identifier
  "002140", // unknown function
  "002043" // object does not exist (schema-level)
])

export const NO_WAREHOUSE_CODE = "000606"
export const INSUFFICIENT_PRIVILEGES_CODE = "003001"
export const STATEMENT_TIMEOUT_CODE = "000630"

export const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | undefined)?.code
  return code === undefined || code === null ? undefined : String(code)
}

export const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === "string" ? error : JSON.stringify(error)

/** A driver failure of `statement`, with Snowflake's code and SQL state when it gave them. */
export const toSqlError = (statement: string, error: unknown): SqlError => {
  const code = codeOf(error)
  const sqlState = (error as { sqlState?: unknown } | undefined)?.sqlState
  const details = [
    code === undefined ? undefined : `code ${code}`,
    typeof sqlState === "string" && sqlState !== "" ? `SQL state ${sqlState}` : undefined
  ].filter((d) => d !== undefined)
  return new SqlError({
    statement,
    reason: `${messageOf(error)}${details.length > 0 ? ` (Snowflake ${details.join(", ")})` : ""}`,
    ...(code !== undefined && REFUSED_CODES.has(code) ? { refused: true } : {})
  })
}

/** `Insufficient privileges to operate on table 'T'` → `TABLE T`, as GRANT … ON names it. */
const objectOf = (message: string): string => {
  const rest = /insufficient privileges to operate on (.+?)\.?\s*$/im.exec(message)?.[1]
  if (rest === undefined) return "the object the statement uses"
  const named = /^([a-z][a-z ]*?)\s+'(.+)'$/i.exec(rest.trim())
  return named === undefined || named === null ? rest.trim() : `${named[1]!.toUpperCase()} ${named[2]}`
}

export interface StatementErrorContext {
  /** The connection's name, for messages. */
  readonly connection: string
  /** The role the connection asked for, when it named one. */
  readonly role?: string | undefined
  /** The session's statement timeout, when it set one. */
  readonly statementTimeoutSeconds?: number | undefined
}

/** A driver failure of `statement`, typed by Snowflake's code. */
export const toStatementError = (
  context: StatementErrorContext,
  statement: string,
  error: unknown
): SqlError | SnowflakeStatementError => {
  switch (codeOf(error)) {
    case NO_WAREHOUSE_CODE:
      return new NoActiveWarehouse({ connection: context.connection })
    case INSUFFICIENT_PRIVILEGES_CODE:
      return new InsufficientPrivileges({
        connection: context.connection,
        statement,
        object: objectOf(messageOf(error)),
        ...(context.role === undefined ? {} : { role: context.role })
      })
    case STATEMENT_TIMEOUT_CODE: {
      const seconds = /timeout of (\d+) second/i.exec(messageOf(error))?.[1]
      return new StatementTimedOut({
        connection: context.connection,
        statement,
        timeoutSeconds: seconds === undefined ? (context.statementTimeoutSeconds ?? 0) : Number(seconds)
      })
    }
    default:
      return toSqlError(statement, error)
  }
}
