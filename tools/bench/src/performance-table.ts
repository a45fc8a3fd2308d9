import type { Machine } from "./machine.ts"
import type { BenchmarkRecord } from "./record.ts"

const wholeNumber = (value: number): string => Math.round(value).toLocaleString("en-US")
const mebibytes = (bytes: number): string => (bytes / 2 ** 20).toFixed(1)
const cell = (text: string): string => text.replaceAll("|", "\\|").replaceAll("\n", " ")

/** One table row, formatted for people: separators in big numbers, ratio to two decimals. */
export const formatRow = (record: BenchmarkRecord): ReadonlyArray<string> => [
  record.name,
  cell(record.reference),
  wholeNumber(record.rows),
  record.seconds.toFixed(3),
  wholeNumber(record.rowsPerSecond),
  wholeNumber(record.referenceRowsPerSecond),
  record.ratio.toFixed(2),
  mebibytes(record.peakRssBytes)
]

const header = [
  "benchmark",
  "reference",
  "rows",
  "seconds",
  "rows/s",
  "reference rows/s",
  "ratio",
  "peak RSS MiB"
]
const alignment = ["---", "---", "---:", "---:", "---:", "---:", "---:", "---:"]
const tableLine = (cells: ReadonlyArray<string>): string => `| ${cells.join(" | ")} |`

/** The generated section of docs/performance.md (what goes between the markers). */
export const renderPerformanceSection = (
  records: ReadonlyArray<BenchmarkRecord>,
  machine: Machine
): string => {
  const lastRun = `Last run on ${machine.date} with Node ${machine.nodeVersion} on ${machine.cpuModel} (${machine.cores} cores).`
  if (records.length === 0) {
    return `No benchmarks are registered yet (see tools/bench/README.md).\n\n${lastRun}`
  }
  const table = [header, alignment, ...records.map(formatRow)].map(tableLine).join("\n")
  return `${table}\n\n${lastRun}`
}
