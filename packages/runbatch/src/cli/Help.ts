/** `runbatch --help` and `runbatch <command> --help`, generated from the command declarations. */
import { createRequire } from "node:module"
import type { Command } from "./Command.ts"
import { commands } from "./commands/index.ts"

export const version = (createRequire(import.meta.url)("../../package.json") as { version: string }).version

export const mainHelp = (): string => {
  const width = Math.max(...commands.map((c) => c.words.join(" ").length))
  const lines = commands.map((c) => `  ${c.words.join(" ").padEnd(width)}  ${c.summary}`)
  return [
    "runbatch — batch inference: run a model over every row or file, write parquet results.",
    "",
    "Usage: runbatch <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Global options:",
    "  --home DIR         the local account's folder (env RUNBATCH_HOME, default ./.runbatch)",
    "  --database NAME    database for unqualified names",
    "  --schema NAME      schema for unqualified names",
    "  --connection NAME  run on this Snowflake connection (connections.toml): all but run, jobs, demo",
    "  --warehouse NAME   with --connection: the warehouse (default: the connection's)",
    "  --json             print results as JSON",
    "  -h, --help         help for runbatch or a command",
    "  -V, --version      print the version",
    "",
    "Exit codes: 0 ok, 1 a job or operation failed, 2 a usage or validation error (nothing written),",
    "141 the output's reader went away (runbatch … | head).",
    "Start with: runbatch demo"
  ].join("\n")
}

export const commandHelp = (command: Command): string => {
  const options = Object.entries(command.options).map(([name, spec]) => {
    const flag = `${spec.short === undefined ? "    " : `-${spec.short}, `}--${name}${spec.type === "string" ? ` ${spec.value ?? "VALUE"}` : ""}`
    return { flag, text: `${spec.description}${spec.multiple === true ? " (repeatable)" : ""}` }
  })
  const width = Math.max(0, ...options.map((o) => o.flag.length))
  return [
    `Usage: runbatch ${command.words.join(" ")} ${command.usage}`,
    "",
    command.summary,
    ...(options.length === 0
      ? []
      : ["", "Options:", ...options.map((o) => `  ${o.flag.padEnd(width)}  ${o.text}`)]),
    ...(command.details === undefined ? [] : ["", command.details]),
    "",
    "Global options: --home DIR, --database NAME, --schema NAME, --connection NAME, --warehouse NAME, --json",
    "(see runbatch --help)."
  ].join("\n")
}

/** docs/reference/cli.md: every command with its usage, options and details (`npm run docs:cli`). */
export const cliReference = (): string => {
  const md = (text: string) => text.replace(/</g, "&lt;").replace(/\|/g, "\\|")
  const sections = commands.map((command) => {
    const options = Object.entries(command.options).map(
      ([name, spec]) =>
        `| \`${spec.short === undefined ? "" : `-${spec.short}, `}--${name}${spec.type === "string" ? ` ${spec.value ?? "VALUE"}` : ""}\` | ${md(spec.description)}${spec.multiple === true ? " (repeatable)" : ""} |`
    )
    return [
      `## \`runbatch ${command.words.join(" ")}\``,
      "",
      `${command.summary}.`,
      "",
      "```",
      `runbatch ${command.words.join(" ")} ${command.usage}`.trimEnd(),
      "```",
      ...(options.length === 0 ? [] : ["", "| option | meaning |", "| --- | --- |", ...options]),
      ...(command.details === undefined ? [] : ["", ...command.details.split("\n").map((l) => `${md(l)}  `)])
    ].join("\n")
  })
  return [
    "# CLI reference",
    "",
    "<!-- Generated from the command declarations in packages/runbatch/src/cli (npm run docs:cli); a test keeps it in step. -->",
    "",
    "Global options go anywhere on the line: `--home DIR` (the local account's folder; env `RUNBATCH_HOME`,",
    "default `./.runbatch`), `--database NAME` and `--schema NAME` (where unqualified names live, read as SQL",
    'reads names: `ml` is `ML`, `"lower"` stays `lower`; env `RUNBATCH_DATABASE` and `RUNBATCH_SCHEMA`, default',
    "`RUNBATCH.PUBLIC`; the flag wins over the variable), `--connection NAME` (run on that Snowflake",
    "connection, found as Snowflake's tools find it — connections.toml and config.toml in `SNOWFLAKE_HOME`,",
    "`SNOWFLAKE_*` variables; see docs/snowflake.md — for the commands on the account's data: `sql`, `table …`,",
    "`stage …`, `model …`, `results`, `run --dry-run`; `run`, `jobs …`, `demo` and `emulator` answer NotOnSnowflakeYet with exit code 2; `--database` and",
    "`--schema` then override the connection's, and `--warehouse NAME` its warehouse),",
    "`--json` (results as JSON on stdout), `--help`, and `--version` / `-V` without a command. Results go to",
    "stdout; progress and messages to stderr. A mistyped option gets the closest ones as a suggestion.",
    "`RUNBATCH_HEAP_GROWING_PERCENT` (default 50; 0 for V8's own factor, up to 4× for small heaps) is how far",
    "a command's heap may grow over its live size before a full collection, as for replicas: an export's",
    "garbage is collected before it adds up (a whole number, else exit code 2).",
    "",
    "Exit codes: `0` ok; `1` a job ended other than DONE, or an operation failed (I/O, a failed row,",
    "output that could not be written); `2` a usage or validation error — the message names the field and",
    "the fix, and nothing was written; `141` (128 + SIGPIPE) the reader of the output went away",
    "(`runbatch … | head`): the command stopped quietly, as Unix tools do, and a job it was waiting for runs",
    "on. Output through a pipe arrives whole, however slowly it is read.",
    "",
    ...sections.flatMap((s) => [s, ""])
  ].join("\n")
}
