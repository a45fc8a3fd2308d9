/**
 * Shared test helpers: an emulator over a fresh home per test, and the real snowflake-sdk connected to
 * it on 127.0.0.1 (platform detection is off in vitest's env, so the driver sends nothing elsewhere).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type SnowflakeSqlOptions, Sql } from "@runbatch/session"
import { Effect, Layer, Redacted } from "effect"
import snowflake from "snowflake-sdk"
import { onTestFinished } from "vitest"
import { Emulator, type EmulatorOptions, type RunningEmulator, startEmulator } from "../src/index.ts"

snowflake.configure({ logLevel: "OFF" })

export const PASSWORD = "test-password"

/** A new empty folder, removed when the test ends. */
export const tempDir = (prefix = "emulator-"): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** An emulator over a fresh home, stopped when the test ends. */
export const emulator = async (
  options: Partial<EmulatorOptions> = {}
): Promise<RunningEmulator & { readonly close: () => Promise<void> }> => {
  const running = await startEmulator({
    home: tempDir("emulator-home-"),
    password: PASSWORD,
    threads: 2,
    ...options
  })
  onTestFinished(() => running.close())
  return running
}

/** snowflake-sdk connected to `running`, destroyed when the test ends. */
export const connect = async (
  running: RunningEmulator,
  options: Partial<snowflake.ConnectionOptions> = {}
): Promise<snowflake.Connection> => {
  const connection = snowflake.createConnection({
    accessUrl: running.url,
    account: running.account,
    username: "tester",
    password: PASSWORD,
    ...options
  })
  // connectAsync resolves even when the login fails; the callback form reports it.
  await new Promise<void>((resolve, reject) =>
    connection.connect((error) => (error ? reject(error) : resolve()))
  )
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        if (!connection.isUp()) return resolve()
        connection.destroy(() => resolve())
      })
  )
  return connection
}

export interface Executed<R> {
  readonly rows: Array<R>
  readonly statement: snowflake.RowStatement
}

/** Run one statement and collect its rows; rejects with the driver's error. */
export const execute = <R = Record<string, unknown>>(
  connection: snowflake.Connection,
  sqlText: string,
  options: Partial<snowflake.StatementOption> = {}
): Promise<Executed<R>> =>
  new Promise((resolve, reject) => {
    connection.execute({
      sqlText,
      ...options,
      complete: (error, statement, rows) => {
        if (error) reject(error)
        else resolve({ rows: (rows ?? []) as Array<R>, statement: statement as snowflake.RowStatement })
      }
    } as snowflake.StatementOption)
  })

/** The driver's error for a statement that must fail. */
export const failing = async (
  connection: snowflake.Connection,
  sqlText: string,
  options: Partial<snowflake.StatementOption> = {}
): Promise<snowflake.SnowflakeError> => {
  try {
    await execute(connection, sqlText, options)
  } catch (error) {
    return error as snowflake.SnowflakeError
  }
  throw new Error(`expected ${sqlText} to fail`)
}

/** A raw HTTP request to the emulator (for what the driver never sends). */
export const request = async (
  running: RunningEmulator,
  path: string,
  init: { readonly method?: string; readonly body?: string | Uint8Array; readonly token?: string } = {}
): Promise<{ readonly status: number; readonly json: Record<string, unknown> }> => {
  const response = await fetch(`${running.url}${path}`, {
    method: init.method ?? "POST",
    headers: {
      "Content-Type": "application/json",
      ...(init.token === undefined ? {} : { Authorization: `Snowflake Token="${init.token}"` })
    },
    ...(init.body === undefined ? {} : { body: init.body })
  })
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}

/** A session token from a login request made by hand. */
export const loginToken = async (running: RunningEmulator): Promise<string> => {
  const { json } = await request(running, "/session/v1/login-request", {
    body: JSON.stringify({ data: { LOGIN_NAME: "raw", PASSWORD: PASSWORD, ACCOUNT_NAME: running.account } })
  })
  return (json["data"] as { token: string }).token
}

/** Sql.layerSnowflake's options for logging in to `running` as "tester", database ML, schema PUBLIC. */
export const snowflakeOptions = (
  running: Pick<RunningEmulator, "account" | "host" | "port">,
  overrides: Partial<SnowflakeSqlOptions> = {}
): SnowflakeSqlOptions => ({
  name: "emulator",
  account: running.account,
  username: "tester",
  password: Redacted.make(PASSWORD),
  host: running.host,
  port: running.port,
  protocol: "http",
  database: "ML",
  schema: "PUBLIC",
  ...overrides
})

/**
 * Sql.layerSnowflake logged in to an emulator of its own over a fresh home (both end with the scope),
 * the emulator started with `emulatorOptions`.
 */
export const snowflakeSqlLayer = (
  overrides: Partial<SnowflakeSqlOptions> = {},
  emulatorOptions: Partial<EmulatorOptions> = {}
) =>
  Layer.unwrap(
    Effect.map(
      Emulator.start({ home: tempDir("emulator-sql-"), password: PASSWORD, threads: 2, ...emulatorOptions }),
      (running) => Sql.layerSnowflake(snowflakeOptions(running, overrides))
    )
  )

/** Run Effect programs on Sql.layerSnowflake logged in to `running` (a session per program). */
export const onSnowflake =
  (running: RunningEmulator) =>
  <A, E>(effect: Effect.Effect<A, E, Sql>): Promise<A> =>
    Effect.runPromise(
      Effect.scoped(effect).pipe(
        Effect.provide(Sql.layerSnowflake(snowflakeOptions(running)))
      ) as Effect.Effect<A, E>
    )

/** Run Effect programs on the local account of `running`'s home (ML.PUBLIC), beside the emulator. */
export const onLocalAccount =
  (running: Pick<RunningEmulator, "home">) =>
  <A, E>(effect: Effect.Effect<A, E, Sql>): Promise<A> =>
    Effect.runPromise(
      Effect.scoped(effect).pipe(
        Effect.provide(
          Sql.layerLocalAccount({ home: running.home, database: "ML", schema: "PUBLIC", threads: 2 })
        )
      ) as Effect.Effect<A, E>
    )
