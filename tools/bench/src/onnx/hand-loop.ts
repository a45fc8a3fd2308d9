/**
 * The reference of the ONNX benchmarks: the same job written plainly, without runbatch, the way a
 * strong engineer would in an afternoon — one worker thread per core, each taking whole input files in
 * turn: parquet-wasm read → tensor → onnxruntime (one intra-op thread) → parquet-wasm write of the
 * input columns plus the outputs, same compression and row groups as runbatch's output.
 */
import { Worker } from "node:worker_threads"

interface TaskBase {
  readonly modelPath: string
  readonly outDir: string
  readonly batchRows: number
  readonly rowGroupSize: number
}

/** A tabular model: float columns interleaved into one `[rows, n]` float32 input. */
export interface TabularTask extends TaskBase {
  readonly kind: "tabular"
  readonly input: string
  readonly features: ReadonlyArray<string>
  /** ONNX output → column; `width` 1 writes a scalar column, more a list column. */
  readonly outputs: ReadonlyArray<{ readonly onnx: string; readonly column: string; readonly width: number }>
}

/** Text recognition: a column of stage paths to images, decoded with sharp, CTC-decoded text out. */
export interface OcrTask extends TaskBase {
  readonly kind: "ocr"
  readonly pathColumn: string
  /** Stage name (`@ML.PUBLIC.SCANS/`) → the local folder it lives in. */
  readonly stagePrefix: string
  readonly stageDir: string
  readonly vocabularyPath: string
  readonly output: string
  readonly column: string
  readonly height: number
  readonly maxWidth: number
}

export type HandLoopTask = TabularTask | OcrTask

/** Run `task` over `files` with `workers` threads; resolves with the wall-clock seconds and rows. */
export const runHandLoop = async (
  task: HandLoopTask,
  files: ReadonlyArray<string>,
  workers: number
): Promise<{ readonly seconds: number; readonly rows: number }> => {
  const start = performance.now()
  const shares = Array.from({ length: workers }, (_, w) => files.filter((_, i) => i % workers === w))
  const counts = await Promise.all(
    shares
      .filter((share) => share.length > 0)
      .map(
        (share) =>
          new Promise<number>((resolve, reject) => {
            const worker = new Worker(new URL("./hand-loop-worker.js", import.meta.url), {
              workerData: { task, files: share }
            })
            worker.once("message", (rows: number) => resolve(rows))
            worker.once("error", reject)
            worker.once("exit", (code) => {
              if (code !== 0) reject(new Error(`hand loop worker exited with ${code}`))
            })
          })
      )
  )
  return { seconds: (performance.now() - start) / 1000, rows: counts.reduce((a, b) => a + b, 0) }
}
