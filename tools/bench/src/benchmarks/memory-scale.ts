import type { Benchmark } from "../benchmark.ts"

/** The goal: a replica over the large input peaks within this much of one over the small input. */
const GOAL_MIB = 64

/**
 * The same job over a small and a large generated input, each run as one replica process as a
 * launcher runs it; its peak RSS (every pipeline thread included) must not grow with the input.
 * A light engine (the testkit's weighted sum) keeps a 50M-row run short: what is measured is the
 * replica's reading, assembling and writing, which is what used to grow with the input.
 */
export const memoryScale: Benchmark = {
  name: "memory-scale",
  reference: "the same job over the small input (1M rows), same process, same run",
  description: "peak RSS of one replica over 1M vs 50M generated rows (--quick: 1M vs 5M), ID + 4 features",
  run: async ({ quick }) => {
    const { mkdtempSync, rmSync } = await import("node:fs")
    const { tmpdir, availableParallelism } = await import("node:os")
    const { join } = await import("node:path")
    const { Signature } = await import("@runbatch/spec")
    const { TestEngine } = await import("@runbatch/testkit")
    const { runJobProcess, stageJob } = await import("../onnx/replica-run.ts")
    const cpus = availableParallelism()
    const scratch = mkdtempSync(join(tmpdir(), "runbatch-bench-memory-"))
    const features = ["A", "B", "C", "D"]
    const signature = Signature.signature(
      features.map((f) => Signature.feature(f.toLowerCase(), "DOUBLE")),
      [Signature.feature("y", "DOUBLE")]
    )
    const query = (rows: number) =>
      `SELECT r::BIGINT AS ID, ${features
        .map((f, j) => `((hash(r * 4 + ${j}) % 100000) / 100.0)::DOUBLE AS ${f}`)
        .join(", ")} FROM range(${rows}) t(r)`
    const measure = async (name: string, rows: number) => {
      const home = join(scratch, name)
      const job = await stageJob(home, {
        query: query(rows),
        signature,
        plugins: [TestEngine.packageDir],
        targetShards: cpus * 4,
        output: `@ML.PUBLIC.RESULTS/${name}/`,
        jobName: `ML.PUBLIC.${name.toUpperCase()}`
      })
      const run = await runJobProcess(home, job, cpus)
      rmSync(home, { recursive: true, force: true })
      return { ...run, shards: job.plan.shards.length, rows }
    }
    try {
      const small = await measure("small", 1_000_000)
      const large = await measure("large", quick ? 5_000_000 : 50_000_000)
      const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10
      const difference = mib(large.peakRssBytes - small.peakRssBytes)
      return {
        rows: large.rows,
        seconds: large.seconds,
        referenceRowsPerSecond: small.rows / small.seconds,
        extra: {
          cpus,
          smallRows: small.rows,
          largeRows: large.rows,
          smallShards: small.shards,
          largeShards: large.shards,
          peakRssMiBSmall: mib(small.peakRssBytes),
          peakRssMiBLarge: mib(large.peakRssBytes),
          peakRssDifferenceMiB: difference,
          goalMiB: GOAL_MIB,
          goalMet: difference <= GOAL_MIB,
          smallSeconds: Math.round(small.seconds * 10) / 10
        }
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  }
}
