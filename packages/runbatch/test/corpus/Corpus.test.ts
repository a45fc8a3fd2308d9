/**
 * The bad-input corpus (issue W1-7 item 4): every case in `cases/` is run in-process against one
 * shared home and must be answered with its typed error — the `_tag`, and a message naming the input —
 * having written nothing: the home's stages, jobs, registry and databases are exactly as before (cases
 * that fail while the job runs instead leave no results). A few go through the real `runbatch` command
 * too, which must exit with code 2 and say why on stderr. Every catalogued error tag has a case, or is
 * listed in `Unreachable.ts` with the reason no input provokes it.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { ERROR_CATALOGUE } from "@runbatch/spec"
import { OutputLayout } from "@runbatch/stage-io"
import { TestEngine } from "@runbatch/testkit"
import { Effect } from "effect"
import { type CommandContext, findCommand, type ParsedArgs, parseCommandArgs } from "../../src/cli/Command.ts"
import { commands } from "../../src/cli/commands/index.ts"
import type { RunBatchOptions } from "../../src/RunBatch.ts"
import { runCli } from "../cli.ts"
import type { Case } from "./Case.ts"
import { CASES } from "./cases/index.ts"
import { closeFixture, DATABASE, type Fixture, makeFixture, SCHEMA, stageDir } from "./Fixture.ts"
import { UNREACHABLE } from "./Unreachable.ts"

/** Tags of the CLI's own usage errors (a flag missing or malformed), which are not catalogued. */
const CLI_TAGS = new Set(["UsageError"])

let fixture: Fixture

const outputOf = (c: Case) => `@${DATABASE}.${SCHEMA}.CORPUS/${c.id}/`
const jobOf = (c: Case) => `CORPUS_${c.id.toUpperCase().replace(/-/g, "_")}`

/** `{output}`, `{job}`, `{home}`, `{testEngine}`, `{plugin:KEY}` and `{file:NAME}` in CLI arguments. */
const expand = (c: Case, arg: string): string =>
  arg
    .replace(/\{output\}/g, outputOf(c))
    .replace(/\{job\}/g, jobOf(c))
    .replace(/\{home\}/g, fixture.home)
    .replace(/\{testEngine\}/g, TestEngine.packageDir)
    .replace(/\{plugin:(\w+)\}/g, (_, key: string) => fixture.plugins[key as keyof Fixture["plugins"]])
    .replace(/\{file:([^}]+)\}/g, (_, name: string) => join(fixture.home, "inputs", c.id, name))

const cliArgs = (c: Case): Array<string> => {
  if (c.action.via !== "cli") throw new Error(`${c.id} is not a command line`)
  const dir = join(fixture.home, "inputs", c.id)
  for (const [name, content] of Object.entries(c.action.files ?? {})) {
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, name), typeof content === "string" ? expand(c, content) : content)
  }
  return c.action.args.map((arg) => expand(c, arg))
}

/** A command line run the way bin/runbatch.js runs it, in this process, on the shared session. */
const runCommand = (argv: ReadonlyArray<string>): Promise<unknown> => {
  const found = findCommand(commands, argv)
  if (found === undefined) throw new Error(`no command for ${argv.join(" ")}`)
  const { command, args } = found
  let parsed: ParsedArgs
  try {
    parsed = parseCommandArgs(command, args)
  } catch (error) {
    // main.ts answers these as usage errors (exit code 2).
    return Promise.reject(Object.assign(new Error((error as Error).message), { _tag: "UsageError" }))
  }
  const context: CommandContext = {
    home: fixture.home,
    database: DATABASE,
    schema: SCHEMA,
    json: false,
    output: () => Promise.resolve(),
    notice: () => undefined,
    stderr: () => undefined,
    isTTY: false
  }
  return command.load().then((run) => fixture.session.run(Effect.suspend(() => run(parsed, context))))
}

const attempt = (c: Case): Promise<unknown> => {
  const { session } = fixture
  switch (c.action.via) {
    case "runBatch": {
      const defaults: RunBatchOptions = {
        model: "LINEAR",
        input: session.table("POINTS"),
        outputSpec: { stageLocation: outputOf(c) },
        jobSpec: { jobName: jobOf(c), numWorkers: 1 },
        plugins: [TestEngine.packageDir],
        cpus: 1
      }
      const options = { ...defaults, ...c.action.options }
      return session.runBatch(
        c.runtime === true ? { ...options, jobSpec: { ...options.jobSpec, block: true } } : options
      )
    }
    case "cli":
      return runCommand(cliArgs(c))
    case "call":
      return c.action.call(session, fixture)
  }
}

/** Where the runtime cases' jobs write: they run in the background while the other cases run. */
const runtimeCases = CASES.filter((c) => c.runtime === true)
/** Where the stage keeps its output folders' claims (SaveMode): made before any case runs. */
const corpusClaims = join("stages", DATABASE, SCHEMA, "CORPUS", "_runbatch", "claims")
const runtimeFolders = runtimeCases.flatMap((c) => [
  join("jobs", DATABASE, SCHEMA, jobOf(c)),
  join("stages", DATABASE, SCHEMA, "CORPUS", c.id),
  join(corpusClaims, OutputLayout.claimsKey(c.id))
])

/**
 * The part the busy job is streaming into its output (a writer's temporary file, growing as its shard
 * runs): its own write, not a case's.
 */
const busyOutput = join("stages", DATABASE, SCHEMA, "BUSY", "out")
const isBusyPartInProgress = (path: string): boolean =>
  path.startsWith(`${busyOutput}/`) && path.slice(busyOutput.length + 1).startsWith(".runbatch-tmp-")

/**
 * Everything a case could write: every folder and file of the home (size and modification time),
 * except the running jobs' own folders (the busy job's heartbeat, the runtime cases' jobs) and the
 * inputs written for the cases; database files by name (DuckDB may touch a file it only reads).
 */
const snapshot = (): Array<string> => {
  const skipped = new Set([
    "tmp",
    "inputs",
    "local",
    "plugins",
    join("jobs", DATABASE, SCHEMA, "BUSY_JOB"),
    ...runtimeFolders
  ])
  const out: Array<string> = []
  const walk = (relative: string) => {
    for (const name of readdirSync(join(fixture.home, relative)).sort()) {
      const path = relative === "" ? name : join(relative, name)
      if (skipped.has(path) || isBusyPartInProgress(path)) continue
      const stats = lstatSync(join(fixture.home, path))
      if (stats.isDirectory()) {
        out.push(`${path}/`)
        walk(path)
      } else if (relative.startsWith("warehouse")) out.push(path.replace(/\.wal$/, ""))
      else out.push(`${path} ${stats.size} ${stats.mtimeMs}`)
    }
  }
  walk("")
  return [...new Set(out)]
}

/** Nothing was created, changed or removed since `before`. */
const expectUnchanged = (before: ReadonlyArray<string>) => {
  const after = snapshot()
  expect(
    { written: after.filter((e) => !before.includes(e)), removed: before.filter((e) => !after.includes(e)) },
    "nothing written"
  ).toEqual({ written: [], removed: [] })
}

/** The result files a job leaves in its output folder (its reserved `_runbatch/` folder aside). */
const results = (c: Case): Array<string> => {
  const dir = join(stageDir(fixture.home, "CORPUS"), c.id)
  if (!existsSync(dir)) return []
  return readdirSync(dir).filter(
    (name) => name.endsWith(".parquet") || name === "_SUCCESS" || name === "_manifest.json"
  )
}

const expectMessage = (message: string, expected: string | RegExp, what: string) => {
  if (typeof expected === "string") expect(message.toLowerCase(), what).toContain(expected.toLowerCase())
  else expect(message, what).toMatch(expected)
}

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown }

const settle = (promise: () => Promise<unknown>): Promise<Outcome> =>
  promise().then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error })
  )

/**
 * The runtime cases' jobs, started when the fixture is ready, two at a time (each is a supervisor and
 * a replica process), so they run while the cases refused at plan time do.
 */
let runtimeOutcomes: Map<string, Promise<Outcome>>
const startRuntimeCases = (lanes = 2): Map<string, Promise<Outcome>> => {
  const outcomes = new Map<string, Promise<Outcome>>()
  for (let lane = 0; lane < lanes; lane++) {
    let previous: Promise<unknown> = Promise.resolve()
    for (const c of runtimeCases.filter((_, i) => i % lanes === lane)) {
      const outcome = previous.then(() => settle(() => attempt(c)))
      outcomes.set(c.id, outcome)
      previous = outcome
    }
  }
  return outcomes
}

describe("the bad-input corpus", () => {
  beforeAll(async () => {
    fixture = await makeFixture()
    // The runtime cases' claims land here while refused cases run: its folders exist from the start.
    mkdirSync(join(fixture.home, corpusClaims), { recursive: true })
    runtimeOutcomes = startRuntimeCases()
  }, 120_000)
  afterAll(async () => {
    await Promise.all(runtimeOutcomes?.values() ?? [])
    await closeFixture(fixture)
  })

  it("has at least 100 cases with unique ids, each one runnable", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100)
    const ids = CASES.map((c) => c.id)
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([])
    for (const c of CASES) expect(c.id, c.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
    for (const c of CASES.filter((c) => c.realCli === true)) expect(c.action.via, c.id).toBe("cli")
    for (const c of runtimeCases) expect(c.action.via, c.id).toBe("runBatch")
  })

  it("answers every catalogued error tag with a case, or says why no input can provoke it", () => {
    const catalogued = new Set(ERROR_CATALOGUE.map((e) => e.tag))
    const covered = new Set(CASES.map((c) => c.tag))
    const unreachable = new Set(UNREACHABLE.map((u) => u.tag))
    const missing = [...catalogued].filter((tag) => !covered.has(tag) && !unreachable.has(tag))
    expect(missing, "catalogued tags with no case and no reason").toEqual([])
    expect(
      [...unreachable].filter((tag) => covered.has(tag)),
      "listed unreachable, yet covered"
    ).toEqual([])
    expect(
      [...unreachable].filter((tag) => !catalogued.has(tag)),
      "listed, not catalogued"
    ).toEqual([])
    expect(
      [...covered].filter((tag) => !catalogued.has(tag) && !CLI_TAGS.has(tag)),
      "unknown tags"
    ).toEqual([])
    for (const u of UNREACHABLE) expect(u.reason.length, u.tag).toBeGreaterThan(40)
  })

  const refused = CASES.filter((c) => c.runtime !== true)
  it.each(refused.map((c) => [`${c.tag}: ${c.input}`, c] as const))(
    "%s: refused, nothing written",
    async (_, c) => {
      const before = snapshot()
      const outcome = await settle(() => attempt(c))
      if (outcome.ok) {
        // Never leave a job running that should not have started.
        const job = outcome.value as
          | { cancel?: () => Promise<void>; wait?: () => Promise<unknown> }
          | undefined
        await job?.cancel?.().catch(() => undefined)
        await job?.wait?.().catch(() => undefined)
      }
      expect(outcome.ok, `${c.id} was accepted`).toBe(false)
      const error = (outcome as { error: unknown }).error as { _tag?: string; message?: string }
      const message = String(error?.message)
      expect(error?._tag, message).toBe(c.tag)
      expectMessage(message, c.message, "the message names the input")
      expectUnchanged(before)
    }
  )

  it.each(runtimeCases.map((c) => [`${c.tag}: ${c.input}`, c] as const))(
    "%s: the job fails with it and leaves no results",
    async (_, c) => {
      const outcome = (await runtimeOutcomes.get(c.id))!
      expect(outcome.ok, outcome.ok ? "" : String((outcome.error as Error).message)).toBe(true)
      const job = (outcome as { value: Awaited<ReturnType<Fixture["session"]["runBatch"]>> }).value
      const row = await job.describe()
      expect(row.status, row.message).toBe("FAILED")
      expect(row.message, "the failure's tag").toContain(` ${c.tag}: `)
      expectMessage(row.message, c.message, "the failure names the input")
      expect(results(c), "no result files").toEqual([])
    }
  )

  describe("through the runbatch command: exit code 2, the reason on stderr, nothing written", () => {
    beforeAll(() => {
      // The command runs from the built package (npm test builds it first).
      expect(existsSync(new URL("../../dist/cli/main.js", import.meta.url))).toBe(true)
    })
    it.each(CASES.filter((c) => c.realCli === true).map((c) => [`${c.tag}: ${c.input}`, c] as const))(
      "%s",
      async (_, c) => {
        const before = snapshot()
        const ran = await runCli(fixture.home, ["--database", DATABASE, "--schema", SCHEMA, ...cliArgs(c)])
        expect(ran.code, ran.stderr).toBe(2)
        expect(ran.stdout).toBe("")
        if (c.tag !== "UsageError") expect(ran.stderr).toContain(`(${c.tag}: see docs/reference/errors.md)`)
        expectMessage(ran.stderr, c.message, "stderr names the input")
        expectUnchanged(before)
      }
    )
  })
})
