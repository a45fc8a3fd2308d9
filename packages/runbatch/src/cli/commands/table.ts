/**
 * The `runbatch table …` commands: create a table from a file, list and drop tables (on the local account, or
 * on Snowflake with `--connection`). What they do, loaded only
 * when one of them runs; their words, options and help are data in ./index.ts.
 */
import { resolve } from "node:path"
import { type CsvOptions, Sql, type TableSource } from "@runbatch/session"
import { Effect } from "effect"
import {
  type CommandRun,
  listOption,
  type ParsedArgs,
  positional,
  stringOption,
  UsageError
} from "../Command.ts"
import { rows, text } from "../Output.ts"

const CSV = /\.(csv|tsv)(\.gz)?$/i
const CSV_FLAGS = ["delimiter", "null-string", "decimal-comma", "header", "no-header"]

/** The CSV reader options the flags give (`--header` and `--no-header` together are refused). */
const csvOptions = (args: ParsedArgs): CsvOptions => {
  if (args.values["header"] === true && args.values["no-header"] === true) {
    throw new UsageError("--header and --no-header contradict each other: give one")
  }
  const delimiter = stringOption(args, "delimiter")
  const nullStrings = listOption(args, "null-string")
  const header = args.values["header"] === true ? true : args.values["no-header"] === true ? false : undefined
  return {
    ...(delimiter === undefined ? {} : { delimiter: delimiter === "\\t" ? "\t" : delimiter }),
    ...(nullStrings.length === 0 ? {} : { nullStrings }),
    ...(args.values["decimal-comma"] === true ? { decimalComma: true } : {}),
    ...(header === undefined ? {} : { header })
  }
}

/** The file `--from` names, as a table source: parquet, or CSV read as the flags say. */
const tableSource = (from: string, args: ParsedArgs): TableSource => {
  const path = resolve(from)
  if (CSV.test(from)) return { kind: "csv", path, options: csvOptions(args) }
  if (!/\.parquet$/i.test(from)) {
    throw new UsageError(`--from takes a .parquet, .csv, .csv.gz, .tsv or .tsv.gz file, got "${from}"`)
  }
  const given = CSV_FLAGS.filter((flag) => args.values[flag] !== undefined)
  if (given.length > 0) {
    const flags = given.map((flag) => `--${flag}`).join(", ")
    throw new UsageError(
      `${flags} ${given.length === 1 ? "applies" : "apply"} only to CSV files; "${from}" is parquet`
    )
  }
  return { kind: "parquet", paths: [path] }
}

export const tableCreate: CommandRun<Sql> = (args) =>
  Effect.gen(function* () {
    const name = positional(args, 0, "the table name")
    const from = stringOption(args, "from")
    if (from === undefined) throw new UsageError("--from FILE is required")
    const source = tableSource(from, args)
    const session = yield* Sql
    const created = yield* session.createTable(name, source, {
      mode: args.values["replace"] === true ? "replace" : "error"
    })
    return text(`Created ${created.table} with ${created.rows} row(s).`, created)
  })

export const tableList: CommandRun<Sql> = (args) =>
  Effect.gen(function* () {
    const session = yield* Sql
    const tables = yield* session.listTables(args.positionals[0])
    return rows(
      ["table"],
      tables.map((table) => ({ table }))
    )
  })

export const tableDrop: CommandRun<Sql> = (args) =>
  Effect.gen(function* () {
    const name = positional(args, 0, "the table name")
    const session = yield* Sql
    const dropped = yield* session.dropTable(name, { ifExists: args.values["if-exists"] === true })
    return text(dropped ? `Dropped ${name}.` : `${name} does not exist; nothing dropped.`, { name, dropped })
  })
