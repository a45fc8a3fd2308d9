/** One hand-loop worker thread: its share of the input files, start to finish (see hand-loop.ts). */
import { readFile, writeFile } from "node:fs/promises"
import { basename, join } from "node:path"
import { parentPort, workerData } from "node:worker_threads"
import { ParquetCodec } from "@runbatch/stage-io"
import * as Arrow from "apache-arrow"
import * as ort from "onnxruntime-node"
import { readParquet, Table as WasmTable, writeParquet } from "parquet-wasm"
import sharp from "sharp"
import type { HandLoopTask, OcrTask, TabularTask } from "./hand-loop.ts"

const { task, files } = workerData as { task: HandLoopTask; files: ReadonlyArray<string> }

const read = async (path: string) => Arrow.tableFromIPC(readParquet(await readFile(path)).intoIPCStream())

// The same writer settings as runbatch's parts (snappy, dictionaries chosen from the first rows), so
// the two sides encode the same bytes.
const write = async (table: Arrow.Table, path: string) => {
  const properties = ParquetCodec.writerProperties({ rowGroupSize: task.rowGroupSize }, table.batches[0])
  await writeFile(path, writeParquet(WasmTable.fromIPCStream(Arrow.tableToIPC(table, "stream")), properties))
}

const withColumns = (input: Arrow.Table, columns: Record<string, Arrow.Data>) => {
  const all: Record<string, Arrow.Vector> = {}
  for (const field of input.schema.fields) all[field.name] = input.getChild(field.name)!
  for (const [name, data] of Object.entries(columns)) all[name] = Arrow.makeVector(data)
  return new Arrow.Table(all)
}

const listOf = (values: Float32Array, rows: number, width: number): Arrow.Data =>
  Arrow.makeData({
    type: new Arrow.List(new Arrow.Field("item", new Arrow.Float32(), true)),
    length: rows,
    valueOffsets: Int32Array.from({ length: rows + 1 }, (_, i) => i * width),
    child: Arrow.makeData({ type: new Arrow.Float32(), length: values.length, data: values })
  })

const tabular = async (t: TabularTask, session: ort.InferenceSession, table: Arrow.Table) => {
  const rows = table.numRows
  const width = t.features.length
  const columns = t.features.map((f) => table.getChild(f)!.toArray() as Float64Array)
  const results = t.outputs.map(() => [] as Array<ort.Tensor>)
  const x = new Float32Array(t.batchRows * width)
  for (let start = 0; start < rows; start += t.batchRows) {
    const n = Math.min(t.batchRows, rows - start)
    for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) x[i * width + j] = columns[j]![start + i]!
    const out = await session.run({
      [t.input]: new ort.Tensor("float32", x.subarray(0, n * width), [n, width])
    })
    for (const [k, o] of t.outputs.entries()) results[k]!.push(out[o.onnx]!)
  }
  const added: Record<string, Arrow.Data> = {}
  for (const [k, o] of t.outputs.entries()) {
    const parts = results[k]!.map((r) => r.data as Float32Array | BigInt64Array)
    const all =
      parts[0] instanceof BigInt64Array ? new BigInt64Array(rows * o.width) : new Float32Array(rows * o.width)
    let at = 0
    for (const part of parts) {
      ;(all as Float32Array).set(part as Float32Array, at)
      at += part.length
    }
    added[o.column] =
      all instanceof BigInt64Array
        ? Arrow.makeData({ type: new Arrow.Int64(), length: rows, data: all })
        : o.width === 1
          ? Arrow.makeData({ type: new Arrow.Float32(), length: rows, data: all })
          : listOf(all, rows, o.width)
  }
  return withColumns(table, added)
}

const ocr = async (
  t: OcrTask,
  session: ort.InferenceSession,
  vocabulary: ReadonlyArray<string>,
  table: Arrow.Table
) => {
  const paths = [...table.getChild(t.pathColumn)!] as Array<string>
  const texts: Array<string> = []
  for (let start = 0; start < paths.length; start += t.batchRows) {
    const batch = paths.slice(start, start + t.batchRows)
    const images = await Promise.all(
      batch.map(async (path) => {
        const bytes = await readFile(join(t.stageDir, path.slice(t.stagePrefix.length)))
        const meta = await sharp(bytes).metadata()
        const w = Math.max(1, Math.min(t.maxWidth, Math.round((t.height * meta.width!) / meta.height!)))
        return sharp(bytes)
          .removeAlpha()
          .resize(w, t.height, { fit: "fill" })
          .raw()
          .toBuffer({ resolveWithObject: true })
      })
    )
    const width = Math.max(...images.map((i) => i.info.width))
    const plane = t.height * width
    const x = new Float32Array(batch.length * 3 * plane)
    images.forEach(({ data, info }, n) => {
      for (let y = 0; y < info.height; y++)
        for (let px = 0; px < info.width; px++)
          for (let c = 0; c < 3; c++)
            x[n * 3 * plane + c * plane + y * width + px] =
              (data[(y * info.width + px) * 3 + c]! / 255 - 0.5) / 0.5
    })
    const out = (
      await session.run({
        [session.inputNames[0]!]: new ort.Tensor("float32", x, [batch.length, 3, t.height, width])
      })
    )[t.output]!
    const [rows, steps, classes] = out.dims as [number, number, number]
    const data = out.data as Float32Array
    for (let r = 0; r < rows; r++) {
      let text = ""
      let previous = -1
      for (let s = 0; s < steps; s++) {
        const base = (r * steps + s) * classes
        let best = 0
        for (let k = 1; k < classes; k++) if (data[base + k]! > data[base + best]!) best = k
        if (best !== previous && best !== 0) text += vocabulary[best] ?? ""
        previous = best
      }
      texts.push(text)
    }
  }
  return withColumns(table, { [t.column]: Arrow.vectorFromArray(texts, new Arrow.Utf8()).data[0]! })
}

const main = async () => {
  const session = await ort.InferenceSession.create(task.modelPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all"
  })
  const vocabulary =
    task.kind === "ocr"
      ? ["", ...(await readFile(task.vocabularyPath, "utf8")).replace(/\n$/, "").split("\n"), " "]
      : []
  let rows = 0
  for (const file of files) {
    const table = await read(file)
    rows += table.numRows
    const out =
      task.kind === "tabular"
        ? await tabular(task, session, table)
        : await ocr(task, session, vocabulary, table)
    await write(out, join(task.outDir, basename(file)))
  }
  await session.release()
  parentPort!.postMessage(rows)
}

await main()
