/**
 * The bad-input corpus as data: each case is one thing a user can get wrong, how it is given (the
 * facade's `runBatch`, a CLI command line, or another call of the Promise API), and the typed error
 * that must answer it. `Corpus.test.ts` runs every case against one shared home (see Fixture.ts) and
 * checks the error's `_tag`, that its message names the input, and that nothing was written.
 */
import type { Session } from "../../src/index.ts"
import type { RunBatchOptions } from "../../src/RunBatch.ts"
import type { Fixture } from "./Fixture.ts"

/** What a case does. */
export type Action =
  /**
   * `session.runBatch` with these options over the fixture's defaults: model LINEAR, table POINTS,
   * output `@ML.PUBLIC.CORPUS/<id>/`, job name `CORPUS_<ID>`, the test engine's plugin. Top-level
   * keys replace the default's (give a whole `outputSpec` to change the output).
   */
  | { readonly via: "runBatch"; readonly options: Partial<RunBatchOptions> }
  /**
   * A `runbatch` command line, run in-process against the shared session (global options as
   * `--database ML --schema PUBLIC`). `{home}` in an argument is replaced by the home folder; `files`
   * are written under `<home>/inputs/<case id>/` first and named in arguments as `{file:NAME}`.
   */
  | {
      readonly via: "cli"
      readonly args: ReadonlyArray<string>
      readonly files?: Readonly<Record<string, string | Uint8Array>>
    }
  /** Any other call of the Promise API. */
  | { readonly via: "call"; readonly call: (session: Session, fixture: Fixture) => Promise<unknown> }

export interface Case {
  /** Unique, lower-case words and dashes: names the case's output folder and job. */
  readonly id: string
  /** What is wrong, as a test name. */
  readonly input: string
  readonly action: Action
  /** The `_tag` of the error that must answer it. */
  readonly tag: string
  /** A fragment of the error's message naming the input (case-insensitive for strings). */
  readonly message: string | RegExp
  /**
   * The job is accepted and fails while it runs (a file that cannot be decoded, a value out of range):
   * it must end FAILED with the tag and message in its status message, and leave no results (no part,
   * manifest or _SUCCESS in its output). Everything else must be refused before anything is written.
   */
  readonly runtime?: true
  /** Also run through the real `runbatch` command (a child process): exit code 2, the message on stderr. */
  readonly realCli?: true
}

/** A catalogued tag that no user input provokes, and why. */
export interface Unreachable {
  readonly tag: string
  readonly reason: string
}

/** Build cases with the same action kind tersely. */
export const run = (
  id: string,
  input: string,
  options: Partial<RunBatchOptions>,
  tag: string,
  message: string | RegExp,
  extra: Pick<Case, "runtime" | "realCli"> = {}
): Case => ({ id, input, action: { via: "runBatch", options }, tag, message, ...extra })

export const cli = (
  id: string,
  input: string,
  args: ReadonlyArray<string>,
  tag: string,
  message: string | RegExp,
  extra: Pick<Case, "realCli"> & { readonly files?: Readonly<Record<string, string | Uint8Array>> } = {}
): Case => {
  const { files, ...rest } = extra
  return {
    id,
    input,
    action: { via: "cli", args, ...(files === undefined ? {} : { files }) },
    tag,
    message,
    ...rest
  }
}

export const call = (
  id: string,
  input: string,
  fn: (session: Session, fixture: Fixture) => Promise<unknown>,
  tag: string,
  message: string | RegExp
): Case => ({ id, input, action: { via: "call", call: fn }, tag, message })

/**
 * `runbatch run` with the fixture's defaults — LINEAR over POINTS into the case's output, named after
 * the case, the test engine's plugin — and `flags` replacing them (`undefined` drops one), then `extra`.
 */
export const runLine = (
  flags: Readonly<Record<string, string | undefined>> = {},
  extra: ReadonlyArray<string> = []
): Array<string> => {
  const merged: Record<string, string | undefined> = {
    "--model": "LINEAR",
    "--table": "POINTS",
    "--output": "{output}",
    "--job-name": "{job}",
    "--plugin": "{testEngine}",
    ...flags
  }
  return [
    "run",
    ...Object.entries(merged).flatMap(([flag, value]) => (value === undefined ? [] : [flag, value])),
    ...extra
  ]
}
