/**
 * Where a tensor keeps its rows. Features are laid out rows first (`[rows, ...]`), while a graph may
 * keep its rows elsewhere (a sequence model's `[time, batch]`, a state `[2, batch, 64]`): feeds are
 * moved there and outputs moved back. A graph exported with a batch of one runs one row per call, and
 * its outputs' rows are joined again as one call on the whole batch would have returned them.
 */
import * as ort from "onnxruntime-node"

/**
 * A `[rows, ...dims]` tensor with its rows moved to dimension `axis` (`[4, rows]` for a time-first
 * graph): the values before the axis stay outermost, each row's block is split around it.
 */
export const moveRows = (tensor: ort.Tensor, axis: number): ort.Tensor => {
  if (axis === 0) return tensor
  const [rows, ...dims] = tensor.dims as ReadonlyArray<number>
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1)
  const inner = dims.slice(axis).reduce((a, b) => a * b, 1)
  const source = tensor.data as Float32Array
  const target = new (source.constructor as Float32ArrayConstructor)(source.length)
  for (let r = 0; r < rows!; r++)
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++)
        target[(o * rows! + r) * inner + i] = source[(r * outer + o) * inner + i]!
  return new ort.Tensor(tensor.type as "float32", target, [
    ...dims.slice(0, axis),
    rows!,
    ...dims.slice(axis)
  ])
}

/**
 * A tensor whose rows are dimension `axis` (`[2, batch, 3]`) with the rows moved first
 * (`[batch, 2, 3]`), so each row's values are contiguous.
 */
export const rowsFirst = (tensor: ort.Tensor, axis: number): ort.Tensor => {
  if (axis === 0) return tensor
  const dims = tensor.dims as ReadonlyArray<number>
  const rows = dims[axis]!
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1)
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1)
  const source = tensor.data as Float32Array
  const target = Array.isArray(source)
    ? new Array<unknown>(source.length)
    : new (source.constructor as Float32ArrayConstructor)(source.length)
  for (let o = 0; o < outer; o++)
    for (let r = 0; r < rows; r++)
      for (let i = 0; i < inner; i++)
        target[(r * outer + o) * inner + i] = source[(o * rows + r) * inner + i]!
  return new ort.Tensor(tensor.type as "float32", target as Float32Array, [
    rows,
    ...dims.slice(0, axis),
    ...dims.slice(axis + 1)
  ])
}

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
