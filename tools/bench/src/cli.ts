// Usage: node tools/bench/dist/cli.js [--quick] [--only name[,name]] [--registry module.js] [--docs file.md]
// Runs the registered benchmarks, each in its own process, and prints one JSON line per benchmark
// on stdout. A full run (no --quick, no --only) also rewrites the table in docs/performance.md.
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { type BenchmarkName, benchmarkNames, isBenchmarkName, quickBudgetSeconds } from "./benchmark.ts"
import { loadBenchmarks } from "./load-benchmarks.ts"
import { describeMachine } from "./machine.ts"
import { newPerformanceDoc, replaceGeneratedSection } from "./performance-doc.ts"
import { renderPerformanceSection } from "./performance-table.ts"
import type { BenchmarkRecord } from "./record.ts"
import { runBenchmarks } from "./run-benchmarks.ts"

const usage = "usage: bench [--quick] [--only name[,name]] [--registry module.js] [--docs file.md]"
const runnerPath = fileURLToPath(new URL("./run-one.js", import.meta.url))
// This file runs as tools/bench/dist/cli.js.
const defaultDocsPath = fileURLToPath(new URL("../../../docs/performance.md", import.meta.url))

class UsageError extends Error {}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`)

const parseOptions = () => {
  try {
    return parseArgs({
      options: {
        quick: { type: "boolean", default: false },
        only: { type: "string" },
        registry: { type: "string" },
        docs: { type: "string" }
      },
      strict: true
    }).values
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

const selectNames = (registered: ReadonlyArray<BenchmarkName>, only: string | undefined) => {
  if (only === undefined) return registered
  const wanted = only
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "")
  if (wanted.length === 0) throw new UsageError("--only needs at least one benchmark name")
  for (const name of wanted) {
    if (!isBenchmarkName(name)) {
      throw new UsageError(`unknown benchmark ${name}; names: ${benchmarkNames.join(", ")}`)
    }
    if (!registered.includes(name)) {
      throw new UsageError(`${name} is not registered yet; registered: ${registered.join(", ") || "none"}`)
    }
  }
  return registered.filter((name) => wanted.includes(name))
}

const writeDocs = (path: string, records: ReadonlyArray<BenchmarkRecord>) => {
  const doc = existsSync(path) ? readFileSync(path, "utf8") : newPerformanceDoc()
  writeFileSync(path, replaceGeneratedSection(doc, renderPerformanceSection(records, describeMachine())))
  log(`wrote ${path}`)
}

const main = async (): Promise<number> => {
  const options = parseOptions()
  const benchmarks = await loadBenchmarks(options.registry)
  const names = selectNames(
    benchmarks.map((benchmark) => benchmark.name),
    options.only
  )
  if (names.length === 0) log("no benchmarks are registered yet")

  const { records, failures } = await runBenchmarks({
    names,
    quick: options.quick,
    runnerPath,
    registryPath: options.registry,
    budgetSeconds: options.quick ? quickBudgetSeconds : undefined,
    onRecord: (record) => process.stdout.write(`${JSON.stringify(record)}\n`),
    onProgress: log
  })

  for (const failure of failures) log(`FAILED ${failure.name}: ${failure.error}`)
  if (!options.quick) {
    // A partial table would pass off a subset or a crash as the current figures.
    if (options.only !== undefined) log("docs not updated: --only runs a subset")
    else if (failures.length > 0) log(`docs not updated: ${failures.length} benchmark(s) failed`)
    else writeDocs(options.docs ?? defaultDocsPath, records)
  }
  return failures.length === 0 ? 0 : 1
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      log(`${error.message}\n${usage}`)
      process.exitCode = 2
    } else {
      log(error instanceof Error ? (error.stack ?? error.message) : String(error))
      process.exitCode = 1
    }
  }
)
