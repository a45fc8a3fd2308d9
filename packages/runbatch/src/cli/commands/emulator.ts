/**
 * `runbatch emulator`: the local account served as a Snowflake account (@runbatch/emulator) until
 * interrupted, with its URL, account name and a connections.toml entry printed once it listens; and
 * `runbatch emulator token`, which mints an OAuth or programmatic access token it accepts. Their
 * words, options and help are data in ./index.ts.
 */
import { readFile, rename, writeFile } from "node:fs/promises"
import { resolve } from "node:path"
import { DEFAULT_PASSWORD, Emulator, mintToken } from "@runbatch/emulator"
import { LocalFileError } from "@runbatch/spec"
import { Effect } from "effect"
import { type CommandRun, integerOption, stringOption, UsageError } from "../Command.ts"
import { none, text } from "../Output.ts"

const readKey = (path: string) =>
  Effect.tryPromise({
    try: () => readFile(resolve(path), "utf8"),
    catch: (error) => new LocalFileError({ path, reason: (error as Error).message })
  })

/** The port, written through a temporary file so a script polling for it never reads half of it. */
const writePortFile = (path: string, port: number) =>
  Effect.tryPromise({
    try: async () => {
      const temporary = `${resolve(path)}.${process.pid}.tmp`
      await writeFile(temporary, `${port}\n`)
      await rename(temporary, resolve(path))
    },
    catch: (error) => new LocalFileError({ path, reason: (error as Error).message })
  })

/** Resolves on the first SIGINT or SIGTERM: the emulator then stops with the command's scope. */
const untilInterrupted = Effect.callback<void>((resume) => {
  const stop = () => resume(Effect.void)
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
  return Effect.sync(() => {
    process.off("SIGINT", stop)
    process.off("SIGTERM", stop)
  })
})

/** A connections.toml table for the running emulator; the password only when it is the documented default. */
const connectionEntry = (
  running: Emulator.RunningEmulator,
  names: { readonly database: string; readonly schema: string },
  passwordIsDefault: boolean
): string =>
  [
    "[emulator]",
    `account = "${running.account}"`,
    `host = "${running.host}"`,
    `port = ${running.port}`,
    `protocol = "http"`,
    `user = "${process.env["USER"] ?? "runbatch"}"`,
    passwordIsDefault ? `password = "${DEFAULT_PASSWORD}"` : "# password = the one given with --password",
    `database = "${names.database}"`,
    `schema = "${names.schema}"`
  ].join("\n")

export const emulator: CommandRun = (args, context) =>
  Effect.scoped(
    Effect.gen(function* () {
      const port = integerOption(args, "port") ?? 0
      if (port < 0 || port > 65_535) throw new UsageError(`--port must be 0 to 65535, got ${port}`)
      const password = stringOption(args, "password")
      const keyFile = stringOption(args, "public-key")
      const queryLog = stringOption(args, "query-log")
      const host = stringOption(args, "host")
      const names = { database: context.database ?? "RUNBATCH", schema: context.schema ?? "PUBLIC" }
      const running = yield* Emulator.start({
        home: context.home,
        port,
        ...names,
        ...(host === undefined ? {} : { host }),
        ...(args.values["require-warehouse"] === true ? { requireWarehouse: true } : {}),
        ...(password === undefined ? {} : { password }),
        ...(queryLog === undefined ? {} : { queryLog: resolve(queryLog) }),
        ...(keyFile === undefined ? {} : { publicKey: yield* readKey(keyFile) })
      })
      const portFile = stringOption(args, "port-file")
      if (portFile !== undefined) yield* writePortFile(portFile, running.port)
      const passwordIsDefault =
        password === undefined && process.env["RUNBATCH_EMULATOR_PASSWORD"] === undefined
      const entry = connectionEntry(running, names, passwordIsDefault)
      yield* Effect.promise(() =>
        context.output(
          context.json
            ? `${JSON.stringify({ url: running.url, account: running.account, host: running.host, port: running.port, home: running.home })}\n`
            : [
                `Emulating a Snowflake account over ${running.home}`,
                `  url:     ${running.url}`,
                `  account: ${running.account}`,
                "",
                "A connections.toml entry (in $SNOWFLAKE_HOME, default ~/.snowflake):",
                "",
                entry,
                "",
                "Ctrl-C stops it.",
                ""
              ].join("\n")
        )
      )
      yield* untilInterrupted
      context.notice("runbatch emulator: stopped")
      return none
    })
  )

export const emulatorToken: CommandRun = (args, context) =>
  Effect.gen(function* () {
    const user = stringOption(args, "user")
    if (user === undefined) throw new UsageError("missing --user: the user the token logs in as")
    const kind = stringOption(args, "kind") ?? "oauth"
    if (kind !== "oauth" && kind !== "pat") throw new UsageError(`--kind must be oauth or pat, got "${kind}"`)
    const ttlSeconds = integerOption(args, "ttl") ?? 3600
    if (ttlSeconds <= 0) throw new UsageError(`--ttl must be a positive number of seconds, got ${ttlSeconds}`)
    const token = yield* Effect.tryPromise({
      try: () => mintToken({ home: context.home, user, kind, ttlSeconds }),
      catch: (error) => new LocalFileError({ path: context.home, reason: (error as Error).message })
    })
    return text(token, { token, user: user.toUpperCase(), kind, ttlSeconds })
  })
