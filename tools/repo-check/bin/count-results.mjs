#!/usr/bin/env node
// Usage: node tools/repo-check/bin/count-results.mjs <vitest-json-report> <exit-status-of-npm-test>
//
// Prints one line per failure (file › test name), then, as the last line, exactly
// "N passed, M failed": the line CI reads. Plain JavaScript so it runs before and without a build.
// Exits 0 only when nothing failed and npm test exited 0.
import { readFileSync } from "node:fs"
import { relative } from "node:path"

const [reportPath, statusArgument] = process.argv.slice(2)
const status = statusArgument === undefined ? 0 : Number.parseInt(statusArgument, 10)

const firstLine = (text) =>
  String(text ?? "")
    .split("\n")[0]
    .trim()
const displayPath = (path) => (typeof path === "string" ? relative(process.cwd(), path) || path : "?")

const readReport = () => {
  if (reportPath === undefined)
    return { error: "usage: count-results.mjs <vitest-json-report> <exit-status>" }
  try {
    return { report: JSON.parse(readFileSync(reportPath, "utf8")) }
  } catch (error) {
    const why = error?.code === "ENOENT" ? "does not exist" : `is unreadable (${firstLine(error?.message)})`
    const exited =
      status === 0 ? "" : `; npm test exited with status ${statusArgument} before vitest wrote it`
    return {
      error: `vitest report ${reportPath} ${why}${exited} (did typecheck or lint fail? see the log above)`
    }
  }
}

/**
 * One line per failed test, and one per test file that failed outside its tests (it did not load,
 * or a hook threw): vitest's numFailedTests does not count those files, so they count one each here.
 */
const failures = (report) => {
  const files = Array.isArray(report.testResults) ? report.testResults : []
  const failedTests = []
  const failedFiles = []
  for (const file of files) {
    const path = displayPath(file.name)
    const assertions = Array.isArray(file.assertionResults) ? file.assertionResults : []
    const failed = assertions.filter((assertion) => assertion.status === "failed")
    for (const assertion of failed) {
      const name = [...(assertion.ancestorTitles ?? []), assertion.title].join(" › ")
      const reason = firstLine(assertion.failureMessages?.[0])
      failedTests.push(`FAIL ${path} › ${name}${reason ? ` — ${reason}` : ""}`)
    }
    if (file.status === "failed" && failed.length === 0) {
      const what = assertions.length === 0 ? "failed to load" : "failed outside its tests"
      failedFiles.push(`FAIL ${path} › ${what} — ${firstLine(file.message) || "no message"}`)
    }
  }
  return { failedTests, failedFiles }
}

const count = () => {
  const { report, error } = readReport()
  if (error !== undefined) return { lines: [error], passed: 0, failed: 1 }
  const { failedTests, failedFiles } = failures(report)
  const lines = [...failedTests, ...failedFiles]
  const passed = Number(report.numPassedTests) || 0
  let failed = Math.max(Number(report.numFailedTests) || 0, failedTests.length) + failedFiles.length
  if (status !== 0 && failed === 0) {
    failed = 1
    lines.push(
      `npm test exited with status ${statusArgument} although vitest reported no failing test: a step outside the tests failed (typecheck, lint, or vitest itself, e.g. an unhandled error or no test file), see the log above`
    )
  }
  return { lines, passed, failed }
}

const { lines, passed, failed } = count()
for (const line of lines) process.stdout.write(`${line}\n`)
process.stdout.write(`${passed} passed, ${failed} failed\n`)
process.exitCode = failed === 0 && status === 0 ? 0 : 1
