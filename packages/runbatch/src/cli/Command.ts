/**
 * How a CLI command is declared: its name and words (`stage ls`), a one-line summary, a usage line,
 * its options (node:util parseArgs), a longer help text — plain data, so help, --version and usage
 * errors need nothing else — and how to load what it does: an Effect on the account's services that
 * returns what to print. Printing, `--json`, errors and exit codes are handled once, in main.ts, for
 * every command.
 */
import { type ParseArgsConfig, parseArgs } from "node:util"
import type { ModelRegistry } from "@runbatch/registry-client"
import type { Sql } from "@runbatch/session"
import type { StageStore } from "@runbatch/stage-io"
import type { Effect } from "effect"
import type { Services } from "../Account.ts"
import type { Printable } from "./Output.ts"

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>[string] & {
  /** One line for --help, e.g. "rows per batch (default: the engine's choice)". */
  readonly description: string
  /** Placeholder in --help: `--limit N`. */
  readonly value?: string
}

export interface CommandContext {
  readonly home: string
  /** The global --database and --schema, when given. */
  readonly database?: string
  readonly schema?: string
  readonly json: boolean
  /**
   * The command's result written on stdout as it goes (an export of any size), resolving once stdout
   * can take more: a command that waits on each write holds no more than a pipe's buffer of output.
   */
  readonly output: (text: string) => Promise<void>
  /** Progress and notices: stderr, so stdout stays the command's result. */
  readonly notice: (line: string) => void
  /** Text on stderr as it is, no newline added (a progress line redrawn in place). */
  readonly stderr: (text: string) => void
  readonly isTTY: boolean
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | ReadonlyArray<string | boolean> | undefined>>
  readonly positionals: ReadonlyArray<string>
}

interface CommandText {
  /** The words that select it: `["stage", "ls"]`. */
  readonly words: ReadonlyArray<string>
  readonly summary: string
  /** After the words: `@stage/path [--pattern RE]`. */
  readonly usage: string
  readonly options: Readonly<Record<string, OptionSpec>>
  /** Paragraphs shown under the options by --help. */
  readonly details?: string
}

/**
 * A command: its text, and what it does, imported only when the command runs (its module brings
 * effect, the account's services and their native modules, which help and usage errors must not wait
 * for). `needs` says which services it runs on: the whole account (the default: local only), only the
 * stage files (`"stages"`: locally no DuckDB is loaded, so an export of results starts light), or the
 * account's data (`"data"`: SQL, stages, the model registry). `"stages"` and `"data"` commands also run on a Snowflake
 * account, with `--connection`.
 */
export type Command = CommandText &
  (
    | {
        readonly needs?: "account"
        readonly load: () => Promise<CommandRun>
        /** Arguments with which the command needs the account's data alone, so runs on Snowflake too. */
        readonly dataRun?: DataRun
      }
    | { readonly needs: "stages"; readonly load: () => Promise<CommandRun<StageStore>> }
    | { readonly needs: "data"; readonly load: () => Promise<CommandRun<AccountData>> }
  )

/** What an account command runs, given arguments that need only the account's data (`run --dry-run`). */
export interface DataRun {
  readonly when: (args: ParsedArgs) => boolean
  readonly load: () => Promise<CommandRun<AccountData>>
}

/** The services of an account's data, on the local account and on Snowflake alike. */
export type AccountData = Sql | StageStore | ModelRegistry

/** What a command does with its parsed arguments: what to print, on the services it needs. */
export type CommandRun<R = Services> = (
  args: ParsedArgs,
  context: CommandContext
) => Effect.Effect<Printable, unknown, R>

export class UsageError extends Error {
  readonly _tag = "UsageError"
}

/** A required positional argument, or a UsageError naming it. */
export const positional = (args: ParsedArgs, index: number, name: string): string => {
  const value = args.positionals[index]
  if (value === undefined) throw new UsageError(`missing ${name}`)
  return value
}

export const stringOption = (args: ParsedArgs, name: string): string | undefined => {
  const value = args.values[name]
  return typeof value === "string" ? value : undefined
}

/** `--format`: table (the default), json or csv. */
export const formatOption = (args: ParsedArgs): "table" | "json" | "csv" => {
  const value = stringOption(args, "format")
  if (value === undefined || value === "table" || value === "json" || value === "csv") return value ?? "table"
  throw new UsageError(`--format must be table, json or csv, got "${value}"`)
}

export const listOption = (args: ParsedArgs, name: string): ReadonlyArray<string> => {
  const value = args.values[name]
  return Array.isArray(value) ? value.map(String) : typeof value === "string" ? [value] : []
}

export const integerOption = (args: ParsedArgs, name: string): number | undefined => {
  const value = stringOption(args, name)
  if (value === undefined) return undefined
  const number = Number(value)
  if (!Number.isInteger(number)) throw new UsageError(`--${name} must be a whole number, got "${value}"`)
  return number
}

/** The command `argv` starts with (the one with the most words wins), and the arguments after them. */
export const findCommand = (
  list: ReadonlyArray<Command>,
  argv: ReadonlyArray<string>
): { readonly command: Command; readonly args: ReadonlyArray<string> } | undefined => {
  const command = [...list]
    .sort((a, b) => b.words.length - a.words.length)
    .find((c) => c.words.every((word, i) => argv[i] === word))
  return command === undefined ? undefined : { command, args: argv.slice(command.words.length) }
}

/** A command's arguments parsed by its options; throws parseArgs' error on an unknown or bad flag. */
export const parseCommandArgs = (command: Command, args: ReadonlyArray<string>): ParsedArgs =>
  parseArgs({
    args: [...args],
    options: Object.fromEntries(
      Object.entries(command.options).map(([name, spec]) => {
        const { description: _d, value: _v, ...config } = spec
        return [name, config]
      })
    ),
    allowPositionals: true,
    strict: true
  })
