/** What ONNX tests compare with: onnxruntime called directly, outside runbatch. */
import * as ort from "onnxruntime-node"

/**
 * The reference a test compares with: onnxruntime called directly on `rows` as one float32
 * `[rows, n]` tensor fed to `input`, default session options.
 */
export const run = async (
  model: Uint8Array,
  input: string,
  rows: ReadonlyArray<ReadonlyArray<number>>
): Promise<ort.InferenceSession.OnnxValueMapType> => {
  const session = await ort.InferenceSession.create(model)
  try {
    const data = Float32Array.from(rows.flat())
    return await session.run({
      [input]: new ort.Tensor("float32", data, [rows.length, rows[0]?.length ?? 0])
    })
  } finally {
    await session.release()
  }
}
