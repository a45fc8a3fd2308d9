/**
 * Before any test runs: build the workspace with `tsc -b` (incremental: under a second when nothing
 * changed). Tests run TypeScript sources in their own process, while the threads and processes they
 * start — replicas, pipeline threads, supervisors, the CLI — run the build (EntryPoint in
 * @runbatch/spec), so building first makes that build the sources under test. Several vitest processes
 * (nx runs one per package) take turns through a lock folder.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, rmSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL(".", import.meta.url))
const tsc = join(root, "node_modules", "typescript", "bin", "tsc")
const lock = join(root, "node_modules", ".cache", "runbatch-test-build.lock")
const STALE_LOCK_MILLIS = 300_000

const sleep = (millis: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, millis)

const takeLock = (): void => {
  mkdirSync(join(lock, ".."), { recursive: true })
  const deadline = Date.now() + STALE_LOCK_MILLIS
  for (;;) {
    try {
      mkdirSync(lock)
      return
    } catch {
      // Another vitest process is building; a lock older than the deadline is left over from a crash.
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MILLIS)
          rmSync(lock, { recursive: true, force: true })
      } catch {
        // Released meanwhile.
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`)
      sleep(200)
    }
  }
}

export default function buildBeforeTests(): void {
  takeLock()
  try {
    execFileSync(process.execPath, [tsc, "-b"], { cwd: root, stdio: "pipe" })
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error)
    throw new Error(
      `tsc -b failed, so threads and processes started by tests would run an old build. Fix these first:\n${output}`
    )
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}
