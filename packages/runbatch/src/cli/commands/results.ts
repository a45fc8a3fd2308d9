/**
 * `runbatch results`: a finished job's results, read through its manifest. What it does, loaded only
 * when it runs; its words, options and help are data in ./index.ts.
 *
 * CSV and JSON are exports: streamed row group by row group to stdout, at the pace of its reader, or
 * into a file with `--output` (see ../ExportTarget.ts), so results of any size go out in bounded memory.
 * The table, for people, reads only the rows it shows. It needs stage files only, so it runs on the
 * stage-only account (../../StageAccount.ts): no DuckDB is loaded; with --connection, on the
 * Snowflake account's stages.
 */
import { ResultsReader, type StageStore } from "@runbatch/stage-io"
import * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"
import { type CommandRun, integerOption, positional } from "../Command.ts"
import { exportTo, rowsOutput } from "../ExportTarget.ts"
import { arrowRows, rows } from "../Output.ts"
import { exportRows, firstRows } from "../RowExport.ts"

export const results: CommandRun<StageStore> = (args, context) =>
  Effect.gen(function* () {
    const location = positional(args, 0, "the job's output location")
    const output = rowsOutput(args, context.json)
    const { format } = output
    const limit = integerOption(args, "limit") ?? (format === "table" ? 20 : 0)
    const options = { allowIncomplete: args.values["allow-incomplete"] === true }

    if (format === "table") {
      const opened = yield* ResultsReader.readResults(location, options)
      const batches = yield* Stream.runCollect(firstRows(opened.batches, limit))
      const columns = batches[0]?.schema.fields.map((f) => f.name) ?? opened.schema.map((f) => f.name)
      return rows(columns, batches.length === 0 ? [] : arrowRows(new Arrow.Table(batches)), {
        total: opened.rows,
        format: "table"
      })
    }

    return yield* exportTo(output, context, (write) =>
      Effect.gen(function* () {
        const opened = yield* ResultsReader.readResults(location, options)
        return yield* exportRows(opened.batches, {
          columns: opened.schema.map((f) => f.name),
          format: context.json ? "json" : format,
          limit,
          write
        })
      })
    )
  })
