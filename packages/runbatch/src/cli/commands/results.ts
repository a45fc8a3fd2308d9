/**
 * `runbatch results`: a finished job's results, read through its manifest. What it does, loaded only
 * when it runs; its words, options and help are data in ./index.ts.
 *
 * CSV and JSON are exports: streamed row group by row group to stdout, at the pace of its reader, or
 * into a file with `--output` (see ../ExportFile.ts), so results of any size go out in bounded memory.
 * The table, for people, reads only the rows it shows. It needs stage files only, so it runs on the
 * stage-only account (../../StageAccount.ts): no DuckDB is loaded.
 */
import { ResultsReader } from "@runbatch/stage-io"
import * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"
import type { StageServices } from "../../StageAccount.ts"
import {
  type CommandRun,
  formatOption,
  integerOption,
  positional,
  stringOption,
  UsageError
} from "../Command.ts"
import { writeOnce } from "../ExportFile.ts"
import { count } from "../Format.ts"
import { arrowRows, rows, text, written } from "../Output.ts"
import { exportRows, firstRows, type Write } from "../RowExport.ts"

/** With `--output` and no `--format`: JSON for a `.json` file (or with --json), else CSV. */
const exportFormat = (file: string, json: boolean): "csv" | "json" =>
  json || file.toLowerCase().endsWith(".json") ? "json" : "csv"

export const results: CommandRun<StageServices> = (args, context) =>
  Effect.gen(function* () {
    const location = positional(args, 0, "the job's output location")
    const file = stringOption(args, "output")
    const force = args.values["force"] === true
    if (force && file === undefined)
      throw new UsageError("--force replaces the file of --output; add --output FILE")
    const given = args.values["format"] === undefined ? undefined : formatOption(args)
    if (file !== undefined && given === "table")
      throw new UsageError("--output writes csv or json, not a table; use --format csv or --format json")
    const format = given ?? (file === undefined ? "table" : exportFormat(file, context.json))
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

    const exportTo = <E>(write: Write<E>) =>
      Effect.gen(function* () {
        const opened = yield* ResultsReader.readResults(location, options)
        return yield* exportRows(opened.batches, {
          columns: opened.schema.map((f) => f.name),
          format: context.json ? "json" : format,
          limit,
          write
        })
      })
    if (file === undefined) {
      yield* exportTo((chunk) => Effect.promise(() => context.output(chunk)))
      return written
    }
    const exported = yield* writeOnce(file, { force }, exportTo)
    return text(`${count(exported)} row(s) written to ${file}.`, { rows: exported, file })
  })
