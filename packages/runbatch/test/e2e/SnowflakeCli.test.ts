/**
 * The runbatch command on a Snowflake connection (`--connection NAME`), against the emulator: the
 * issue's Done-when — `sql "CREATE TABLE T AS SELECT 1 AS X"` and `table ls` on the connection a
 * connections.toml names, and a plain snowflake-sdk script (no runbatch module) reading the table —
 * snowflake-sdk loaded only then; commands not on Snowflake yet, unknown connections, a
 * missing driver and a stray --warehouse answered with exit code 2 and the fix.
 */
import { execFile } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { RunningEmulator } from "@runbatch/emulator"
import { TestEngine } from "@runbatch/testkit"
import { describe, expect, it, onTestFinished } from "vitest"
import { bin } from "../cli.ts"
import { emulatorConnection } from "../emulatorConnection.ts"
import { runNodeRecordingModules } from "../recordModules.ts"

const PASSWORD = "emu-pw"

const setup = async () => {
  const { running, folder, snowflakeHome } = await emulatorConnection({ password: PASSWORD })
  // --home points at a folder that must stay untouched: the connection, not the local account, runs.
  const localHome = join(folder, "local")
  const cli = (args: ReadonlyArray<string>, hidePackages: ReadonlyArray<string> = []) =>
    runNodeRecordingModules([bin, "--home", localHome, ...args], {
      hidePackages,
      env: { SNOWFLAKE_HOME: snowflakeHome }
    })
  return { running, cli, localHome }
}

type Cli = Awaited<ReturnType<typeof setup>>["cli"]

/** Log the test engine's linear model as LINEAR `versions` on the connection; its files' folder. */
const logLinear = async (cli: Cli, versions: ReadonlyArray<string> = ["v1"], name = "linear") => {
  const folder = mkdtempSync(join(tmpdir(), "runbatch-linear-"))
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }))
  writeFileSync(
    join(folder, "signature.yaml"),
    "predict:\n  inputs:\n    - {name: x, type: DOUBLE}\n  outputs:\n    - {name: y, type: DOUBLE}\n"
  )
  writeFileSync(join(folder, "options.yaml"), "weights: [2]\nbias: 0.5\n")
  for (const version of versions) {
    const logged = await cli([
      "--connection",
      "emu",
      "model",
      "log",
      "--name",
      name,
      "--version",
      version,
      "--engine",
      TestEngine.id,
      "--signature",
      join(folder, "signature.yaml"),
      "--options",
      join(folder, "options.yaml"),
      "--plugin",
      TestEngine.packageDir
    ])
    expect(logged.code, logged.stderr).toBe(0)
    expect(logged.stdout).toContain(`version ${version.toUpperCase()} (engine`)
  }
  return folder
}

/** A snowflake-sdk script with no runbatch import: the table's rows as JSON on stdout. */
const plainDriverRead = (running: RunningEmulator, sql: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const script = `
      const snowflake = require("snowflake-sdk")
      snowflake.configure({ logLevel: "OFF" })
      const c = snowflake.createConnection({ accessUrl: ${JSON.stringify(running.url)}, account: ${JSON.stringify(running.account)}, username: "someone", password: ${JSON.stringify(PASSWORD)} })
      c.connect((error) => {
        if (error) { console.error(error.message); process.exit(1) }
        c.execute({ sqlText: ${JSON.stringify(sql)}, complete: (e, _s, rows) => {
          if (e) { console.error(e.message); process.exit(1) }
          console.log(JSON.stringify(rows)); c.destroy(() => process.exit(0))
        } })
      })`
    execFile(process.execPath, ["-e", script], { cwd: import.meta.dirname }, (error, stdout, stderr) =>
      error === null ? resolve(stdout.trim()) : reject(new Error(`${error.message}\n${stderr}`))
    )
  })

describe("runbatch --connection", () => {
  it("creates and lists a table on the emulator, which a plain snowflake-sdk script then reads", async () => {
    const { running, cli, localHome } = await setup()
    const created = await cli(["--connection", "emu", "sql", "CREATE TABLE T AS SELECT 1 AS X"])
    expect(created.code, created.stderr).toBe(0)
    expect(created.modules.some((m) => m.includes("/node_modules/snowflake-sdk/"))).toBe(true)

    const listed = await cli(["--connection", "emu", "table", "ls"])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toContain("RUNBATCH.PUBLIC.T")
    const json = await cli(["--connection", "emu", "--json", "sql", "SELECT X FROM T"])
    expect(JSON.parse(json.stdout)).toEqual([{ X: 1 }])

    expect(JSON.parse(await plainDriverRead(running, "SELECT X FROM T"))).toEqual([{ X: 1 }])

    // A table from a local CSV file: read here as the local account reads it, PUT and loaded there.
    const csv = join(localHome, "..", "samples.csv")
    writeFileSync(csv, "id;score\n1;0,5\n2;1,5\n")
    const loaded = await cli([
      "--connection",
      "emu",
      "table",
      "create",
      "samples",
      "--from",
      csv,
      "--delimiter",
      ";",
      "--decimal-comma"
    ])
    expect(loaded.code, loaded.stderr).toBe(0)
    expect(loaded.stdout).toContain("Created RUNBATCH.PUBLIC.SAMPLES with 2 row(s).")
    // The header's names are kept as written, as the local account keeps them: quoted lower case.
    expect(
      JSON.parse(await plainDriverRead(running, 'SELECT "id", "score" FROM SAMPLES ORDER BY "id"'))
    ).toEqual([
      { id: 1, score: 0.5 },
      { id: 2, score: 1.5 }
    ])
    const dropped = await cli(["--connection", "emu", "table", "drop", "samples"])
    expect(dropped.code, dropped.stderr).toBe(0)
    const after = await cli(["--connection", "emu", "--json", "table", "ls"])
    expect(JSON.parse(after.stdout)).toEqual([{ table: "RUNBATCH.PUBLIC.T" }])
    const again = await cli(["--connection", "emu", "table", "drop", "samples"])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain("TableNotFound")

    // The local account of --home was never opened.
    expect(existsSync(localHome)).toBe(false)
  })

  it("puts, lists, gets and removes stage files there, which a plain snowflake-sdk script lists too", async () => {
    const { running, cli, localHome } = await setup()
    expect((await cli(["--connection", "emu", "sql", "CREATE STAGE IMAGES"])).code).toBe(0)
    const images = join(localHome, "..", "imgs")
    mkdirSync(join(images, "cats"), { recursive: true })
    writeFileSync(join(images, "cats", "1.png"), "one")
    writeFileSync(join(images, "2.png"), "two")
    const put = await cli(["--connection", "emu", "stage", "put", images, "@IMAGES/"])
    expect(put.code, put.stderr).toBe(0)
    expect(put.stdout).toContain("Put 2 file(s) under @IMAGES/")
    const again = await cli(["--connection", "emu", "stage", "put", images, "@IMAGES/"])
    expect(again.stdout).toContain("Skipped 2 file(s) already on the stage")
    const listed = await cli(["--connection", "emu", "--json", "stage", "ls", "@IMAGES/"])
    expect(JSON.parse(listed.stdout).map((e: { name: string }) => e.name)).toEqual([
      "@RUNBATCH.PUBLIC.IMAGES/2.png",
      "@RUNBATCH.PUBLIC.IMAGES/cats/1.png"
    ])
    const plain = JSON.parse(await plainDriverRead(running, "LIST @IMAGES")) as Array<{ name: string }>
    expect(plain.map((row) => row.name).sort()).toEqual(["images/2.png", "images/cats/1.png"])
    const got = await cli([
      "--connection",
      "emu",
      "stage",
      "get",
      "@IMAGES/cats/",
      join(localHome, "..", "got")
    ])
    expect(got.code, got.stderr).toBe(0)
    expect(readFileSync(join(localHome, "..", "got", "1.png"), "utf8")).toBe("one")
    const removed = await cli(["--connection", "emu", "stage", "rm", "@IMAGES/cats/"])
    expect(removed.stdout).toContain("Removed 1 file(s).")
  })

  it("logs, lists, shows, defaults and removes model versions there, which a plain snowflake-sdk script sees", async () => {
    const { running, cli } = await setup()
    await logLinear(cli, ["v1", "v2"])
    // A quoted name is shown as SQL writes it, so it can be pasted back.
    await logLinear(cli, ["v1"], '"Linear model"')
    const listed = await cli(["--connection", "emu", "--json", "model", "ls"])
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { name: "RUNBATCH.PUBLIC.LINEAR", default_version: "V1" },
      { name: 'RUNBATCH.PUBLIC."Linear model"', default_version: "V1" }
    ])
    const shown = await cli(["--connection", "emu", "model", "show", "linear", "--version", "v2"])
    expect(shown.stdout).toContain(`engine: ${TestEngine.id}`)
    expect((await cli(["--connection", "emu", "model", "default", "linear", "v2"])).code).toBe(0)
    const removed = await cli(["--connection", "emu", "model", "rm", "linear", "--version", "v1"])
    expect(removed.code, removed.stderr).toBe(0)
    const plain = JSON.parse(await plainDriverRead(running, "SHOW VERSIONS IN MODEL LINEAR")) as Array<{
      name: string
      is_default_version: unknown
    }>
    expect(plain.map((v) => v.name)).toEqual(["V2"])
  })

  it("dry-runs a job there, reading the account's table and model and writing nothing; a run itself is not there yet", async () => {
    const { cli } = await setup()
    await logLinear(cli)
    const table = await cli([
      "--connection",
      "emu",
      "sql",
      "CREATE TABLE SAMPLES AS SELECT range / 4 AS X FROM range(40)"
    ])
    expect(table.code, table.stderr).toBe(0)
    expect((await cli(["--connection", "emu", "sql", "CREATE STAGE OUT"])).code).toBe(0)
    const job = [
      "--model",
      "linear",
      "--table",
      "SAMPLES",
      "--output",
      "@OUT/scores/",
      "--plugin",
      TestEngine.packageDir
    ]
    const dry = await cli(["--connection", "emu", "run", "--dry-run", ...job])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toContain("everything checked, nothing written")
    expect(dry.stdout).toMatch(/table RUNBATCH\.PUBLIC\.SAMPLES: 40 row\(s\)/)
    expect(dry.stdout).toContain("x ← X: DOUBLE from DOUBLE")
    const listed = await cli(["--connection", "emu", "--json", "stage", "ls", "@OUT/"])
    expect(JSON.parse(listed.stdout)).toEqual([])
    const run = await cli(["--connection", "emu", "--json", "run", ...job])
    expect(run.code).toBe(2)
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { tag: "NotOnSnowflakeYet" } })
  })

  it("takes --database and --schema over the connection's, and --warehouse only with --connection", async () => {
    const { cli } = await setup()
    const context = await cli([
      "--connection",
      "emu",
      "--database",
      "ml",
      "--json",
      "sql",
      "SELECT CURRENT_DATABASE() AS D, CURRENT_SCHEMA() AS S"
    ])
    expect(context.code, context.stderr).toBe(0)
    expect(JSON.parse(context.stdout)).toEqual([{ D: "ML", S: "PUBLIC" }])
    const stray = await cli(["--warehouse", "W", "sql", "SELECT 1"])
    expect(stray.code).toBe(2)
    expect(stray.stderr).toMatch(/--warehouse applies only with --connection/)
  })

  it("answers commands not on Snowflake yet, unknown connections and a missing driver with exit code 2", async () => {
    const { cli } = await setup()
    const jobs = await cli(["--connection", "emu", "--json", "jobs", "ls"])
    expect(jobs.code).toBe(2)
    expect(jobs.stderr).toMatch(/runbatch jobs ls is not available on Snowflake yet \(connection "emu"\)/)
    expect(JSON.parse(jobs.stdout)).toMatchObject({ error: { tag: "NotOnSnowflakeYet" } })
    expect(jobs.modules.some((m) => m.includes("/node_modules/snowflake-sdk/"))).toBe(false)

    const unknown = await cli(["--connection", "prod", "table", "ls"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/no Snowflake connection named "prod".*"emu"/s)

    const missing = await cli(["--connection", "emu", "table", "ls"], ["snowflake-sdk"])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("npm install snowflake-sdk")
  })
})
