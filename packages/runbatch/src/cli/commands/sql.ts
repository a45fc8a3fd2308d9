/**
 * `runbatch sql`: SQL on the account (the local one, or Snowflake with `--connection`). What it does,
 * loaded only when it runs; its words, options and help are data in ./index.ts.
 *
 * CSV and JSON (and --json) are exports: the query's rows (up to --limit: the query stops there) are
 * streamed back a batch at a time (Sql.streamQuery) and rendered a slice at a time, to stdout at the
 * pace of its reader or into a file with `--output` (see ../ExportTarget.ts), so a query of any size
 * goes out in bounded memory. The table, for people, shows the first rows of the whole
 * result.
 */
import { Sql } from "@runbatch/session"
import { Effect } from "effect"
import { type CommandRun, integerOption, positional, UsageError } from "../Command.ts"
import { exportTo, rowsOutput } from "../ExportTarget.ts"
import { arrowRows, none, rows } from "../Output.ts"
import { exportRows } from "../RowExport.ts"

/** Statements that return rows (`list` and `desc` are Snowflake's); anything else runs for its effect. */
const QUERY = /^\s*(select|with|show|describe|desc|list|ls|values|from|explain|table|summarize)\b/i

export const sql: CommandRun<Sql> = (args, context) =>
  Effect.gen(function* () {
    const text = positional(args, 0, "the SQL text")
    const output = rowsOutput(args, context.json)
    const { format } = output
    // Printed rows stop at 100 unless asked; a file gets every row unless asked.
    const limit = integerOption(args, "limit") ?? (output.file === undefined ? 100 : 0)
    const session = yield* Sql
    if (!QUERY.test(text)) {
      if (output.file !== undefined)
        throw new UsageError("--output exports the rows of a query; this statement returns none")
      yield* session.execute(text)
      return none
    }
    if (format !== "table" || context.json) {
      return yield* exportTo(output, context, (write) =>
        exportRows(session.streamQuery(text, { limit }), {
          // The stream's first batch carries the columns, even for a query of no rows.
          columns: [],
          format: context.json || format === "table" ? "json" : format,
          limit,
          write
        })
      )
    }
    const table = yield* session.query(text)
    // Only the rows shown are converted.
    return rows(
      table.schema.fields.map((f) => f.name),
      arrowRows(limit === 0 ? table : table.slice(0, limit)),
      { total: table.numRows, format }
    )
  })
