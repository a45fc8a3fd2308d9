/**
 * stage-io is what replicas and pipeline threads read and write stages with: importing it must not
 * load DuckDB (its native library alone costs a replica ~40 MB of RSS). A fresh Node process imports
 * the built package and reports the native libraries it has loaded; the session, which does use
 * DuckDB, shows the check can see it.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("..", import.meta.url))

/** The native libraries a fresh Node process has loaded after importing `specifier` whose path names DuckDB. */
const duckDbLibrariesAfterImporting = (specifier: string): Array<string> => {
  const script = `await import(${JSON.stringify(specifier)})
const loaded = process.report.getReport().sharedObjects
process.stdout.write(JSON.stringify(loaded.filter((path) => /duckdb/i.test(path))))`
  return JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: packageDir,
      encoding: "utf8"
    })
  )
}

describe("the stage-io import graph", () => {
  it("loads no DuckDB", () => {
    expect(duckDbLibrariesAfterImporting("@runbatch/stage-io")).toEqual([])
  })

  it("is checked by a probe that sees DuckDB where it is loaded (the session)", () => {
    expect(duckDbLibrariesAfterImporting("@runbatch/session")).not.toEqual([])
  })
})
