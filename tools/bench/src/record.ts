import type { Benchmark, BenchmarkName, BenchmarkResult } from "./benchmark.ts"

/** One line of the harness's output; keys in this order. */
export interface BenchmarkRecord {
  readonly name: BenchmarkName
  readonly reference: string
  readonly rows: number
  readonly seconds: number
  readonly rowsPerSecond: number
  readonly referenceRowsPerSecond: number
  /** rowsPerSecond ÷ referenceRowsPerSecond: above 1 runbatch is faster than the reference. */
  readonly ratio: number
  readonly peakRssBytes: number
  readonly extra: Readonly<Record<string, unknown>>
}

const requireNumber = (name: string, field: string, value: number, minimum: "zero" | "positive") => {
  const valid = Number.isFinite(value) && (minimum === "zero" ? value >= 0 : value > 0)
  if (!valid) {
    throw new Error(
      `benchmark ${name} returned ${field} = ${value}; it must be a finite number ${minimum === "zero" ? ">= 0" : "> 0"}`
    )
  }
}

/** Derives throughput and ratio from what a benchmark returned. */
export const toRecord = (
  benchmark: Pick<Benchmark, "name" | "reference">,
  result: BenchmarkResult,
  peakRssBytes: number
): BenchmarkRecord => {
  requireNumber(benchmark.name, "rows", result.rows, "zero")
  requireNumber(benchmark.name, "seconds", result.seconds, "positive")
  requireNumber(benchmark.name, "referenceRowsPerSecond", result.referenceRowsPerSecond, "positive")
  const rowsPerSecond = result.rows / result.seconds
  return {
    name: benchmark.name,
    reference: benchmark.reference,
    rows: result.rows,
    seconds: result.seconds,
    rowsPerSecond,
    referenceRowsPerSecond: result.referenceRowsPerSecond,
    ratio: rowsPerSecond / result.referenceRowsPerSecond,
    peakRssBytes,
    extra: result.extra ?? {}
  }
}
