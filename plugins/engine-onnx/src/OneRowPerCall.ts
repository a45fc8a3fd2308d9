/**
 * Graphs exported with a fixed batch of one (`torch.onnx.export` without `dynamic_axes`: an input
 * `[1, 3, 224, 224]`) take one row per call, so a batch runs row by row and each output's rows are
 * put back together along the dimension that holds them, as one call on the whole batch would have
 * returned them.
 */
import * as ort from "onnxruntime-node"

/** Tensors of one row each, joined along `axis` (their rows dimension) into one of `tensors.length` rows. */
export const joinRows = (tensors: ReadonlyArray<ort.Tensor>, axis: number): ort.Tensor => {
  const first = tensors[0]!
  const dims = first.dims as ReadonlyArray<number>
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1)
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1)
  const rows = tensors.length
  const sample = first.data as Float32Array
  const target = Array.isArray(sample)
    ? new Array<unknown>(outer * rows * inner)
    : new (sample.constructor as Float32ArrayConstructor)(outer * rows * inner)
  tensors.forEach((tensor, r) => {
    const source = tensor.data as Float32Array
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) target[(o * rows + r) * inner + i] = source[o * inner + i]!
  })
  return new ort.Tensor(first.type as "float32", target as Float32Array, [
    ...dims.slice(0, axis),
    rows,
    ...dims.slice(axis + 1)
  ])
}
