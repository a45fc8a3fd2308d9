/**
 * An emulator over a fresh folder and a SNOWFLAKE_HOME whose connections.toml (mode 600) names it
 * `emu`: what `Session.snowflake({connection: "emu"})` and `runbatch --connection emu` find.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { type RunningEmulator, startEmulator } from "@runbatch/emulator"
import { onTestFinished } from "vitest"
import { tempHome } from "./support.ts"

export interface EmulatorConnection {
  readonly running: RunningEmulator
  /** The folder the test owns: the emulator's home is `emu-home` in it. */
  readonly folder: string
  readonly snowflakeHome: string
}

export const emulatorConnection = async (options: {
  /** The emulator's password. */
  readonly password: string
  /** The password connections.toml gives; default the emulator's. */
  readonly connectionPassword?: string
  /** Extra `key = value` lines of the `[emu]` table. */
  readonly extra?: string
  readonly queryLog?: boolean
}): Promise<EmulatorConnection> => {
  const folder = tempHome()
  const running = await startEmulator({
    home: join(folder, "emu-home"),
    password: options.password,
    threads: 2,
    ...(options.queryLog === true ? { queryLog: join(folder, "queries.jsonl") } : {})
  })
  onTestFinished(() => running.close())
  const snowflakeHome = join(folder, "snowflake")
  mkdirSync(snowflakeHome)
  const file = join(snowflakeHome, "connections.toml")
  writeFileSync(
    file,
    `[emu]\naccount = "${running.account}"\nhost = "${running.host}"\nport = ${running.port}\n` +
      `protocol = "http"\nuser = "tester"\npassword = "${options.connectionPassword ?? options.password}"\n${options.extra ?? ""}`
  )
  chmodSync(file, 0o600)
  return { running, folder, snowflakeHome }
}
