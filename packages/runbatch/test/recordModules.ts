/**
 * Running node with module-recorder/record.mjs loaded, to see every module the process loaded, and
 * optionally with packages it must find not installed. The one place the import tests start a
 * process: the runbatch command runs from the built package, like cli.ts's runCli.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { CliResult } from "./cli.ts"

const recorder = fileURLToPath(new URL("./module-recorder/record.mjs", import.meta.url))

export interface RecordedRun extends CliResult {
  /** The URL of every module loaded (node:… for built-ins), in the order they were resolved. */
  readonly modules: ReadonlyArray<string>
}

export const runNodeRecordingModules = (
  args: ReadonlyArray<string>,
  options: {
    readonly hidePackages?: ReadonlyArray<string>
    readonly env?: Readonly<Record<string, string>>
  } = {}
): Promise<RecordedRun> => {
  const dir = mkdtempSync(join(tmpdir(), "runbatch-modules-"))
  const file = join(dir, "modules.txt")
  return new Promise<RecordedRun>((resolve) => {
    execFile(
      process.execPath,
      ["--import", recorder, ...args],
      {
        env: {
          ...process.env,
          RUNBATCH_CPUS: "2",
          RUNBATCH_RECORD_MODULES: file,
          RUNBATCH_HIDE_PACKAGES: (options.hidePackages ?? []).join(","),
          ...options.env
        },
        maxBuffer: 64 * 1024 * 1024
      },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : 1,
          stdout,
          stderr,
          modules: readFileSync(file, "utf8")
            .split("\n")
            .filter((line) => line !== "")
        })
    )
  }).finally(() => rmSync(dir, { recursive: true, force: true }))
}
