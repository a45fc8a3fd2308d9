/**
 * `runbatch`: the command line. Global options anywhere: `--home DIR` (env RUNBATCH_HOME, default
 * ./.runbatch), `--database NAME` / `--schema NAME` (where unqualified names live), `--json`,
 * `--help`, `--version`. Results go to stdout, progress and messages to stderr. Exit codes: 0 ok,
 * 1 a job or operation failed, 2 a usage or validation error (nothing was written).
 *
 * Help, the version and usage errors are answered from the command table alone; effect, the account
 * (DuckDB) and a command's implementation are imported only once a command runs, so they start fast.
 */
import { resolve } from "node:path"
import { type CommandContext, findCommand, type ParsedArgs, parseCommandArgs } from "./Command.ts"
import { commands } from "./commands/index.ts"
import { commandHelp, mainHelp, version } from "./Help.ts"
import { render } from "./Output.ts"

interface Globals {
  home: string
  database?: string
  schema?: string
  json: boolean
  help: boolean
  version: boolean
  rest: Array<string>
}

const globalsOf = (argv: ReadonlyArray<string>): Globals => {
  const globals: Globals = {
    home: process.env["RUNBATCH_HOME"] ?? ".runbatch",
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
    else if (flag === "--database") globals.database = next() ?? ""
    else if (flag === "--schema") globals.schema = next() ?? ""
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

/** The command whose words start the arguments, longest match first. */
const fail = (message: string, hint?: string): never => {
  process.stderr.write(`runbatch: ${message}\n${hint === undefined ? "" : `${hint}\n`}`)
  process.exit(2)
}

const main = async (): Promise<number> => {
  const globals = globalsOf(process.argv.slice(2))
  const found = findCommand(commands, globals.rest)
  // `--version` is runbatch's own only without a command (`model log --version V` is the model's).
  if (globals.version || (found === undefined && globals.rest.includes("--version"))) {
    process.stdout.write(`${version}\n`)
    return 0
  }
  if (found === undefined) {
    if (globals.help || globals.rest.length === 0) {
      process.stdout.write(`${mainHelp()}\n`)
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
    process.stdout.write(`${commandHelp(command)}\n`)
    return 0
  }
  let parsed: ParsedArgs
  try {
    parsed = parseCommandArgs(command, args)
  } catch (error) {
    return fail(
      (error as Error).message.replace(/\. To specify.*$/s, "."),
      `Usage: runbatch ${command.words.join(" ")} ${command.usage}`
    )
  }
  const context: CommandContext = {
    home: resolve(globals.home),
    ...(globals.database === undefined ? {} : { database: globals.database }),
    ...(globals.schema === undefined ? {} : { schema: globals.schema }),
    json: globals.json,
    notice: (line) => process.stderr.write(`${line}\n`),
    isTTY: process.stderr.isTTY === true
  }
  const [{ Cause, Effect, Exit }, { layerLocal }, run, { describeFailure }] = await Promise.all([
    import("effect"),
    import("../Account.ts"),
    command.load(),
    import("./Failure.ts")
  ])
  const layer = layerLocal({
    home: context.home,
    ...(globals.database === undefined ? {} : { database: globals.database }),
    ...(globals.schema === undefined ? {} : { schema: globals.schema })
  })
  const exit = await Effect.runPromiseExit(
    Effect.suspend(() => run(parsed, context)).pipe(Effect.provide(layer))
  )
  if (Exit.isSuccess(exit)) {
    const out = render(exit.value, globals.json)
    if (out !== "") process.stdout.write(`${out}\n`)
    return exit.value.kind === "none" ? 0 : (exit.value.exitCode ?? 0)
  }
  const failure = describeFailure(Cause.squash(exit.cause), command)
  process.stderr.write(`${failure.text}\n`)
  if (globals.json) process.stdout.write(`${JSON.stringify({ error: failure.json }, null, 2)}\n`)
  return failure.exitCode
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A typed error thrown while loading (DuplicateDependency: two copies of effect installed) says
    // what to do; anything else is a bug, shown with its stack.
    const typed = error instanceof Error && typeof (error as { _tag?: unknown })._tag === "string"
    process.stderr.write(
      typed
        ? `runbatch: ${error.message}\n`
        : `runbatch: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
    )
    process.exit(1)
  }
)
