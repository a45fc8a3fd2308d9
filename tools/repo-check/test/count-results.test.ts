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

const run = (args: ReadonlyArray<string>) => {
  const result = spawnSync(process.execPath, [script, ...args], { cwd: dir, encoding: "utf8" })
  return { lines: result.stdout.trimEnd().split("\n"), exitCode: result.status }
}

/** One step (`npm test`) with one report. */
const countResults = (reportPath: string, status: number) =>
  run(["--step", "npm test", String(status), reportPath])

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
    expect(lines[0]).toContain("npm test exited with status 2 although its tests reported no failure")
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

  it("adds up the reports of several steps, a step failing outside its tests counting once", () => {
    const green = (name: string, passed: number) =>
      writeReport(name, {
        numPassedTests: passed,
        numFailedTests: 0,
        testResults: [
          { name: join(dir, `${name}.test.ts`), status: "passed", assertionResults: [passedTest] }
        ]
      })
    const result = run([
      "--step",
      "npm test",
      "1",
      green("spec.json", 5),
      green("session.json", 7),
      "--step",
      "npm run test:e2e",
      "0",
      green("runbatch-e2e.json", 3)
    ])
    expect(result.lines).toEqual([
      "npm test exited with status 1 although its tests reported no failure: a step outside the tests failed (typecheck, lint, a build, or vitest itself), see the log above",
      "15 passed, 1 failed"
    ])
    expect(result.exitCode).toBe(1)
  })

  it("counts a step that left no report as a failure, and refuses a command line without steps", () => {
    expect(run(["--step", "npm test", "0"]).lines).toEqual([
      "npm test left no vitest report (did a build fail? see the log above)",
      "0 passed, 1 failed"
    ])
    expect(run(["report.json"]).lines.at(-1)).toBe("0 passed, 1 failed")
  })
})
