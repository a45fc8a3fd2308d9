/**
 * The `runbatch table …` commands: create a table from a file, list tables. What they do, loaded only
 * when one of them runs; their words, options and help are data in ./index.ts.
 */
import { extname, resolve } from "node:path"
import { Sql } from "@runbatch/session"
import { Effect } from "effect"
import { type CommandRun, positional, stringOption, UsageError } from "../Command.ts"
import { rows, text } from "../Output.ts"

export const tableCreate: CommandRun = (args) =>
  Effect.gen(function* () {
    const name = positional(args, 0, "the table name")
    const from = stringOption(args, "from")
    if (from === undefined) throw new UsageError("--from FILE is required")
    const extension = extname(from).toLowerCase()
    if (extension !== ".parquet" && extension !== ".csv") {
      throw new UsageError(`--from takes a .parquet or .csv file, got "${from}"`)
    }
    const path = resolve(from)
    const session = yield* Sql
    const created = yield* session.createTable(
      name,
      extension === ".csv" ? { kind: "csv", path } : { kind: "parquet", paths: [path] },
      { mode: args.values["replace"] === true ? "replace" : "error" }
    )
    return text(`Created ${created.table} with ${created.rows} row(s).`, created)
  })

export const tableList: CommandRun = (args) =>
  Effect.gen(function* () {
    const session = yield* Sql
    const tables = yield* session.listTables(args.positionals[0])
    return rows(
      ["table"],
      tables.map((table) => ({ table }))
    )
  })
