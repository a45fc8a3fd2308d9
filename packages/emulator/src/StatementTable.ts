/**
 * The one table of statement handlers: the first whose `matches` accepts a statement runs it. Later
 * features add their rows here (job services' `EXECUTE JOB SERVICE`).
 * A statement no handler takes fails with "not supported by the emulator: <its kind>".
 */
import { EmulatorSqlError, UnsupportedStatement } from "@runbatch/spec"
import { Effect } from "effect"
import { cancelQueryStatement } from "./handlers/CancelQuery.ts"
import {
  createComputePool,
  describeComputePool,
  dropComputePool,
  showComputePools
} from "./handlers/ComputePools.ts"
import { copyInto } from "./handlers/CopyInto.ts"
import { createDatabase, showDatabases, showSchemas, showTables, showViews } from "./handlers/Databases.ts"
import { describeTable } from "./handlers/DescribeTable.ts"
import { createFileFormat, dropFileFormat } from "./handlers/FileFormats.ts"
import { get, put } from "./handlers/FileTransfer.ts"
import { listStage, removeStage } from "./handlers/ListRemove.ts"
import { getModelFiles, listModelFiles } from "./handlers/ModelFiles.ts"
import {
  alterModel,
  createModel,
  dropModel,
  showModelFunctions,
  showModels,
  showVersions
} from "./handlers/Models.ts"
import { passthrough } from "./handlers/Passthrough.ts"
import {
  alterSessionStatement,
  contextFunctionsStatement,
  useStatement
} from "./handlers/SessionStatements.ts"
import { createStage, describeStage, dropStage, showStages } from "./handlers/Stages.ts"
import { alterUser } from "./handlers/Users.ts"
import type {
  Statement,
  StatementContext,
  StatementFailure,
  StatementHandler,
  StatementResult
} from "./Statement.ts"

export const STATEMENT_HANDLERS: ReadonlyArray<StatementHandler> = [
  useStatement,
  alterSessionStatement,
  alterUser,
  contextFunctionsStatement,
  cancelQueryStatement,
  showDatabases,
  showSchemas,
  showTables,
  showViews,
  showStages,
  showComputePools,
  createComputePool,
  describeComputePool,
  dropComputePool,
  createDatabase,
  createStage,
  describeStage,
  describeTable,
  dropStage,
  createFileFormat,
  dropFileFormat,
  showModels,
  showVersions,
  showModelFunctions,
  createModel,
  alterModel,
  dropModel,
  // Before LIST and GET of stages: a snow://model location is a model version's files.
  listModelFiles,
  getModelFiles,
  listStage,
  removeStage,
  put,
  get,
  copyInto,
  passthrough
]

/** What to call a statement nobody handles: its first words, up to the name of what it acts on. */
export const kindOf = (statement: Statement): string => {
  const words = statement.keywords.split(" ").filter((word) => word !== "")
  if (words.length === 0) return statement.words[0]?.text ?? "an empty statement"
  const skip = new Set(["OR", "REPLACE", "IF", "NOT", "EXISTS", "SECURE", "TEMPORARY", "TEMP", "TRANSIENT"])
  const head = [words[0]!]
  for (const word of words.slice(1)) {
    if (head.length === 3) break
    if (skip.has(word)) continue
    head.push(word)
    if (
      !["CREATE", "ALTER", "DROP", "SHOW", "DESCRIBE", "DESC", "EXECUTE", "GRANT", "REVOKE"].includes(
        head[0]!
      )
    )
      break
    if (head.length === 2) break
  }
  return head.join(" ")
}

/** The words Snowflake statements begin with: any other first word is a syntax error, not a gap. */
const STATEMENT_WORDS = new Set(
  "ALTER BEGIN CALL COMMENT COMMIT COPY CREATE DELETE DESC DESCRIBE DROP EXECUTE EXPLAIN GET GRANT INSERT LIST LS MERGE PUT REMOVE RM REVOKE ROLLBACK SELECT SET SHOW START TRUNCATE UNDROP UNSET UPDATE USE VALUES WITH".split(
    " "
  )
)

/** Run `statement` with the first handler that takes it. */
export const runStatement = (
  statement: Statement,
  context: StatementContext,
  handlers: ReadonlyArray<StatementHandler> = STATEMENT_HANDLERS
): Effect.Effect<StatementResult, StatementFailure> => {
  const handler = handlers.find((h) => h.matches(statement))
  if (handler !== undefined) return handler.run(statement, context)
  const first = statement.words[0]
  if (first === undefined || first.kind !== "word" || !STATEMENT_WORDS.has(first.text.toUpperCase()))
    return Effect.fail(
      new EmulatorSqlError({
        statement: statement.text,
        code: "001003",
        sqlState: "42000",
        reason: `SQL compilation error:\nsyntax error line 1 at position 0 unexpected '${first?.text ?? ""}'.`
      })
    )
  return Effect.fail(new UnsupportedStatement({ statement: statement.text, kind: kindOf(statement) }))
}
