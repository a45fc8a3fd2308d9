/**
 * Where the rows of `results` and `sql` go: the flags that choose (`--format table|csv|json`,
 * `--output FILE`, `--force`), and an export's two destinations — stdout, at the pace of its reader,
 * or a file that appears only once complete (./ExportFile.ts). Either way the rows are rendered a
 * slice at a time (./RowExport.ts), so an export of any size holds little memory.
 */
import type { ExportFileExists, LocalFileError } from "@runbatch/spec"
import { Effect } from "effect"
import { type CommandContext, formatOption, type ParsedArgs, stringOption, UsageError } from "./Command.ts"
import { writeOnce } from "./ExportFile.ts"
import { count } from "./Format.ts"
import { type Printable, text, written } from "./Output.ts"
import type { Write } from "./RowExport.ts"

export interface RowsOutput {
  /** `--format`; with `--output` and none given, csv (json for a `.json` file, or with --json). */
  readonly format: "table" | "csv" | "json"
  /** `--output FILE`: export into this file instead of stdout. */
  readonly file: string | undefined
  /** `--force`: replace FILE if it exists. */
  readonly force: boolean
}

/** The flags as a RowsOutput; a UsageError for --force without --output, or a table into a file. */
export const rowsOutput = (args: ParsedArgs, json: boolean): RowsOutput => {
  const file = stringOption(args, "output")
  const force = args.values["force"] === true
  if (force && file === undefined)
    throw new UsageError("--force replaces the file of --output; add --output FILE")
  const given = args.values["format"] === undefined ? undefined : formatOption(args)
  if (file !== undefined && given === "table")
    throw new UsageError("--output writes csv or json, not a table; use --format csv or --format json")
  const format =
    given ?? (file === undefined ? "table" : json || file.toLowerCase().endsWith(".json") ? "json" : "csv")
  return { format, file, force }
}

/**
 * Run `exporting` into stdout, or into `output.file` (write-once); `exporting` returns how many rows
 * it wrote. Returns what the command prints afterwards: nothing more for stdout, a line for a file.
 */
export const exportTo = <E, R>(
  output: RowsOutput,
  context: CommandContext,
  exporting: (write: Write<LocalFileError>) => Effect.Effect<number, E, R>
): Effect.Effect<Printable, E | LocalFileError | ExportFileExists, R> => {
  const { file } = output
  if (file === undefined)
    return Effect.as(
      exporting((chunk) => Effect.promise(() => context.output(chunk))),
      written
    )
  return Effect.map(writeOnce(file, { force: output.force }, exporting), (rows) =>
    text(`${count(rows)} row(s) written to ${file}.`, { rows, file })
  )
}
