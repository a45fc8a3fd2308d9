import { ResultsReader } from "@runbatch/stage-io"
import { Effect } from "effect"
import { type Command, formatOption, integerOption, positional } from "../Command.ts"
import { arrowRows, rows } from "../Output.ts"

export const results: Command = {
  words: ["results"],
  summary: "Print a finished job's results (checked against its manifest)",
  usage: "@DB.SCHEMA.STAGE/out/ [--limit N] [--format table|json|csv] [--allow-incomplete]",
  options: {
    limit: { type: "string", value: "N", description: "rows to print (default 20; 0 for all)" },
    format: { type: "string", value: "FORMAT", description: "table (default), json or csv" },
    "allow-incomplete": {
      type: "boolean",
      description: "read the parts of a job that has not finished (no _SUCCESS) anyway"
    }
  },
  run: (args) =>
    Effect.gen(function* () {
      const location = positional(args, 0, "the job's output location")
      const format = formatOption(args)
      const limit = integerOption(args, "limit") ?? (format === "table" ? 20 : 0)
      const table = yield* ResultsReader.readTable(location, {
        allowIncomplete: args.values["allow-incomplete"] === true
      })
      return rows(
        table.schema.fields.map((f) => f.name),
        arrowRows(limit === 0 ? table : table.slice(0, limit)),
        { total: table.numRows, format }
      )
    })
}
