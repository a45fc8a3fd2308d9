/**
 * `runbatch emulator` as users start it: it listens on 127.0.0.1, writes --port-file, prints the URL,
 * the account and a connections.toml entry, serves the protocol (spoken here by hand; the emulator's
 * own tests use snowflake-sdk), logs statements to --query-log, and stops cleanly on SIGINT, leaving
 * no result files behind. `runbatch emulator token` mints a token it accepts.
 */
import { spawn } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { startEmulator } from "@runbatch/emulator"
import { describe, expect, it } from "vitest"
import { bin, runCli } from "../cli.ts"
import { tempHome } from "../support.ts"

const post = async (url: string, body: unknown, token?: string) => {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(token === undefined ? {} : { Authorization: `Snowflake Token="${token}"` })
    },
    body: JSON.stringify(body)
  })
  return (await response.json()) as { success: boolean; code: string | null; data: Record<string, unknown> }
}

const waitFor = async (path: string) => {
  for (let i = 0; i < 300 && !existsSync(path); i++) await new Promise((resolve) => setTimeout(resolve, 100))
  return readFileSync(path, "utf8")
}

describe("runbatch emulator", () => {
  it("serves the home until SIGINT, with its URL, a connections.toml entry, a port file and a query log", async () => {
    const home = tempHome()
    const portFile = join(home, "emulator.port")
    const queryLog = join(home, "queries.jsonl")
    const child = spawn(
      process.execPath,
      [bin, "--home", home, "emulator", "--port-file", portFile, "--query-log", queryLog, "--password", "pw"],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    let stdout = ""
    child.stdout.on("data", (data: Buffer) => {
      stdout += data.toString()
    })
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve))
    try {
      const port = Number((await waitFor(portFile)).trim())
      expect(port).toBeGreaterThan(0)
      const url = `http://127.0.0.1:${port}`
      const login = await post(`${url}/session/v1/login-request`, {
        data: { LOGIN_NAME: "me", PASSWORD: "pw" }
      })
      expect(login.success).toBe(true)
      const token = String(login.data["token"])
      await post(`${url}/queries/v1/query-request`, { sqlText: "create table t as select 1 as x" }, token)
      const query = await post(`${url}/queries/v1/query-request`, { sqlText: "select x from t" }, token)
      expect(query.data["rowset"]).toEqual([["1"]])
      const wrong = await post(`${url}/session/v1/login-request`, {
        data: { LOGIN_NAME: "me", PASSWORD: "no" }
      })
      expect(wrong.code).toBe("390100")
      for (let i = 0; i < 50 && !stdout.includes("Ctrl-C"); i++)
        await new Promise((resolve) => setTimeout(resolve, 100))
      expect(stdout).toContain(`url:     ${url}`)
      expect(stdout).toContain("account: runbatch")
      expect(stdout).toContain(
        `[emulator]\naccount = "runbatch"\nhost = "127.0.0.1"\nport = ${port}\nprotocol = "http"`
      )
      // A password given on the command line is not printed back.
      expect(stdout).not.toContain('"pw"')
    } finally {
      child.kill("SIGINT")
    }
    expect(await exited).toBe(0)
    const logged = readFileSync(queryLog, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { sql: string; status: string })
    expect(logged.map((l) => [l.sql, l.status])).toEqual([
      ["create table t as select 1 as x", "SUCCESS"],
      ["select x from t", "SUCCESS"]
    ])
    expect(readdirSync(join(home, "tmp"))).toEqual([])
  })

  it("--require-warehouse: queries fail with 000606 until USE WAREHOUSE", async () => {
    const home = tempHome()
    const portFile = join(home, "emulator.port")
    const child = spawn(
      process.execPath,
      [bin, "--home", home, "emulator", "--port-file", portFile, "--password", "pw", "--require-warehouse"],
      { stdio: ["ignore", "ignore", "ignore"] }
    )
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve))
    try {
      const url = `http://127.0.0.1:${Number((await waitFor(portFile)).trim())}`
      const login = await post(`${url}/session/v1/login-request`, {
        data: { LOGIN_NAME: "me", PASSWORD: "pw" }
      })
      const token = String(login.data["token"])
      const refused = await post(`${url}/queries/v1/query-request`, { sqlText: "select 1 as x" }, token)
      expect(refused.code).toBe("000606")
      await post(`${url}/queries/v1/query-request`, { sqlText: "use warehouse wh" }, token)
      const query = await post(`${url}/queries/v1/query-request`, { sqlText: "select 1 as x" }, token)
      expect(query.data["rowset"]).toEqual([["1"]])
    } finally {
      child.kill("SIGINT")
    }
    expect(await exited).toBe(0)
  })

  it("mints a token the emulator of the same home accepts", async () => {
    const home = tempHome()
    const minted = await runCli(home, ["emulator", "token", "--user", "bob", "--kind", "oauth", "--json"])
    expect(minted.code, minted.stderr).toBe(0)
    const { token } = JSON.parse(minted.stdout) as { token: string }
    expect(token).toMatch(/^rbemu-oauth-/)
    expect(readFileSync(join(home, "emulator", "tokens.json"), "utf8").includes(token)).toBe(false)
    const running = await startEmulator({ home })
    try {
      const accepted = await post(`${running.url}/session/v1/login-request`, {
        data: { AUTHENTICATOR: "OAUTH", TOKEN: token }
      })
      expect(accepted.success).toBe(true)
      const forged = await post(`${running.url}/session/v1/login-request`, {
        data: { AUTHENTICATOR: "OAUTH", TOKEN: `${token}x` }
      })
      expect(forged.code).toBe("390303")
    } finally {
      await running.close()
    }
    const refused = await runCli(home, ["emulator", "token", "--user", "bob", "--kind", "jwt"])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/--kind must be oauth or pat/)
  })
})
