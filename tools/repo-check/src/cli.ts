// Usage: node tools/repo-check/dist/cli.js [--root DIR] [--json]
// Checks the workspace against design.md §2; exits 1 on any violation, 2 on bad usage or a file it
// cannot read.
import { resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { checkRepo, type RepoCheck } from "./check-repo.ts"
import { formatViolation } from "./violation.ts"

// This file runs as tools/repo-check/dist/cli.js, so the repo root is three folders up.
const defaultRoot = fileURLToPath(new URL("../../../", import.meta.url))

const main = (): number => {
  let options: { root?: string | undefined; json?: boolean | undefined }
  try {
    options = parseArgs({
      options: { root: { type: "string" }, json: { type: "boolean" } },
      strict: true
    }).values
  } catch (error) {
    process.stderr.write(`repo-check: ${(error as Error).message}\nusage: repo-check [--root DIR] [--json]\n`)
    return 2
  }
  const root = resolve(options.root ?? defaultRoot)
  let result: RepoCheck
  try {
    result = checkRepo(root)
  } catch (error) {
    // A malformed package.json or tsconfig.json: say which, without a stack trace.
    process.stderr.write(`repo-check: ${(error as Error).message}\n`)
    return 2
  }
  const { packages, violations } = result
  if (options.json) {
    process.stdout.write(`${JSON.stringify(violations, null, 2)}\n`)
  } else {
    for (const violation of violations) process.stderr.write(`${formatViolation(violation)}\n`)
    process.stderr.write(
      violations.length === 0
        ? `repo-check: ${packages.length} packages follow design.md §2\n`
        : `repo-check: ${violations.length} violation(s) in ${packages.length} packages\n`
    )
  }
  return violations.length === 0 ? 0 : 1
}

process.exitCode = main()
