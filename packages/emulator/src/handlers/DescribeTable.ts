/**
 * `DESC[RIBE] TABLE name` and `DESC[RIBE] VIEW name`: a table's columns as Snowflake lists them — one
 * row per column with its Snowflake type (`NUMBER(p,s)`, `VARCHAR(16777216)`, `TIMESTAMP_NTZ(6)`…, the
 * type its values arrive as in a result: RowTypes.ts), `kind` COLUMN and `null?` Y/N; the columns
 * Snowflake keeps for keys, checks, comments and policies are there, empty. A name that is no table
 * or view of the account fails with Snowflake's 002003.
 */
import { EmulatorSqlError, Identifier } from "@runbatch/spec"
import { Effect } from "effect"
import { type Encoding, encodingOf, MAX_BINARY_LENGTH, MAX_TEXT_LENGTH } from "../RowTypes.ts"
import type { StatementHandler } from "../Statement.ts"
import { rows } from "../StatementRows.ts"
import { nameAt } from "./SessionStatements.ts"
import { syntaxError } from "./StageSyntax.ts"

/** The type Snowflake's DESCRIBE shows for a column encoded as `encoding`. */
export const describedType = (encoding: Encoding): string => {
  switch (encoding.type) {
    case "fixed":
      return `NUMBER(${encoding.precision ?? 38},${encoding.scale ?? 0})`
    case "real":
      return "FLOAT"
    case "text":
      return `VARCHAR(${MAX_TEXT_LENGTH})`
    case "binary":
      return `BINARY(${MAX_BINARY_LENGTH})`
    case "time":
    case "timestamp_ntz":
    case "timestamp_ltz":
    case "timestamp_tz":
      return `${encoding.type.toUpperCase()}(${encoding.scale ?? 9})`
    default:
      return encoding.type.toUpperCase()
  }
}

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`

export const describeTable: StatementHandler = {
  kind: "DESCRIBE TABLE",
  matches: ({ keywords }) => /^(DESC|DESCRIBE) (TABLE|VIEW)\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      const name = nameAt(statement.words, 2)
      if (name.text === "") return yield* syntaxError(statement, "the table name is missing")
      const target = yield* Identifier.parseFullyQualified(name.text, context.session).pipe(
        Effect.catch((error) => syntaxError(statement, error.message))
      )
      const workspace = yield* context.workspaceFor(target.database, target.schema)
      const columns = yield* workspace.sql
        .query(
          `SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = ${sqlString(target.schema)} AND table_name = ${sqlString(target.name)} ORDER BY column_index`
        )
        .pipe(Effect.orElseSucceed(() => undefined))
      if (columns === undefined || columns.numRows === 0)
        return yield* new EmulatorSqlError({
          statement: statement.text,
          code: "002003",
          sqlState: "02000",
          reason: `SQL compilation error:\nTable '${Identifier.formatQualified(target)}' does not exist or not authorized.`
        })
      const at = (column: number, row: number) => columns.getChildAt(column)?.get(row)
      return rows(
        [
          ["name", "text"],
          ["type", "text"],
          ["kind", "text"],
          ["null?", "text"],
          ["default", "text"],
          ["primary key", "text"],
          ["unique key", "text"],
          ["check", "text"],
          ["expression", "text"],
          ["comment", "text"],
          ["policy name", "text"],
          ["privacy domain", "text"]
        ],
        Array.from({ length: columns.numRows }, (_, row) => [
          String(at(0, row)),
          describedType(encodingOf(String(at(1, row)))),
          "COLUMN",
          at(2, row) === false ? "N" : "Y",
          null,
          "N",
          "N",
          null,
          null,
          null,
          null,
          null
        ])
      )
    })
}
