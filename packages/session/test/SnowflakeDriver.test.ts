/**
 * snowflake-sdk is an optional peer dependency, imported only when a Snowflake layer is built: a
 * process using the local account never loads it, and without it the Snowflake layer fails with
 * SnowflakeDriverMissing saying what to install. Each case runs plain Node on the built package (vitest's
 * global setup builds it), in a process of its own, so nothing else in the test process interferes.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it, onTestFinished } from "vitest"

const PACKAGE = fileURLToPath(new URL("..", import.meta.url))

/** Run `script` as an ES module from this package's folder; its stdout, parsed as JSON. */
const runScript = (script: string, args: ReadonlyArray<string> = []): Promise<unknown> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script, ...args],
      { cwd: PACKAGE, env: { ...process.env, SNOWFLAKE_DISABLE_PLATFORM_DETECTION: "true" } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`))
        else resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "null"))
      }
    )
  })

/** snowflake-sdk's modules in the process's CommonJS cache (the driver is CommonJS). */
const LOADED_DRIVER = `
import { createRequire } from "node:module"
const loadedDriver = () =>
  Object.keys(createRequire(process.cwd() + "/").cache).some((path) => path.includes("/snowflake-sdk/"))
`

describe("snowflake-sdk loading", () => {
  it("is never imported by a process that uses the local account", async () => {
    const home = mkdtempSync(join(tmpdir(), "runbatch-driver-"))
    onTestFinished(() => rmSync(home, { recursive: true, force: true }))
    const result = await runScript(
      `${LOADED_DRIVER}
import { Effect } from "effect"
import { Sql } from "@runbatch/session"
const table = await Effect.runPromise(
  Effect.scoped(Sql.use((sql) => sql.query("SELECT 1 AS X"))).pipe(
    Effect.provide(Sql.layerLocalAccount({ home: process.argv[1], database: "ML", schema: "PUBLIC", threads: 1 }))
  )
)
console.log(JSON.stringify({ rows: table.numRows, loaded: loadedDriver() }))`,
      [home]
    )
    expect(result).toEqual({ rows: 1, loaded: false })
  }, 60_000)

  it("is seen by that check once imported (the check can fail)", async () => {
    const result = await runScript(`${LOADED_DRIVER}
await import("snowflake-sdk")
console.log(JSON.stringify({ loaded: loadedDriver() }))`)
    expect(result).toEqual({ loaded: true })
  }, 60_000)

  it("missing, fails the Snowflake layer with SnowflakeDriverMissing naming the install command", async () => {
    const hide = `export async function resolve(specifier, context, next) {
  return specifier === "snowflake-sdk"
    ? next(specifier, { ...context, parentURL: "file:///runbatch-hidden-package/" })
    : next(specifier, context)
}`
    const result = await runScript(`
import { register } from "node:module"
register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hide)}))
const { Effect, Redacted } = await import("effect")
const { Sql } = await import("@runbatch/session")
const error = await Effect.runPromise(
  Effect.flip(
    Effect.scoped(Sql.use((sql) => Effect.succeed(sql.backend))).pipe(
      Effect.provide(
        Sql.layerSnowflake({ account: "acct", username: "u", password: Redacted.make("secret-pw"), host: "127.0.0.1", port: 9, protocol: "http" })
      )
    )
  )
)
console.log(JSON.stringify({ tag: error._tag, message: error.message }))`)
    expect(result).toMatchObject({ tag: "SnowflakeDriverMissing" })
    expect((result as { message: string }).message).toContain("npm install snowflake-sdk")
    expect((result as { message: string }).message).not.toContain("secret-pw")
  }, 60_000)
})
