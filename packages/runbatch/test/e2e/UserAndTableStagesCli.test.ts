/**
 * `runbatch stage put|ls|get|rm` on the user stage `@~` and on a table stage `@%T`, on a Snowflake
 * connection (the emulator, where the table stage needs its table) and on the local account (where
 * it does not: the local store keeps table stages apart without checking tables, docs/snowflake.md).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { bin } from "../cli.ts"
import { emulatorConnection } from "../emulatorConnection.ts"
import { runNodeRecordingModules } from "../recordModules.ts"
import { tempHome } from "../support.ts"

type Cli = (args: ReadonlyArray<string>) => ReturnType<typeof runNodeRecordingModules>

/** put, ls, get and rm on `stage` (`@~` or `@%T`), whose listed names start with `listed`. */
const roundTrip = async (cli: Cli, folder: string, stage: string, listed: string) => {
  const local = join(folder, `files-${listed.length}`)
  mkdirSync(local, { recursive: true })
  writeFileSync(join(local, "a.txt"), "alpha")
  const put = await cli(["stage", "put", join(local, "a.txt"), `${stage}/dir/`])
  expect(put.code, put.stderr).toBe(0)
  expect(put.stdout).toContain(`Put 1 file(s) under ${stage}/dir/`)
  const ls = await cli(["--json", "stage", "ls", `${stage}/`])
  expect(ls.code, ls.stderr).toBe(0)
  expect(JSON.parse(ls.stdout).map((e: { name: string }) => e.name)).toEqual([`${listed}/dir/a.txt`])
  const target = join(folder, `got-${listed.length}`)
  const got = await cli(["stage", "get", `${stage}/dir/`, target])
  expect(got.code, got.stderr).toBe(0)
  expect(readFileSync(join(target, "a.txt"), "utf8")).toBe("alpha")
  const rm = await cli(["stage", "rm", `${stage}/dir/`])
  expect(rm.code, rm.stderr).toBe(0)
  expect(rm.stdout).toContain("Removed 1 file(s).")
  const after = await cli(["--json", "stage", "ls", `${stage}/`])
  expect(JSON.parse(after.stdout)).toEqual([])
}

describe("runbatch stage on the user stage and table stages", () => {
  it("on a Snowflake connection (the emulator)", async () => {
    const { folder, snowflakeHome } = await emulatorConnection({ password: "emu-pw" })
    const cli: Cli = (args) =>
      runNodeRecordingModules([bin, "--connection", "emu", ...args], {
        env: { SNOWFLAKE_HOME: snowflakeHome }
      })
    await roundTrip(cli, folder, "@~", "@~")
    const missing = await cli(["stage", "ls", "@%POINTS/"])
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain("RUNBATCH.PUBLIC.POINTS")
    expect((await cli(["sql", "CREATE TABLE POINTS (X INT)"])).code).toBe(0)
    await roundTrip(cli, folder, "@%POINTS", "@RUNBATCH.PUBLIC.%POINTS")
  })

  it("on the local account", async () => {
    const home = tempHome()
    const cli: Cli = (args) => runNodeRecordingModules([bin, "--home", home, ...args])
    await roundTrip(cli, home, "@~", "@~")
    await roundTrip(cli, home, "@%POINTS", "@RUNBATCH.PUBLIC.%POINTS")
  })
})
