/**
 * A tabular ONNX model over `rows` rows of float features (plus an ID), as a runbatch job and as the
 * hand loop, on the same staged input files: what the gbdt and mlp benchmarks share. Also times
 * onnxruntime alone on pre-built tensors (compute only), to show how much of the job is I/O.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { availableParallelism, tmpdir } from "node:os"
import { join } from "node:path"
import { Signature } from "@runbatch/spec"
import { ParquetCodec } from "@runbatch/stage-io"
import { OnnxModels } from "@runbatch/testkit"
import * as Arrow from "apache-arrow"
import * as ort from "onnxruntime-node"
import type { BenchmarkResult } from "../benchmark.ts"
import { bestOfAlternating } from "../rounds.ts"
import { runHandLoop } from "./hand-loop.ts"
import { runJob, runJobProcess, stageJob } from "./replica-run.ts"

export interface TabularJob {
  readonly model: Uint8Array
  /** The graph's 2-D float input. */
  readonly input: string
  readonly features: number
  readonly rows: number
  readonly files: number
  readonly outputs: ReadonlyArray<{
    readonly onnx: string
    readonly dtype: "INT64" | "FLOAT"
    readonly width: number
  }>
  readonly rounds: number
  /** Also measure a replica process's peak RSS for 10 and for 100 shards of this many rows each. */
  readonly shardMemoryRows?: number
}

/** Rows per batch for both sides (the onnx engine's default for tabular models). */
const BATCH_ROWS = 8192
const ROW_GROUP_SIZE = 65_536

const inputTable = (rows: number, features: number, first: number, seed: number) => {
  const next = OnnxModels.random(seed)
  const columns: Record<string, Arrow.Vector> = {
    ID: Arrow.makeVector(BigInt64Array.from({ length: rows }, (_, i) => BigInt(first + i)))
  }
  for (let j = 0; j < features; j++) {
    // Two decimals, as measured values usually are (and so they compress as real columns do).
    columns[`F${j}`] = Arrow.makeVector(
      Float64Array.from({ length: rows }, () => Math.round(next() * 1000) / 100)
    )
  }
  return new Arrow.Table(columns)
}

/** Compute only: onnxruntime with every core on the same batches, tensors built beforehand. */
const computeOnly = async (job: TabularJob, cpus: number) => {
  const session = await ort.InferenceSession.create(job.model, {
    intraOpNumThreads: cpus,
    graphOptimizationLevel: "all"
  })
  const next = OnnxModels.random(5)
  const batch = Float32Array.from(
    { length: BATCH_ROWS * job.features },
    () => Math.round(next() * 1000) / 100
  )
  const tensor = new ort.Tensor("float32", batch, [BATCH_ROWS, job.features])
  await session.run({ [job.input]: tensor })
  const batches = Math.ceil(job.rows / BATCH_ROWS)
  const start = performance.now()
  for (let b = 0; b < batches; b++) await session.run({ [job.input]: tensor })
  const seconds = (performance.now() - start) / 1000
  await session.release()
  return (batches * BATCH_ROWS) / seconds
}

export const runTabularJob = async (
  job: TabularJob
): Promise<BenchmarkResult & { readonly cpus: number }> => {
  const cpus = availableParallelism()
  const scratch = mkdtempSync(join(tmpdir(), "runbatch-bench-onnx-"))
  try {
    const perFile = Math.ceil(job.rows / job.files)
    const files = Array.from({ length: job.files }, (_, i) => ({
      table: inputTable(Math.min(perFile, job.rows - i * perFile), job.features, i * perFile, i + 1),
      rowGroupSize: ROW_GROUP_SIZE
    }))
    const features = Array.from({ length: job.features }, (_, j) => Signature.feature(`f${j}`, "DOUBLE"))
    const signature = Signature.signature(
      features,
      job.outputs.map((o) => Signature.feature(o.onnx, o.dtype, o.width === 1 ? {} : { shape: [o.width] }))
    )
    const home = join(scratch, "home")
    const modelPath = join(scratch, "model.onnx")
    writeFileSync(modelPath, job.model)
    const stage = (name: string, tables: typeof files) =>
      stageJob(home, {
        files: tables,
        signature,
        engine: "onnx",
        artifacts: { "model.onnx": job.model },
        targetShards: tables.length,
        maxBatchRows: BATCH_ROWS,
        output: `@ML.PUBLIC.RESULTS/${name}/`,
        jobName: `ML.PUBLIC.${name.toUpperCase()}`
      })
    // The hand loop reads the same parquet bytes the job stages (the job removes its input when done).
    const writeInput = (name: string, tables: typeof files) => {
      const dir = join(scratch, name)
      mkdirSync(dir, { recursive: true })
      return tables.map((file, i) => {
        const path = join(dir, `data_${i}.parquet`)
        writeFileSync(path, ParquetCodec.encode(file.table, { rowGroupSize: file.rowGroupSize }))
        return path
      })
    }
    const handLoop = async (name: string, paths: ReadonlyArray<string>) => {
      const outDir = join(scratch, name)
      mkdirSync(outDir, { recursive: true })
      return runHandLoop(
        {
          kind: "tabular",
          modelPath,
          outDir,
          batchRows: BATCH_ROWS,
          rowGroupSize: 131_072,
          input: job.input,
          features: features.map((f) => f.name.toUpperCase()),
          outputs: job.outputs.map((o) => ({ onnx: o.onnx, column: o.onnx, width: o.width }))
        },
        paths,
        cpus
      )
    }

    // Every round gets its own staged job (output is write-once); staging is not timed.
    const warmFiles = files.slice(0, 1).map((f) => ({ ...f, table: f.table.slice(0, 20_000) }))
    const warm = await stage("warm", warmFiles)
    const warmInput = writeInput("hand-input-warm", warmFiles)
    const handInput = writeInput("hand-input", files)
    const jobs: Array<Awaited<ReturnType<typeof stage>>> = []
    for (let round = 0; round < job.rounds; round++) jobs.push(await stage(`run${round}`, files))
    await runJob(home, warm, cpus)
    await handLoop("hand-warm", warmInput)

    const best = await bestOfAlternating(
      job.rounds,
      (round) => runJob(home, jobs[round]!, cpus),
      async (round) => (await handLoop(`hand-${round}`, handInput)).seconds
    )
    const computeRowsPerSecond = await computeOnly(job, cpus)
    // Memory must not grow with the number of shards: 10 and 100 shards of the same size, each run
    // as a replica process of its own; peak RSS varies by ±20 MB from run to run, so the median of
    // five runs (one in a quick run) is reported, the two sizes alternating.
    const shardMemory: Record<string, number | string> = {}
    if (job.shardMemoryRows !== undefined) {
      const shardFile = {
        table: files[0]!.table.slice(0, job.shardMemoryRows),
        rowGroupSize: job.shardMemoryRows
      }
      const memoryRounds = job.rounds === 1 ? 1 : 5
      const peaks = new Map<number, Array<number>>([
        [10, []],
        [100, []]
      ])
      for (let round = 0; round < memoryRounds; round++) {
        for (const [count, runs] of peaks) {
          const many = await stage(
            `shards${count}_${round}`,
            Array.from({ length: count }, () => shardFile)
          )
          runs.push((await runJobProcess(home, many, cpus)).peakRssBytes)
        }
      }
      for (const [count, runs] of peaks) {
        const median = runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)]!
        shardMemory[`peakRssMiB${count}Shards`] = Math.round((median / 2 ** 20) * 10) / 10
        shardMemory[`peakRssMiB${count}ShardsRange`] =
          `${Math.round(runs[0]! / 2 ** 20)}–${Math.round(runs.at(-1)! / 2 ** 20)}`
      }
      shardMemory["shardRows"] = job.shardMemoryRows
    }
    return {
      cpus,
      rows: job.rows,
      seconds: best.subjectSeconds,
      referenceRowsPerSecond: job.rows / best.referenceSeconds,
      extra: {
        cpus,
        files: job.files,
        shards: jobs[0]!.plan.shards.length,
        batchRows: BATCH_ROWS,
        inputColumns: job.features + 1,
        referenceSeconds: best.referenceSeconds,
        rounds: best.rounds,
        best: "fastest of the alternating rounds",
        computeOnlyRowsPerSecond: Math.round(computeRowsPerSecond),
        computeOnly: `onnxruntime InferenceSession.run on pre-built ${BATCH_ROWS}-row tensors, ${cpus} intra-op threads`,
        ...shardMemory
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
