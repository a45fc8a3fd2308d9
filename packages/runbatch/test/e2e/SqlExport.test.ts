/**
 * `runbatch sql` exports, as the real command in a child process: rows streamed as CSV or JSON (a query
 * of no rows still has its header), `--output` writing every row into a file that appears only once
 * complete and is never replaced unasked, and a query failing midway failing the export with exit code
 * 1 before any row (DuckDB's streaming would have ended it short, silently) and leaving no file.
 * (Memory: SqlExportMemory.test.ts.)
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCli } from "../cli.ts"
import { tempHome } from "../support.ts"

const QUERY = "SELECT range AS i, 'a,' || range AS s FROM range(5000)"
const expectedCsv = (rows: number) =>
  `${["i,s", ...Array.from({ length: rows }, (_, i) => `${i},"a,${i}"`)].join("\n")}\n`

describe("runbatch sql, exporting", () => {
  it("prints 100 rows unless asked, every row with --limit 0; a query of no rows still has its header", async () => {
    const home = tempHome()
    const some = await runCli(home, ["sql", QUERY, "--format", "csv"])
    expect(some.code, some.stderr).toBe(0)
    expect(some.stdout).toBe(expectedCsv(100))
    const all = await runCli(home, ["sql", QUERY, "--format", "csv", "--limit", "0"])
    expect(all.stdout === expectedCsv(5000), "every row, in order").toBe(true)
    const none = await runCli(home, ["sql", "SELECT 1 AS a, 'x' AS b WHERE false", "--format", "csv"])
    expect(none.stdout).toBe("a,b\n")
    expect((await runCli(home, ["sql", "SELECT 1 AS a WHERE false", "--format", "json"])).stdout).toBe("[]\n")
  })

  it("--output writes every row into a file that appears complete, and never replaces one unasked", async () => {
    const home = tempHome()
    const file = join(home, "rows.csv")
    const wrote = await runCli(home, ["sql", QUERY, "--output", file])
    expect(wrote.code, wrote.stderr).toBe(0)
    expect(wrote.stdout).toBe(`5,000 row(s) written to ${file}.\n`)
    expect(readFileSync(file, "utf8") === expectedCsv(5000)).toBe(true)

    const refused = await runCli(home, ["sql", QUERY, "--output", file, "--limit", "1"])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("ExportFileExists")
    expect(readFileSync(file, "utf8") === expectedCsv(5000), "the file as it was").toBe(true)
    const forced = await runCli(home, ["sql", QUERY, "--output", file, "--limit", "2", "--force"])
    expect(forced.code, forced.stderr).toBe(0)
    expect(readFileSync(file, "utf8")).toBe(expectedCsv(2))

    const json = join(home, "rows.json")
    expect((await runCli(home, ["sql", QUERY, "--output", json, "--limit", "2"])).code).toBe(0)
    expect(JSON.parse(readFileSync(json, "utf8"))).toEqual([
      { i: 0, s: "a,0" },
      { i: 1, s: "a,1" }
    ])

    // A folder that is not there: said at once, nothing written.
    const nowhere = await runCli(home, ["sql", QUERY, "--output", join(home, "missing", "rows.csv")])
    expect(nowhere.code).toBe(1)
    expect(nowhere.stderr).toContain(`the folder ${join(home, "missing")} does not exist`)
    expect(nowhere.stderr).toContain("LocalFileError")

    // A statement has no rows to export: refused before it runs.
    const statement = await runCli(home, [
      "sql",
      "CREATE TABLE T AS SELECT 1 AS x",
      "--output",
      file,
      "--force"
    ])
    expect(statement.code).toBe(2)
    expect(statement.stderr).toContain("--output exports the rows of a query")
    expect((await runCli(home, ["--json", "sql", "SHOW TABLES"])).stdout).toBe("[]\n")
  })

  it("a query failing midway fails before any row goes out: exit 1, DuckDB's message; --output leaves no file", async () => {
    const home = tempHome()
    // The cast fails at row 500,000: the export says so, and never passes the rows before it for all.
    const failing =
      "SELECT CASE WHEN range < 500000 THEN range::VARCHAR ELSE 'x' END::INTEGER AS n FROM range(1000000)"
    const printed = await runCli(home, ["sql", failing, "--format", "csv", "--limit", "0"])
    expect(printed.code).toBe(1)
    expect(printed.stderr).toContain("Could not convert string 'x' to INT32")
    expect(printed.stderr).toContain("(SqlError")
    expect(printed.stdout).toBe("")
    const file = join(home, "failed.csv")
    const exported = await runCli(home, ["sql", failing, "--output", file])
    expect(exported.code).toBe(1)
    expect(exported.stderr).toContain("Could not convert string 'x' to INT32")
    expect(existsSync(file)).toBe(false)
    expect(readdirSync(home).filter((name) => name.endsWith(".tmp"))).toEqual([])
  })
})
