import { resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { type Benchmark, benchmarkNames, isBenchmarkName } from "./benchmark.ts"

const checkBenchmark = (candidate: unknown, source: string): Benchmark => {
  const benchmark = candidate as Partial<Benchmark> | null
  if (typeof benchmark?.name !== "string" || !isBenchmarkName(benchmark.name)) {
    throw new Error(
      `${source}: benchmark name ${JSON.stringify(benchmark?.name)} is not one of ${benchmarkNames.join(", ")}`
    )
  }
  if (typeof benchmark.reference !== "string" || typeof benchmark.run !== "function") {
    throw new Error(`${source}: benchmark ${benchmark.name} needs a reference string and a run function`)
  }
  return benchmark as Benchmark
}

/**
 * The registered benchmarks: src/registry.ts, or the module at registryPath (tests inject one),
 * which must export `benchmarks` the same way.
 */
export const loadBenchmarks = async (registryPath?: string): Promise<ReadonlyArray<Benchmark>> => {
  const source = registryPath ?? "the built-in registry"
  const module: { benchmarks?: unknown } =
    registryPath === undefined
      ? await import("./registry.ts")
      : await import(pathToFileURL(resolve(registryPath)).href)
  if (!Array.isArray(module.benchmarks)) throw new Error(`${source} does not export a benchmarks array`)
  const benchmarks = module.benchmarks.map((candidate) => checkBenchmark(candidate, source))
  const names = benchmarks.map((benchmark) => benchmark.name)
  const duplicate = names.find((name, index) => names.indexOf(name) !== index)
  if (duplicate !== undefined) throw new Error(`${source} registers ${duplicate} twice`)
  return benchmarks
}
