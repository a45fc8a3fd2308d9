import type { Benchmark } from "../benchmark.ts"

/** The goal: a replica over the large input peaks within this much of one over the small input. */
const GOAL_MIB = 64

/** Images of about 1 MB each in the files job: the small and the large input (--quick: fewer). */
const SMALL_IMAGES = 50
const LARGE_IMAGES = 1000
const QUICK_LARGE_IMAGES = 200

/**
 * The same job over a small and a large generated input, each run as one replica process as a
 * launcher runs it; its peak RSS (every pipeline thread included) must not grow with the input.
 * Two jobs, each over a small and a large input:
 * - a table: ID + 4 features through the testkit's weighted-sum engine, so a 50M-row run stays short
 *   and what is measured is the replica's reading, assembling and writing of rows;
 * - files: noise PNGs of about 1 MB on a stage, their paths read through column handling (raw_bytes)
 *   and measured by the same engine (each file's length), so what is measured is reading the files
 *   and assembling their batches — which, bounded in rows only, grew with the files.
 */
export const memoryScale: Benchmark = {
  name: "memory-scale",
  reference: "the same job over the small input (1M rows), same process, same run",
  description: `peak RSS of one replica over 1M vs 50M generated rows (--quick: 1M vs 5M), ID + 4 features, and over ${SMALL_IMAGES} vs ${LARGE_IMAGES} images of 1 MB (--quick: ${QUICK_LARGE_IMAGES}) read through raw_bytes`,
  run: async ({ quick }) => {
    const { mkdtempSync, rmSync } = await import("node:fs")
    const { tmpdir, availableParallelism } = await import("node:os")
    const { join } = await import("node:path")
    const { LocalLayout, Signature } = await import("@runbatch/spec")
    const { TestEngine } = await import("@runbatch/testkit")
    const { runJobProcess, stageJob } = await import("../onnx/replica-run.ts")
    const { writeNoiseImages } = await import("../files/noise-images.ts")
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
    // One job staged in a home of its own, run as one replica process, the home removed after.
    const runStaged = async (
      name: string,
      options: Omit<Parameters<typeof stageJob>[1], "plugins" | "targetShards" | "output" | "jobName">,
      prepare: (home: string) => Promise<void> = async () => {}
    ) => {
      const home = join(scratch, name)
      await prepare(home)
      const job = await stageJob(home, {
        ...options,
        plugins: [TestEngine.packageDir],
        targetShards: cpus * 4,
        output: `@ML.PUBLIC.RESULTS/${name}/`,
        jobName: `ML.PUBLIC.${name.toUpperCase()}`
      })
      const run = await runJobProcess(home, job, cpus)
      rmSync(home, { recursive: true, force: true })
      return { ...run, shards: job.plan.shards.length }
    }
    const measure = async (name: string, rows: number) => ({
      ...(await runStaged(name, { query: query(rows), signature })),
      rows
    })
    const measureFiles = async (name: string, images: number) => {
      let bytes = 0
      const run = await runStaged(
        name,
        {
          query: `SELECT r::BIGINT AS ID, '@ML.PUBLIC.IMAGES/image_' || r || '.png' AS IMAGE FROM range(${images}) t(r)`,
          signature: Signature.signature(
            [Signature.feature("image", "BYTES")],
            [Signature.feature("bytes", "INT64")]
          ),
          columnHandling: { IMAGE: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } }
        },
        async (home) => {
          bytes = await writeNoiseImages(
            LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "IMAGES" }),
            images
          )
        }
      )
      return { ...run, images, bytes }
    }
    try {
      const small = await measure("small", 1_000_000)
      const large = await measure("large", quick ? 5_000_000 : 50_000_000)
      const smallFiles = await measureFiles("files_small", SMALL_IMAGES)
      const largeFiles = await measureFiles("files_large", quick ? QUICK_LARGE_IMAGES : LARGE_IMAGES)
      const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10
      const difference = mib(large.peakRssBytes - small.peakRssBytes)
      const filesDifference = mib(largeFiles.peakRssBytes - smallFiles.peakRssBytes)
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
          smallSeconds: Math.round(small.seconds * 10) / 10,
          filesSmall: smallFiles.images,
          filesLarge: largeFiles.images,
          filesLargeMiB: mib(largeFiles.bytes),
          filesSmallShards: smallFiles.shards,
          filesLargeShards: largeFiles.shards,
          peakRssMiBFilesSmall: mib(smallFiles.peakRssBytes),
          peakRssMiBFilesLarge: mib(largeFiles.peakRssBytes),
          peakRssMiBFilesDifference: filesDifference,
          filesGoalMet: filesDifference <= GOAL_MIB,
          filesSmallSeconds: Math.round(smallFiles.seconds * 10) / 10,
          filesLargeSeconds: Math.round(largeFiles.seconds * 10) / 10
        }
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  }
}
