/**
 * `runbatch`: the command line. Global options anywhere: `--home DIR` (env RUNBATCH_HOME, default
 * ./.runbatch), `--database NAME` / `--schema NAME` (where unqualified names live; env RUNBATCH_DATABASE /
 * RUNBATCH_SCHEMA), `--connection NAME` (run on that Snowflake connection: the commands on the account's
 * data — SQL, tables, stages, results; `--warehouse NAME` with it), `--json`, `--help`, `--version`; V8's heap growing factor from
 * RUNBATCH_HEAP_GROWING_PERCENT (./HeapGrowth.ts). Results go to stdout, progress and messages to
 * stderr, both through one Terminal (./Terminal.ts), so all of it arrives even through a slow pipe.
 * Exit codes: 0 ok, 1 a job or operation failed, 2 a usage or validation error (nothing was written),
 * 141 the reader of the output went away (`| head`).
 *
 * Help, the version and usage errors are answered from the command table alone; effect, the account
 * (DuckDB) and a command's implementation are imported only once a command runs, so they start fast;
 * a command that needs only stage files (`results`) gets them without DuckDB.
 */
import { resolve } from "node:path"
import { didYouMean } from "@runbatch/spec/closest"
import {
  type AccountData,
  type Command,
  type CommandContext,
  type CommandRun,
  findCommand,
  type ParsedArgs,
  parseCommandArgs
} from "./Command.ts"
import { commands } from "./commands/index.ts"
import { setHeapGrowth } from "./HeapGrowth.ts"
import { commandHelp, mainHelp, version } from "./Help.ts"
import { render } from "./Output.ts"
import * as Terminal from "./Terminal.ts"

const terminal = Terminal.make()

interface Globals {
  home: string
  database?: string
  schema?: string
  connection?: string
  warehouse?: string
  /** --database and --schema as given on the line (a Snowflake connection takes no RUNBATCH_* default). */
  named: { database?: string; schema?: string }
  json: boolean
  help: boolean
  version: boolean
  rest: Array<string>
}

const globalsOf = (argv: ReadonlyArray<string>): Globals => {
  // The variables are defaults; a flag on the line wins.
  const database = process.env["RUNBATCH_DATABASE"]
  const schema = process.env["RUNBATCH_SCHEMA"]
  const globals: Globals = {
    home: process.env["RUNBATCH_HOME"] ?? ".runbatch",
    ...(database === undefined || database === "" ? {} : { database }),
    ...(schema === undefined || schema === "" ? {} : { schema }),
    named: {},
    json: false,
    help: false,
    version: false,
    rest: []
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined]
    const next = () => inline ?? argv[++i]
    if (flag === "--home") globals.home = next() ?? ""
    else if (flag === "--database") globals.database = globals.named.database = next() ?? ""
    else if (flag === "--schema") globals.schema = globals.named.schema = next() ?? ""
    else if (flag === "--connection") globals.connection = next() ?? ""
    else if (flag === "--warehouse") globals.warehouse = next() ?? ""
    else if (arg === "--json") globals.json = true
    else if (arg === "--help" || arg === "-h") globals.help = true
    else if (arg === "-V") globals.version = true
    else if (arg === "--") {
      globals.rest.push(...argv.slice(i))
      break
    } else globals.rest.push(arg)
  }
  return globals
}

/** Global flags every command takes, as a flag typo's candidates besides the command's own. */
const GLOBAL_FLAGS = [
  "--home",
  "--database",
  "--schema",
  "--connection",
  "--warehouse",
  "--json",
  "--help",
  "--version"
]

/** " Did you mean '--model'?" for an unknown flag close to one the command takes, else "". */
const flagSuggestion = (error: unknown, command: Command): string => {
  const unknown = /^Unknown option '(--?[^']+)'/.exec((error as Error).message)?.[1]
  if (unknown === undefined) return ""
  const flags = [...Object.keys(command.options).map((name) => `--${name}`), ...GLOBAL_FLAGS]
  return didYouMean(unknown.startsWith("--") ? unknown : `-${unknown}`, flags)
}

/** A usage error: what was wrong and a hint on stderr; exit code 2. */
const fail = (message: string, hint?: string): number => {
  terminal.err(`runbatch: ${message}\n${hint === undefined ? "" : `${hint}\n`}`)
  return 2
}

const main = async (): Promise<number> => {
  const globals = globalsOf(process.argv.slice(2))
  const found = findCommand(commands, globals.rest)
  // `--version` is runbatch's own only without a command (`model log --version V` is the model's).
  if (globals.version || (found === undefined && globals.rest.includes("--version"))) {
    terminal.out(`${version}\n`)
    return 0
  }
  if (found === undefined) {
    if (globals.help || globals.rest.length === 0) {
      terminal.out(`${mainHelp()}\n`)
      return globals.rest.length === 0 && !globals.help ? 2 : 0
    }
    const group = commands.filter((c) => c.words[0] === globals.rest[0])
    return group.length > 0
      ? fail(
          `unknown command "${globals.rest.slice(0, 2).join(" ")}"`,
          `Try: ${group.map((c) => `runbatch ${c.words.join(" ")}`).join(", ")}`
        )
      : fail(`unknown command "${globals.rest[0]}"`, "Run runbatch --help for the commands.")
  }
  const { command, args } = found
  if (globals.help) {
    terminal.out(`${commandHelp(command)}\n`)
    return 0
  }
  let parsed: ParsedArgs
  try {
    parsed = parseCommandArgs(command, args)
  } catch (error) {
    return fail(
      `${(error as Error).message.replace(/\. To specify.*$/s, ".")}${flagSuggestion(error, command)}`,
      `Usage: runbatch ${command.words.join(" ")} ${command.usage}`
    )
  }
  if (globals.connection === "") return fail("--connection needs a connection name")
  if (globals.warehouse !== undefined && globals.connection === undefined)
    return fail("--warehouse applies only with --connection NAME (the local account has no warehouses)")
  const heapProblem = setHeapGrowth()
  if (heapProblem !== undefined) return fail(heapProblem)
  const [{ Cause, Effect, Exit, Fiber }, { describeFailure }, { resolveNames }] = await Promise.all([
    import("effect"),
    import("./Failure.ts"),
    import("./Names.ts")
  ])
  const report = (error: unknown): number => {
    const vocabulary = parsed.values["file"] === undefined ? "flags" : "jobFile"
    const failure = describeFailure(error, command, { vocabulary })
    terminal.err(`${failure.text}\n`)
    if (globals.json) terminal.out(`${JSON.stringify({ error: failure.json }, null, 2)}\n`)
    return failure.exitCode
  }
  // With these arguments an account command may need only the account's data (`run --dry-run`).
  const dataRun =
    command.needs === undefined || command.needs === "account"
      ? command.dataRun?.when(parsed) === true
        ? command.dataRun
        : undefined
      : undefined
  if (
    globals.connection !== undefined &&
    command.needs !== "data" &&
    command.needs !== "stages" &&
    dataRun === undefined
  ) {
    const { NotOnSnowflakeYet } = await import("@runbatch/spec")
    return report(
      new NotOnSnowflakeYet({
        feature: `runbatch ${command.words.join(" ")}`,
        connection: globals.connection
      })
    )
  }
  const resolved = resolveNames({
    ...(globals.database === undefined ? {} : { database: globals.database }),
    ...(globals.schema === undefined ? {} : { schema: globals.schema })
  })
  if ("problem" in resolved) return fail(resolved.problem)
  const context: CommandContext = {
    home: resolve(globals.home),
    ...resolved.names,
    json: globals.json,
    output: terminal.outPaced,
    notice: (line) => terminal.err(`${line}\n`),
    stderr: terminal.err,
    isTTY: process.stderr.isTTY === true
  }
  const account = { home: context.home, ...resolved.names }
  const connection = globals.connection
  const snowflake = {
    ...(connection === undefined ? {} : { connection }),
    ...(globals.warehouse === undefined ? {} : { warehouse: globals.warehouse }),
    ...globals.named
  }
  // On a Snowflake connection a command runs on the account's data there (one login). Locally, a
  // command that reads only stage files runs on them alone: DuckDB and the rest stay unloaded.
  // What runs on a Snowflake connection: the command, or its arguments' data-only run.
  const onSnowflake: (() => Promise<CommandRun<AccountData>>) | undefined =
    connection === undefined
      ? undefined
      : dataRun !== undefined
        ? dataRun.load
        : command.needs === "data" || command.needs === "stages"
          ? command.load
          : undefined
  const program =
    onSnowflake !== undefined
      ? await Promise.all([onSnowflake(), import("../SnowflakeAccount.ts")]).then(
          ([run, { layerSnowflakeData }]) =>
            Effect.suspend(() => run(parsed, context)).pipe(Effect.provide(layerSnowflakeData(snowflake)))
        )
      : command.needs === "stages"
        ? await Promise.all([command.load(), import("../StageAccount.ts")]).then(
            ([run, { layerLocalStages }]) =>
              Effect.suspend(() => run(parsed, context)).pipe(Effect.provide(layerLocalStages(account)))
          )
        : await Promise.all([command.load() as Promise<CommandRun>, import("../Account.ts")]).then(
            ([run, { layerLocal }]) =>
              Effect.suspend(() => run(parsed, context)).pipe(Effect.provide(layerLocal(account)))
          )
  const fiber = Effect.runFork(program)
  // The reader went away: stop the command, as SIGPIPE would (its finalizers run; a job it launched
  // runs on in its own supervisor).
  terminal.onClosed(() => Effect.runFork(Fiber.interrupt(fiber)))
  const exit = await Effect.runPromise(Fiber.await(fiber))
  // Output stopped: nothing more is said, and `exit` ends with the Terminal's code (141, or 1).
  if (terminal.closed()) return Terminal.BROKEN_PIPE
  if (Exit.isSuccess(exit)) {
    const out = render(exit.value, globals.json)
    if (out !== "") terminal.out(`${out}\n`)
    return exit.value.kind === "none" || exit.value.kind === "written" ? 0 : (exit.value.exitCode ?? 0)
  }
  return report(Cause.squash(exit.cause))
}

main().then(
  (code) => terminal.exit(code),
  (error: unknown) => {
    // A typed error thrown while loading (DuplicateDependency: two copies of effect installed) says
    // what to do; anything else is a bug, shown with its stack.
    const typed = error instanceof Error && typeof (error as { _tag?: unknown })._tag === "string"
    terminal.err(
      typed
        ? `runbatch: ${error.message}\n`
        : `runbatch: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
    )
    return terminal.exit(1)
  }
)
