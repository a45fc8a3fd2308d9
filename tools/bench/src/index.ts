export {
  type Benchmark,
  type BenchmarkName,
  type BenchmarkOptions,
  type BenchmarkResult,
  benchmarkNames,
  quickBudgetSeconds
} from "./benchmark.ts"
export { loadBenchmarks } from "./load-benchmarks.ts"
export { describeMachine, type Machine } from "./machine.ts"
export { beginMarker, endMarker, newPerformanceDoc, replaceGeneratedSection } from "./performance-doc.ts"
export { formatRow, renderPerformanceSection } from "./performance-table.ts"
export { type BenchmarkRecord, toRecord } from "./record.ts"
export {
  type BenchmarkFailure,
  type HarnessOptions,
  type HarnessOutcome,
  runBenchmarks
} from "./run-benchmarks.ts"
