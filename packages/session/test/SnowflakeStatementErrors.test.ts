/** Driver failures typed by Snowflake's code: the errors users act on get their own tags. */
import { describe, expect, it } from "vitest"
import { toStatementError } from "../src/snowflake/StatementErrors.ts"

const driverError = (code: string, message: string, sqlState = "") =>
  Object.assign(new Error(message), { code, sqlState })

const context = { connection: "dev", role: "ANALYST", statementTimeoutSeconds: 30 }

describe("toStatementError", () => {
  it("000606 is NoActiveWarehouse naming the connection", () => {
    const error = toStatementError(
      context,
      "SELECT 1",
      driverError("000606", "No active warehouse selected in the current session.", "57P03")
    )
    expect(error).toMatchObject({ _tag: "NoActiveWarehouse", connection: "dev" })
  })

  it("003001 is InsufficientPrivileges naming the object as GRANT … ON names it, and the role", () => {
    const error = toStatementError(
      context,
      "SELECT * FROM ML.PUBLIC.PAYROLL",
      driverError(
        "003001",
        "SQL access control error:\nInsufficient privileges to operate on table 'PAYROLL'",
        "42501"
      )
    )
    expect(error).toMatchObject({ _tag: "InsufficientPrivileges", object: "TABLE PAYROLL", role: "ANALYST" })
    expect(error.message).toContain("GRANT <privilege> ON TABLE PAYROLL TO ROLE ANALYST")
    const unnamed = toStatementError(
      { connection: "dev" },
      "USE SCHEMA S",
      driverError("003001", "SQL access control error:\nInsufficient privileges to operate on schema 'S'.")
    )
    expect(unnamed).toMatchObject({ object: "SCHEMA S" })
    expect(unnamed.message).toContain("The session's role")
    expect(unnamed.message).toContain("TO ROLE <role>")
  })

  it("000630 is StatementTimedOut with the timeout Snowflake names", () => {
    const error = toStatementError(
      context,
      "SELECT …",
      driverError(
        "000630",
        "Statement reached its statement or warehouse timeout of 5 second(s) and was canceled."
      )
    )
    expect(error).toMatchObject({ _tag: "StatementTimedOut", timeoutSeconds: 5 })
  })

  it("other codes are SqlError with the code and SQL state, compilation errors refused", () => {
    expect(
      toStatementError(
        context,
        "SELECT * FROM X",
        driverError("002003", "Object 'X' does not exist.", "02000")
      )
    ).toMatchObject({
      _tag: "SqlError",
      refused: true,
      reason: "Object 'X' does not exist. (Snowflake code 002003, SQL state 02000)"
    })
    expect(
      toStatementError(context, "SELECT 1/0", driverError("100051", "Division by zero"))
    ).not.toHaveProperty("refused")
  })
})
