import { fork } from "node:child_process"
import type { BenchmarkName } from "./benchmark.ts"
import { type ChildMessage, runOneArgv } from "./child-protocol.ts"
import type { BenchmarkRecord } from "./record.ts"

export interface HarnessOptions {
  readonly names: ReadonlyArray<BenchmarkName>
  readonly quick: boolean
  /** The built run-one.js; a parameter so tests and other entry points can choose it. */
  readonly runnerPath: string
  /** A registry module other than the built-in one (tests inject one). */
  readonly registryPath: string | undefined
  /** Wall-clock budget for all benchmarks together; a child still running then is killed. */
  readonly budgetSeconds: number | undefined
  readonly onRecord: (record: BenchmarkRecord) => void
  readonly onProgress: (line: string) => void
}

export interface BenchmarkFailure {
  readonly name: BenchmarkName
  readonly error: string
}

export interface HarnessOutcome {
  readonly records: ReadonlyArray<BenchmarkRecord>
  readonly failures: ReadonlyArray<BenchmarkFailure>
}

/** Runs one benchmark in a fresh node process and resolves with its record, or rejects with why not. */
const runInChild = (name: BenchmarkName, options: HarnessOptions, timeoutMs: number | undefined) =>
  new Promise<BenchmarkRecord>((resolve, reject) => {
    const child = fork(
      options.runnerPath,
      runOneArgv({ name, quick: options.quick, registryPath: options.registryPath }),
      {
        // The child's stdout goes to our stderr: our stdout carries only the JSON lines.
        stdio: ["ignore", 2, "inherit", "ipc"],
        // No inherited flags (a test runner's loaders, say): every benchmark starts the same way.
        execArgv: []
      }
    )
    let message: ChildMessage | undefined
    let timedOut = false
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true
            child.kill("SIGKILL")
          }, timeoutMs)
    child.on("message", (received) => {
      message = received as ChildMessage
    })
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      if (message?.kind === "record" && code === 0) return resolve(message.record)
      if (timedOut)
        return reject(
          new Error(`killed after ${Math.round((timeoutMs ?? 0) / 1000)} s: over the time budget`)
        )
      if (message?.kind === "error") return reject(new Error(message.message))
      reject(new Error(signal === null ? `exited with code ${code} without a result` : `killed by ${signal}`))
    })
  })

/** Runs the benchmarks one after another, each in its own process; a failure does not stop the rest. */
export const runBenchmarks = async (options: HarnessOptions): Promise<HarnessOutcome> => {
  const records: Array<BenchmarkRecord> = []
  const failures: Array<BenchmarkFailure> = []
  const deadline = options.budgetSeconds === undefined ? undefined : Date.now() + options.budgetSeconds * 1000
  for (const [index, name] of options.names.entries()) {
    const remainingMs = deadline === undefined ? undefined : deadline - Date.now()
    if (remainingMs !== undefined && remainingMs <= 0) {
      failures.push({ name, error: `not started: the ${options.budgetSeconds} s budget is spent` })
      continue
    }
    options.onProgress(`${name} (${index + 1}/${options.names.length})${options.quick ? " quick" : ""}…`)
    const started = Date.now()
    // Wall clock of the whole child (setup, reference, checks): what the quick budget pays.
    const wall = () => `${((Date.now() - started) / 1000).toFixed(1)} s`
    try {
      const record = await runInChild(name, options, remainingMs)
      records.push(record)
      options.onRecord(record)
      options.onProgress(
        `${name}: ${Math.round(record.rowsPerSecond).toLocaleString("en-US")} rows/s, ratio ${record.ratio.toFixed(2)}, peak RSS ${(record.peakRssBytes / 2 ** 20).toFixed(1)} MiB, ${wall()} in all`
      )
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      failures.push({ name, error: message })
      options.onProgress(`${name} failed after ${wall()}: ${message}`)
    }
  }
  return { records, failures }
}
