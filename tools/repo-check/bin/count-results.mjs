#!/usr/bin/env node
// Usage: node tools/repo-check/bin/count-results.mjs --step LABEL STATUS [REPORT...] [--step ...]
//
// One --step per command CI ran (`npm test`, `npm run test:e2e`): its label, its exit status, and the
// vitest JSON reports it left (one per project; nx restores them from its cache for tasks it did not
// rerun, so cached results count too). Prints one line per failure (file › test name), then, as the
// last line, exactly "N passed, M failed": the line CI reads. A step that failed without a failing
// test in its reports (typecheck, lint, a build, vitest itself) counts as one failure; a step with no
// report at all counts as one. Plain JavaScript so it runs before and without a build. Exits 0 only
// when nothing failed.
import { readFileSync } from "node:fs"
import { relative } from "node:path"

const firstLine = (text) =>
  String(text ?? "")
    .split("\n")[0]
    .trim()
const displayPath = (path) => (typeof path === "string" ? relative(process.cwd(), path) || path : "?")

/** The --step groups of the command line. */
const parseSteps = (argv) => {
  const steps = []
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--step") {
      steps.push({ label: argv[i + 1] ?? "?", status: Number.parseInt(argv[i + 2] ?? "1", 10), reports: [] })
      i += 2
    } else if (steps.length > 0) steps.at(-1).reports.push(argv[i])
    else return { error: `usage: count-results.mjs --step LABEL STATUS [REPORT...] ... (got ${argv[i]})` }
  }
  return steps.length === 0
    ? { error: "usage: count-results.mjs --step LABEL STATUS [REPORT...] ..." }
    : { steps }
}

const readReport = (reportPath) => {
  try {
    return { report: JSON.parse(readFileSync(reportPath, "utf8")) }
  } catch (error) {
    const why = error?.code === "ENOENT" ? "does not exist" : `is unreadable (${firstLine(error?.message)})`
    return { error: `vitest report ${displayPath(reportPath)} ${why}` }
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

const countStep = (step) => {
  const lines = []
  let passed = 0
  let failed = 0
  for (const path of step.reports) {
    const { report, error } = readReport(path)
    if (error !== undefined) {
      lines.push(error)
      failed++
      continue
    }
    const { failedTests, failedFiles } = failures(report)
    lines.push(...failedTests, ...failedFiles)
    passed += Number(report.numPassedTests) || 0
    failed += Math.max(Number(report.numFailedTests) || 0, failedTests.length) + failedFiles.length
  }
  if (step.reports.length === 0) {
    lines.push(`${step.label} left no vitest report (did a build fail? see the log above)`)
    failed++
  } else if (step.status !== 0 && failed === 0) {
    lines.push(
      `${step.label} exited with status ${step.status} although its tests reported no failure: a step outside the tests failed (typecheck, lint, a build, or vitest itself), see the log above`
    )
    failed++
  }
  return { lines, passed, failed }
}

const parsed = parseSteps(process.argv.slice(2))
const counted =
  parsed.error === undefined ? parsed.steps.map(countStep) : [{ lines: [parsed.error], passed: 0, failed: 1 }]
const passed = counted.reduce((n, c) => n + c.passed, 0)
const failed = counted.reduce((n, c) => n + c.failed, 0)
for (const line of counted.flatMap((c) => c.lines)) process.stdout.write(`${line}\n`)
process.stdout.write(`${passed} passed, ${failed} failed\n`)
process.exitCode = failed === 0 ? 0 : 1
