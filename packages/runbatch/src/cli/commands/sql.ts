/**
 * `runbatch sql`: SQL on the local account. What it does, loaded only when it runs; its words, options
 * and help are data in ./index.ts.
 */
import { Sql } from "@runbatch/session"
import { Effect, Stream } from "effect"
import { type CommandRun, formatOption, integerOption, positional } from "../Command.ts"
import { arrowRows, none, rows, written } from "../Output.ts"
import { exportRows } from "../RowExport.ts"

/** Statements that return rows; anything else runs for its effect. */
const QUERY = /^\s*(select|with|show|describe|values|from|explain|table|summarize)\b/i

export const sql: CommandRun = (args, context) =>
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
    if (format !== "table" || context.json) {
      // Rendered and written a slice at a time, at the pace of stdout's reader: never one string.
      yield* exportRows(Stream.fromIterable(table.batches), {
        columns: table.schema.fields.map((f) => f.name),
        format: context.json || format === "table" ? "json" : format,
        limit,
        write: (chunk) => Effect.promise(() => context.output(chunk))
      })
      return written
    }
    // Only the rows shown are converted.
    return rows(
      table.schema.fields.map((f) => f.name),
      arrowRows(limit === 0 ? table : table.slice(0, limit)),
      { total: table.numRows, format }
    )
  })
