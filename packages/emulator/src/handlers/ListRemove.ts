/**
 * `LIST @stage[/path] [PATTERN = 're']` and `REMOVE @stage[/path] [PATTERN = 're']` (also `LS`, `RM`)
 * through the local account's StageStore: prefix semantics (`@s/dir` lists `dir/…` and `dir2/…`),
 * PATTERN matched against the whole path inside the stage. LIST answers `name, size, md5,
 * last_modified` with `name` as `StageLocation.listName` gives it (on an external stage, the stage's
 * URL and the path); REMOVE answers `name, result`.
 */
import { rm } from "node:fs/promises"
import { StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { externalUrl } from "../ExternalStages.ts"
import { column } from "../RowTypes.ts"
import type { Statement, StatementContext, StatementHandler } from "../Statement.ts"
import { rows } from "../StatementRows.ts"
import {
  afterWords,
  argumentAt,
  listMatching,
  optionsFrom,
  stageLocation,
  syntaxError
} from "./StageSyntax.ts"
import { requireStage } from "./Stages.ts"

/** The location and options of `LIST`/`REMOVE`, checked to name an existing stage. */
const target = (statement: Statement, context: StatementContext) =>
  Effect.gen(function* () {
    const argument = argumentAt(statement.tokens, afterWords(statement.tokens, 1))
    if (argument === undefined)
      return yield* syntaxError(statement, "the stage location is missing: write @stage[/path]")
    const location = yield* stageLocation(argument.text, context)
    const options = yield* optionsFrom(statement, statement.tokens, argument.next)
    yield* requireStage(statement, context, location)
    const workspace = yield* context.workspace
    const { entries } = yield* listMatching(context, location, options)
    const url = yield* externalUrl(context.home, location)
    const named = entries.map((entry) => ({
      ...entry,
      name: url === undefined ? entry.name : `${url}${entry.path}`
    }))
    return { location, entries: named, workspace }
  })

export const listStage: StatementHandler = {
  kind: "LIST",
  matches: ({ keywords }) => keywords === "LIST" || keywords === "LS",
  run: (statement, context) =>
    Effect.map(target(statement, context), ({ entries }) =>
      rows(
        [
          ["name", "text"],
          column("size", "fixed", { precision: 38 }),
          ["md5", "text"],
          ["last_modified", "text"]
        ],
        entries.map((entry) => [entry.name, String(entry.size), entry.md5, entry.lastModified.toUTCString()])
      )
    )
}

export const removeStage: StatementHandler = {
  kind: "REMOVE",
  matches: ({ keywords }) => keywords === "REMOVE" || keywords === "RM",
  run: (statement, context) =>
    Effect.gen(function* () {
      const { entries, workspace } = yield* target(statement, context)
      // File by file, through the account's checked paths: PATTERN may pick some files of a folder.
      for (const entry of entries) {
        const file = yield* StageLocation.parse(entry.location)
        const path = yield* workspace.account.stagePath(file)
        yield* Effect.promise(() => rm(path, { force: true }))
      }
      return rows(
        [
          ["name", "text"],
          ["result", "text"]
        ],
        entries.map((entry) => [entry.name, "removed"])
      )
    })
}
