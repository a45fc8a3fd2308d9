import { Sql } from "@runbatch/session"
import { Effect } from "effect"
import { type Command, formatOption, integerOption, positional } from "../Command.ts"
import { arrowRows, none, rows } from "../Output.ts"

/** Statements that return rows; anything else runs for its effect. */
const QUERY = /^\s*(select|with|show|describe|values|from|explain|table|summarize)\b/i

export const sql: Command = {
  words: ["sql"],
  summary: "Run SQL on the local account: a query prints its rows, a statement runs",
  usage: '"<query>" [--limit N] [--format table|json|csv]',
  options: {
    limit: { type: "string", value: "N", description: "rows to print (default 100; 0 for all)" },
    format: { type: "string", value: "FORMAT", description: "table (default), json or csv" }
  },
  details:
    "Names follow Snowflake's rules (unquoted names are upper-cased) and resolve against --database and --schema.\n" +
    'Example: runbatch sql "SELECT COUNT(*) FROM ML.PUBLIC.SAMPLES"',
  run: (args) =>
    Effect.gen(function* () {
      const text = positional(args, 0, "the SQL text")
      const format = formatOption(args)
      const limit = integerOption(args, "limit") ?? 100
      const session = yield* Sql
      if (!QUERY.test(text)) {
        yield* session.execute(text)
        return none
      }
      const table = yield* session.query(text)
      // Only the rows shown are converted.
      return rows(
        table.schema.fields.map((f) => f.name),
        arrowRows(limit === 0 ? table : table.slice(0, limit)),
        { total: table.numRows, format }
      )
    })
}
