/**
 * Failures as Snowflake reports them to a client: an error code and SQL state clients branch on, and
 * a message. The codes are Snowflake's for the same situation where one exists:
 *
 * | failure                                          | code   | SQL state |
 * | ------------------------------------------------ | ------ | --------- |
 * | table, view, schema or stage does not exist      | 002003 | 02000     |
 * | syntax error (DuckDB's parser, a handler's)      | 001003 | 42000     |
 * | unknown column or function                       | 000904 | 42000     |
 * | other compilation errors DuckDB refused          | 002000 | 42000     |
 * | not supported by the emulator                    | 000002 | 0A000     |
 * | division by zero                                 | 100051 | 22012     |
 * | a value that does not convert                    | 100038 | 22018     |
 * | numeric overflow                                 | 100046 | 22003     |
 * | other failures while running                     | 100132 | P0000     |
 * | a database locked by another process for too long| 000625 | 57014     |
 * | the statement was cancelled                      | 000604 | 57014     |
 * | the statement ran past STATEMENT_TIMEOUT_IN_SECONDS | 000630 | 57014   |
 * | no warehouse (the requireWarehouse option)       | 000606 | 57P03     |
 * | insufficient privileges                          | 003001 | 42501     |
 */
import type { StatementFailure } from "./Statement.ts"

export interface SnowflakeError {
  readonly code: string
  readonly sqlState: string
  readonly message: string
}

export const CANCELLED: SnowflakeError = {
  code: "000604",
  sqlState: "57014",
  message: "SQL execution canceled"
}

/** Snowflake's answer to a statement that ran past its STATEMENT_TIMEOUT_IN_SECONDS. */
export const timedOut = (seconds: number): SnowflakeError => ({
  code: "000630",
  sqlState: "57014",
  message: `Statement reached its statement or warehouse timeout of ${seconds} second(s) and was canceled.`
})

export const NO_WAREHOUSE: SnowflakeError = {
  code: "000606",
  sqlState: "57P03",
  message:
    "No active warehouse selected in the current session.  Select an active warehouse with the 'use warehouse' command."
}

const compilation = (message: string) => `SQL compilation error:\n${message}`

/** The Snowflake error a statement's failure becomes. */
export const snowflakeErrorOf = (failure: StatementFailure): SnowflakeError => {
  switch (failure._tag) {
    case "EmulatorSqlError":
      return { code: failure.code, sqlState: failure.sqlState, message: failure.reason }
    case "UnsupportedStatement":
      return { code: "000002", sqlState: "0A000", message: failure.message }
    case "InvalidStageLocation":
    case "InvalidIdentifier":
    case "EmulatorBadRequest":
      return { code: "001003", sqlState: "42000", message: compilation(failure.message) }
    case "StageFileError":
      return failure.problem === "not_found"
        ? { code: "002003", sqlState: "02000", message: failure.message }
        : { code: "100132", sqlState: "P0000", message: failure.message }
    case "LocalFileError":
      return { code: "100132", sqlState: "P0000", message: failure.message }
    case "CaseCollision":
      return { code: "002000", sqlState: "42000", message: compilation(failure.message) }
    case "StatementTimedOut":
      return timedOut(failure.timeoutSeconds)
    case "NoActiveWarehouse":
      return NO_WAREHOUSE
    case "InsufficientPrivileges":
      return {
        code: "003001",
        sqlState: "42501",
        message: `SQL access control error:\nInsufficient privileges to operate on ${failure.object}`
      }
    case "DatabaseBusy":
      return { code: "000625", sqlState: "57014", message: failure.message }
    case "SqlError": {
      const reason = failure.reason
      if (/does not exist/i.test(reason) && /\b(table|view|schema|catalog)\b/i.test(reason))
        return { code: "002003", sqlState: "02000", message: compilation(reason) }
      if (/^Parser Error/.test(reason))
        return { code: "001003", sqlState: "42000", message: compilation(reason) }
      if (
        /Referenced column|not found in FROM clause|Scalar Function .* does not exist|Table Function .* does not exist|Function .* does not exist/i.test(
          reason
        )
      )
        return { code: "000904", sqlState: "42000", message: compilation(reason) }
      if (failure.refused === true) return { code: "002000", sqlState: "42000", message: compilation(reason) }
      if (/division by zero/i.test(reason))
        return { code: "100051", sqlState: "22012", message: "Division by zero" }
      if (/^Conversion Error|Could not convert|Could not parse/i.test(reason))
        return { code: "100038", sqlState: "22018", message: reason }
      if (/overflow|out of range/i.test(reason)) return { code: "100046", sqlState: "22003", message: reason }
      return { code: "100132", sqlState: "P0000", message: reason }
    }
  }
}
