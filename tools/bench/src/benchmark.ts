/** The benchmarks there will be; each gets one file under src/benchmarks/ and one line in registry.ts. */
export const benchmarkNames = [
  "materialize",
  "committer",
  "gbdt",
  "mlp",
  "ocr",
  "vllm",
  "custom-http",
  "job-gbdt",
  "cli-start",
  "memory-scale"
] as const

export type BenchmarkName = (typeof benchmarkNames)[number]

export const isBenchmarkName = (name: string): name is BenchmarkName =>
  (benchmarkNames as ReadonlyArray<string>).includes(name)

/**
 * --quick runs every benchmark together within this many seconds (a child still running then is
 * killed), so a quick run stays under two minutes: aim for about ten seconds per benchmark.
 */
export const quickBudgetSeconds = 110

export interface BenchmarkOptions {
  /** Small data: all benchmarks together must finish within quickBudgetSeconds. */
  readonly quick: boolean
}

export interface BenchmarkResult {
  /** Rows processed by the timed part of runbatch's side. */
  readonly rows: number
  /** Wall-clock seconds of that timed part only, without setup. */
  readonly seconds: number
  /** The reference's throughput on the same data, measured in the same process. */
  readonly referenceRowsPerSecond: number
  /** Anything else worth keeping (batch size, model, reference seconds…); must be JSON. */
  readonly extra?: Record<string, unknown>
}

export interface Benchmark {
  readonly name: BenchmarkName
  /** What it is compared with, e.g. "onnxruntime-node InferenceSession.run, same batches". */
  readonly reference: string
  readonly description: string
  /** Import heavy modules inside run(), so loading the registry stays cheap. */
  readonly run: (options: BenchmarkOptions) => Promise<BenchmarkResult>
}
