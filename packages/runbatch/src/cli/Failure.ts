/**
 * A failed command as the user sees it: the error's own message (runbatch's errors say what happened
 * and how to fix it), its tag for searching docs/reference/errors.md, and the exit code — 2 when the
 * input was wrong or a package the command needs is missing, and nothing was written; 1 when a job or
 * an operation failed.
 */
import { ERROR_CATALOGUE } from "@runbatch/spec"
import { type Command, UsageError } from "./Command.ts"
import { MissingPackage } from "./OptionalPackage.ts"
import { type Speaker, speakError } from "./Vocabulary.ts"

/** Failures of running work, not of what the user asked for. */
const OPERATIONAL = new Set([
  "RowFailed",
  "ShardUnreadable",
  "ReplicaLost",
  "WorkerCrashed",
  "PluginBatchError",
  "JobTimeout",
  "JobLaunchFailed",
  "StageFileError",
  "LocalCopyFailed",
  "SqlError",
  "StatementTimedOut",
  "DatabaseBusy",
  "LocalFileError",
  // A job folder written by another runbatch version, or damaged: nothing the command asked was wrong.
  "JobRecordUnreadable",
  "ResultsIncomplete",
  "NoResultsCommitted",
  "ResultsCorrupt"
])

const catalogued = new Set(ERROR_CATALOGUE.map((e) => e.tag))

export interface DescribedFailure {
  readonly text: string
  readonly json: { readonly tag: string; readonly message: string }
  readonly exitCode: number
}

/** `speaker`: whose terms the message is told in (flags on the line by default, or a job file's). */
export const describeFailure = (
  error: unknown,
  command: Command,
  speaker: Speaker = { vocabulary: "flags" }
): DescribedFailure => {
  if (error instanceof UsageError) {
    return {
      text: `runbatch ${command.words.join(" ")}: ${error.message}\nUsage: runbatch ${command.words.join(" ")} ${command.usage}`,
      json: { tag: "UsageError", message: error.message },
      exitCode: 2
    }
  }
  if (error instanceof MissingPackage) {
    return {
      text: `runbatch: ${error.message}`,
      json: { tag: error._tag, message: error.message },
      exitCode: 2
    }
  }
  const tag =
    typeof error === "object" && error !== null && typeof (error as { _tag?: unknown })._tag === "string"
      ? (error as { _tag: string })._tag
      : "Error"
  const message = speakError(error, speaker)
  if (!catalogued.has(tag)) {
    return {
      text: `runbatch: ${message}${error instanceof Error && tag === "Error" && error.stack ? `\n${error.stack.split("\n").slice(1, 4).join("\n")}` : ""}`,
      json: { tag, message },
      exitCode: 1
    }
  }
  return {
    text: `runbatch: ${message}\n  (${tag}: see docs/reference/errors.md)`,
    json: { tag, message },
    exitCode: OPERATIONAL.has(tag) && !isInputProblem(tag, error) ? 1 : 2
  }
}

/**
 * SQL the database refused (a typo, an unknown column) is input, not a failed run; so is a stage name
 * too long for the local account to keep.
 */
const isInputProblem = (tag: string, error: unknown): boolean =>
  (tag === "SqlError" && (error as { refused?: boolean }).refused === true) ||
  (tag === "StageFileError" && (error as { problem?: string }).problem === "name_too_long")
