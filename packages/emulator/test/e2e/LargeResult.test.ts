/**
 * A result of a million rows, streamed by snowflake-sdk from an emulator in its own process: the rows
 * come in chunk files, all of them arrive in order, and the emulator serves them with a JavaScript
 * heap capped at 96 MiB — less than the rows would take as JavaScript values — so it cannot be
 * holding the result in memory; its peak resident memory is checked too.
 */
import { spawn } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import snowflake from "snowflake-sdk"
import { expect, it } from "vitest"
import { tempDir } from "../support.ts"

snowflake.configure({ logLevel: "OFF" })

const ROWS = 1_000_000
const PASSWORD = "large"

/** Peak resident memory of a process, in MiB (Linux). */
const peakRssMiB = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmHWM:"))
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? 0) / 1024
}

it("streams 1M rows of numbers and text in chunks, with the emulator's memory bounded", async () => {
  const home = tempDir("emulator-large-")
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL("fixtures/serve.mjs", import.meta.url)), home, PASSWORD],
    {
      stdio: ["pipe", "pipe", "inherit"]
    }
  )
  try {
    const first = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout! }).once("line", resolve)
    )
    const { url, account, pid } = JSON.parse(first) as { url: string; account: string; pid: number }
    const connection = snowflake.createConnection({
      accessUrl: url,
      account,
      username: "big",
      password: PASSWORD
    })
    await connection.connectAsync()
    const baseline = peakRssMiB(pid)
    let count = 0
    let sum = 0
    let intact = true
    let queryId = ""
    await new Promise<void>((resolve, reject) => {
      const statement = connection.execute({
        sqlText: `select range as n, 'row number ' || range || ' of a long enough text column' as label from range(${ROWS})`,
        streamResult: true,
        complete: (error) => {
          if (error) reject(error)
        }
      })
      statement
        .streamRows()
        .on("data", (row: { N: number; LABEL: string }) => {
          if (row.LABEL !== `row number ${row.N} of a long enough text column`) intact = false
          sum += row.N
          count++
        })
        .on("error", reject)
        .on("end", () => {
          queryId = statement.getQueryId()
          resolve()
        })
    })
    // Every row once: the count, the sum of 0 … ROWS-1, and each label matching its number.
    expect(count).toBe(ROWS)
    expect(sum).toBe((ROWS * (ROWS - 1)) / 2)
    expect(intact).toBe(true)
    const chunkDirs = readdirSync(join(home, "tmp")).filter((d) => d.startsWith("emulator-"))
    const chunks = readdirSync(join(home, "tmp", chunkDirs[0]!, queryId))
    // ~60 MB of encoded rows in chunk files of ~8 MB each.
    expect(chunks.length, `${chunks.length} chunk files`).toBeGreaterThanOrEqual(5)
    // The heap cap above is what proves the rows are not held in JavaScript; resident memory is a
    // backstop. It is native (DuckDB spooling the result, parquet-wasm reading it back, malloc arenas):
    // 190 MiB of growth on a quiet machine, 281 in a CI run on a loaded one; the rows alone are ~60 MB
    // encoded and would take far more as JavaScript values.
    const growth = peakRssMiB(pid) - baseline
    expect(growth, `the emulator's peak RSS grew by ${growth.toFixed(0)} MiB`).toBeLessThan(400)
    expect(child.exitCode, "the emulator is still serving").toBeNull()
    await new Promise<void>((resolve) => connection.destroy(() => resolve()))
    // The session ended: its result files went with it.
    expect(existsSync(join(home, "tmp", chunkDirs[0]!, queryId))).toBe(false)
  } finally {
    child.stdin!.end()
    await new Promise((resolve) => child.once("exit", resolve))
  }
})
