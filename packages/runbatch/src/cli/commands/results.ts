/**
 * `runbatch results`: a finished job's results, read through its manifest. What it does, loaded only
 * when it runs; its words, options and help are data in ./index.ts.
 */
import { ResultsReader } from "@runbatch/stage-io"
import { Effect } from "effect"
import { type CommandRun, formatOption, integerOption, positional } from "../Command.ts"
import { arrowRows, rows } from "../Output.ts"

export const results: CommandRun = (args) =>
  Effect.gen(function* () {
    const location = positional(args, 0, "the job's output location")
    const format = formatOption(args)
    const limit = integerOption(args, "limit") ?? (format === "table" ? 20 : 0)
    const table = yield* ResultsReader.readTable(location, {
      allowIncomplete: args.values["allow-incomplete"] === true
    })
    return rows(
      table.schema.fields.map((f) => f.name),
      // A table without batches (results of a job from before parts of no rows were written) has
      // nothing to slice.
      arrowRows(limit === 0 || table.batches.length === 0 ? table : table.slice(0, limit)),
      { total: table.numRows, format }
    )
  })
