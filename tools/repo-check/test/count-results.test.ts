import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "@effect/vitest"

const script = fileURLToPath(new URL("../bin/count-results.mjs", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "count-results-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const passedTest = { ancestorTitles: ["suite"], title: "works", status: "passed", failureMessages: [] }
const failedTest = {
  ancestorTitles: ["suite", "inner"],
  title: "breaks",
  status: "failed",
  failureMessages: ["AssertionError: expected 1 to be 2\n    at stack"]
}

const writeReport = (name: string, report: unknown): string => {
  const path = join(dir, name)
  writeFileSync(path, typeof report === "string" ? report : JSON.stringify(report))
  return path
}

const countResults = (reportPath: string, status: number) => {
  const result = spawnSync(process.execPath, [script, reportPath, String(status)], {
    cwd: dir,
    encoding: "utf8"
  })
  return { lines: result.stdout.trimEnd().split("\n"), exitCode: result.status }
}

describe("count-results.mjs", () => {
  it("counts a green run", () => {
    const report = writeReport("green.json", {
      numPassedTests: 2,
      numFailedTests: 0,
      testResults: [
        { name: join(dir, "a.test.ts"), status: "passed", assertionResults: [passedTest, passedTest] }
      ]
    })
    expect(countResults(report, 0)).toEqual({ lines: ["2 passed, 0 failed"], exitCode: 0 })
  })

  it("lists failed tests and files that failed to load, and counts each file as one failure", () => {
    const report = writeReport("red.json", {
      numPassedTests: 1,
      numFailedTests: 1,
      testResults: [
        { name: join(dir, "a.test.ts"), status: "failed", assertionResults: [passedTest, failedTest] },
        {
          name: join(dir, "b.test.ts"),
          status: "failed",
          message: "Cannot find package 'x'\nmore",
          assertionResults: []
        }
      ]
    })
    expect(countResults(report, 1)).toEqual({
      lines: [
        "FAIL a.test.ts › suite › inner › breaks — AssertionError: expected 1 to be 2",
        "FAIL b.test.ts › failed to load — Cannot find package 'x'",
        "1 passed, 2 failed"
      ],
      exitCode: 1
    })
  })

  it("counts a failure when npm test failed outside vitest", () => {
    const report = writeReport("lint-failed.json", {
      numPassedTests: 3,
      numFailedTests: 0,
      testResults: [{ name: join(dir, "a.test.ts"), status: "passed", assertionResults: [passedTest] }]
    })
    const { lines, exitCode } = countResults(report, 2)
    expect(lines.at(-1)).toBe("3 passed, 1 failed")
    expect(lines[0]).toContain("exited with status 2 although vitest reported no failing test")
    expect(exitCode).toBe(1)
  })

  it("fails when the report is missing or unreadable", () => {
    const missing = countResults(join(dir, "missing.json"), 1)
    expect(missing.lines.at(-1)).toBe("0 passed, 1 failed")
    expect(missing.lines[0]).toContain("does not exist")
    expect(missing.exitCode).toBe(1)
    const unreadable = countResults(writeReport("truncated.json", '{"numPassedTests": 4'), 0)
    expect(unreadable.lines.at(-1)).toBe("0 passed, 1 failed")
    expect(unreadable.exitCode).toBe(1)
  })
})
