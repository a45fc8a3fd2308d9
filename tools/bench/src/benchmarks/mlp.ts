import type { Benchmark } from "../benchmark.ts"

/**
 * An MLP (64 → 256 → 10, softmax) over 64 float feature columns as a whole replica, against the hand
 * loop on the same files. Wide input and light compute: mostly a test of the column-to-tensor path.
 */
export const mlp: Benchmark = {
  name: "mlp",
  reference:
    "hand loop: worker thread per core, parquet-wasm read → float32 tensor → onnxruntime (1 thread) → parquet-wasm write, same columns and writer settings",
  description: "64 float features + ID through a 64→256→10 MLP (10 probabilities per row)",
  run: async ({ quick }) => {
    const { OnnxModels } = await import("@runbatch/testkit")
    const { runTabularJob } = await import("../onnx/tabular-job.ts")
    return runTabularJob({
      model: OnnxModels.mlp(),
      input: "input",
      features: 64,
      rows: quick ? 300_000 : 1_000_000,
      files: 8,
      outputs: [{ onnx: "probs", dtype: "FLOAT", width: 10 }],
      rounds: quick ? 1 : 3
    })
  }
}
