import type { Benchmark } from "../benchmark.ts"

/** Rows per second per vCPU of the original's XGBoost run: 10B rows in 1252 s on 8 × 6 vCPUs. */
const ORIGINAL_ROWS_PER_VCPU = 10e9 / 1252 / 48

/**
 * The GBDT of the original's 10-billion-row benchmark (100 trees of depth 6 on 13 features, 3 classes)
 * as a whole replica, from staged input shards to committed output with every input column passed
 * through, against the hand loop on the same files.
 */
export const gbdt: Benchmark = {
  name: "gbdt",
  reference:
    "hand loop: worker thread per core, parquet-wasm read → float32 tensor → onnxruntime (1 thread) → parquet-wasm write, same columns and writer settings",
  description:
    "2M rows (--quick: 750k) × 13 float features + ID through a 100-tree depth-6 GBDT (label + 3 probabilities)",
  run: async ({ quick }) => {
    const { OnnxModels } = await import("@runbatch/testkit")
    const { runTabularJob } = await import("../onnx/tabular-job.ts")
    const result = await runTabularJob({
      model: OnnxModels.gbdt(),
      input: "input",
      features: 13,
      rows: quick ? 750_000 : 2_000_000,
      files: 8,
      outputs: [
        { onnx: "label", dtype: "INT64", width: 1 },
        { onnx: "probabilities", dtype: "FLOAT", width: 3 }
      ],
      rounds: quick ? 1 : 3,
      // Memory over 10 vs 100 shards is a full-run figure (memory-scale covers memory in a quick run).
      ...(quick ? {} : { shardMemoryRows: 20_000 })
    })
    const perCore = result.rows / result.seconds / result.cpus
    return {
      ...result,
      extra: {
        ...result.extra,
        rowsPerSecondPerCore: Math.round(perCore),
        originalRowsPerSecondPerVcpu: Math.round(ORIGINAL_ROWS_PER_VCPU),
        perCoreVersusOriginal: Math.round((perCore / ORIGINAL_ROWS_PER_VCPU) * 100) / 100
      }
    }
  }
}
