import type { Benchmark } from "../benchmark.ts"
import { bestOfAlternating } from "../rounds.ts"

/**
 * The output committer against a bare parquet-wasm write of the same Arrow tables: the committer's
 * overhead (checksums, write-once files, commit records) is what the ratio shows.
 */
export const committer: Benchmark = {
  name: "committer",
  reference:
    "parquet-wasm writeParquet of the same tables + fs.promises.writeFile, same writer settings and row groups",
  description:
    "Write and commit shards of 5 columns (int64, float64, float32, int32, utf8) through the output committer",
  run: async ({ quick }) => {
    const { mkdirSync, mkdtempSync, rmSync } = await import("node:fs")
    const { writeFile } = await import("node:fs/promises")
    const { tmpdir } = await import("node:os")
    const { join } = await import("node:path")
    const Arrow = await import("apache-arrow")
    const { Table: WasmTable, writeParquet } = await import("parquet-wasm")
    const { Effect, Layer } = await import("effect")
    const { LocalAccount } = await import("@runbatch/account")
    const { OutputCommitter, OutputLayout, ParquetCodec, StageStore } = await import("@runbatch/stage-io")
    const { StageLocation } = await import("@runbatch/spec")

    const rowsPerPart = quick ? 100_000 : 250_000
    const parts = quick ? 4 : 8
    const rowGroupSize = 65_536
    const categories = Array.from({ length: 100 }, (_, i) => `category-${i}`)
    const encoded = categories.map((c) => new TextEncoder().encode(c))

    const makeTable = (part: number) => {
      const n = rowsPerPart
      const id = new BigInt64Array(n)
      const x = new Float64Array(n)
      const y = new Float32Array(n)
      const label = new Int32Array(n)
      const offsets = new Int32Array(n + 1)
      let bytes = 0
      for (let i = 0; i < n; i++) bytes += encoded[(i * 7 + part) % 100]!.length
      const data = new Uint8Array(bytes)
      let at = 0
      for (let i = 0; i < n; i++) {
        id[i] = BigInt(part * n + i)
        x[i] = Math.sin(i) * 1000
        y[i] = Math.cos(i)
        label[i] = i % 7
        const word = encoded[(i * 7 + part) % 100]!
        data.set(word, at)
        at += word.length
        offsets[i + 1] = at
      }
      return new Arrow.Table({
        id: Arrow.makeVector(id),
        x: Arrow.makeVector(x),
        y: Arrow.makeVector(y),
        label: Arrow.makeVector(label),
        cat: Arrow.makeVector(
          Arrow.makeData({ type: new Arrow.Utf8(), length: n, valueOffsets: offsets, data })
        )
      })
    }
    const tables = Array.from({ length: parts }, (_, i) => makeTable(i))
    const rows = rowsPerPart * parts

    const scratch = mkdtempSync(join(tmpdir(), "runbatch-bench-committer-"))
    try {
      const bare = async (dir: string) => {
        for (const [i, table] of tables.entries()) {
          // The committer's writer settings (snappy, dictionaries chosen from the first rows).
          const properties = ParquetCodec.writerProperties({ rowGroupSize }, table.batches[0])
          const bytes = writeParquet(WasmTable.fromIPCStream(Arrow.tableToIPC(table, "stream")), properties)
          await writeFile(join(dir, `part-${i}.parquet`), bytes)
        }
      }

      const account = LocalAccount.layer({ home: join(scratch, "home"), database: "BENCH", schema: "PUBLIC" })
      const layer = StageStore.layerLocal().pipe(Layer.provideMerge(account))
      const viaCommitter = (run: number) =>
        Effect.runPromise(
          Effect.gen(function* () {
            const output = yield* StageLocation.parse(`@BENCH.PUBLIC.OUT/run-${run}/`)
            const committer = yield* OutputCommitter.make({
              layout: OutputLayout.make(output, `BENCH.PUBLIC.JOB_${run}`),
              rowGroupSize
            })
            for (const [shard, table] of tables.entries()) {
              const written = yield* committer.writePart(shard, 0, table)
              yield* committer.commitShard(written)
            }
          }).pipe(Effect.provide(layer))
        )

      // Warm both paths (WASM compilation, first allocations) once before timing.
      const warm = join(scratch, "warm")
      mkdirSync(warm, { recursive: true })
      await bare(warm)
      await viaCommitter(0)

      const rounds = quick ? 3 : 7
      const { subjectSeconds, referenceSeconds } = await bestOfAlternating(
        rounds,
        async (round) => {
          const start = performance.now()
          await viaCommitter(round + 1)
          return (performance.now() - start) / 1000
        },
        async (round) => {
          const dir = join(scratch, `bare-${round}`)
          mkdirSync(dir, { recursive: true })
          const start = performance.now()
          await bare(dir)
          return (performance.now() - start) / 1000
        }
      )
      return {
        rows,
        seconds: subjectSeconds,
        referenceRowsPerSecond: rows / referenceSeconds,
        extra: {
          parts,
          rowsPerPart,
          rowGroupSize,
          compression: "snappy",
          rounds,
          best: "fastest of the rounds",
          referenceSeconds
        }
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  }
}
