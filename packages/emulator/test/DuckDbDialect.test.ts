/** The Snowflake → DuckDB rewrite, token by token. */
import { describe, expect, it } from "vitest"
import { type SessionNames, toDuckDb } from "../src/DuckDbDialect.ts"
import { redact } from "../src/QueryHistory.ts"
import { LexError, splitStatements, tokenize } from "../src/SqlTokens.ts"

const names: SessionNames = {
  database: "DB",
  schema: "PUBLIC",
  warehouse: "WH",
  role: "R",
  user: "U",
  account: "acct",
  sessionId: "1"
}

const rewrite = (sql: string, literals: ReadonlyMap<number, string> = new Map()) =>
  toDuckDb(tokenize(sql), literals, names)

describe("DuckDbDialect", () => {
  it("upper-cases unquoted identifiers and keeps quoted ones and literals", () => {
    expect(rewrite(`select a, "b c" from t where x = 'It''s lower'`)).toBe(
      `SELECT A, "b c" FROM T WHERE X = 'It''s lower'`
    )
  })

  it("reads Snowflake's backslash escapes and $$ strings, and writes DuckDB literals", () => {
    expect(rewrite(`select 'a\\'b\\\\c', $$it's$$`)).toBe(`SELECT 'a''b\\c', 'it''s'`)
  })

  it("maps type names in type positions only", () => {
    expect(rewrite("create table t (n number, p number(10,2), i int, v variant, ts timestamp_ntz(9))")).toBe(
      "CREATE TABLE T (N DECIMAL(38,0), P DECIMAL(10,2), I DECIMAL(38,0), V JSON, TS TIMESTAMP)"
    )
    expect(rewrite("select x::number(5,1), cast(y as variant), 1 as number from object")).toBe(
      "SELECT X::DECIMAL(5,1), CAST(Y AS JSON), 1 AS NUMBER FROM OBJECT"
    )
    expect(rewrite("create table t as select cast(a as float) as a from (select 1 as a)")).toBe(
      "CREATE TABLE T AS SELECT CAST(A AS DOUBLE) AS A FROM (SELECT 1 AS A)"
    )
  })

  it("puts bind literals in place of ? and :n, never inside strings", () => {
    const literals = new Map([
      [1, "42"],
      [2, "'x'"]
    ])
    expect(rewrite("select ?, '?', :2", literals)).toBe("SELECT 42, '?', 'x'")
  })

  it("replaces context functions by the session's values", () => {
    expect(rewrite("select current_database(), current_warehouse(), t.current_schema() from t")).toBe(
      "SELECT 'DB', 'WH', T.CURRENT_SCHEMA() FROM T"
    )
  })

  it("splits statements on top-level semicolons only, and refuses an unclosed literal", () => {
    expect(splitStatements(tokenize("select ';'; select 2;")).length).toBe(2)
    expect(() => tokenize("select 'abc")).toThrow(LexError)
  })

  it("keeps file URLs whole, not as // comments", () => {
    expect(
      tokenize("PUT file:///tmp/a.csv @s")
        .map((t) => t.text)
        .join("")
    ).toBe("PUT file:///tmp/a.csv @s")
  })

  it("redacts the literals of secrets and users", () => {
    expect(redact("create or replace secret s type = password username = 'u' password = 'p'")).toBe(
      "create or replace secret s type = password username = '***' password = '***'"
    )
    expect(redact("alter user me set rsa_public_key = 'MIIB...'")).toBe(
      "alter user me set rsa_public_key = '***'"
    )
    expect(redact("select 'kept'")).toBe("select 'kept'")
  })
})
