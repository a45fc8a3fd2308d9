/** Small results handlers build themselves: a status line, a listing. */
import { column, type RowTypeColumn, type SnowflakeType } from "./RowTypes.ts"
import { STATEMENT_TYPE, type StatementResult } from "./Statement.ts"

/** Snowflake's answer to a statement that returns nothing: one `status` row. */
export const status = (message: string, statementTypeId: number = STATEMENT_TYPE.ddl): StatementResult => ({
  _tag: "Rows",
  rowtype: [column("status", "text")],
  rows: [[message]],
  statementTypeId
})

/** Rows of the given columns (`[name, type]`); values already in Snowflake's raw text. */
export const rows = (
  columns: ReadonlyArray<readonly [string, SnowflakeType] | RowTypeColumn>,
  values: ReadonlyArray<ReadonlyArray<string | null>>,
  statementTypeId: number = STATEMENT_TYPE.select
): StatementResult => ({
  _tag: "Rows",
  rowtype: columns.map((c) => ("type" in c ? c : column(c[0], c[1]))),
  rows: values,
  statementTypeId
})

/** A timestamp as Snowflake's raw TIMESTAMP_LTZ text (epoch seconds with 3 decimals). */
export const epochText = (date: Date): string => (date.getTime() / 1000).toFixed(3)
