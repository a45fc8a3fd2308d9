/**
 * Arrow columns to onnxruntime tensors, without copying more than the interleave itself: scalar
 * features become the columns of one `[batch, n]` tensor (the usual tabular export), a list feature a
 * `[batch, ...dims]` tensor, a param a scalar (TensorRows moves the rows where the graph wants them).
 * Nulls in numeric inputs become NaN, which tree ensembles treat as missing.
 */
import type { Arrow } from "@runbatch/plugin-api"
import * as ort from "onnxruntime-node"

type NumericArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array

const allocate = (type: string, length: number): NumericArray => {
  switch (type) {
    case "float64":
      return new Float64Array(length)
    case "int32":
      return new Int32Array(length)
    case "int64":
      return new BigInt64Array(length)
    case "bool":
    case "uint8":
      return new Uint8Array(length)
    default:
      return new Float32Array(length)
  }
}

const put = (target: NumericArray, index: number, value: unknown): void => {
  if (target instanceof BigInt64Array) {
    target[index] =
      value === null || value === undefined
        ? 0n
        : typeof value === "bigint"
          ? value
          : BigInt(Math.trunc(Number(value)))
  } else {
    target[index] = value === null || value === undefined ? Number.NaN : Number(value)
  }
}

/** Several scalar columns interleaved into `[rows, columns.length]`. */
export const columnsTensor = (
  columns: ReadonlyArray<Arrow.Vector>,
  type: string,
  rows: number
): ort.Tensor => {
  const width = columns.length
  const out = allocate(type, rows * width)
  for (let j = 0; j < width; j++) {
    const column = columns[j]!
    const values = column.toArray() as ArrayLike<number | bigint | boolean>
    const nullable = column.nullCount > 0
    if (!nullable && !(out instanceof BigInt64Array) && typeof values[0] !== "bigint") {
      // The hot path: a plain numeric column.
      const target = out as Exclude<NumericArray, BigInt64Array>
      for (let i = 0, at = j; i < rows; i++, at += width) target[at] = values[i] as number
    } else {
      for (let i = 0, at = j; i < rows; i++, at += width) put(out, at, column.isValid(i) ? values[i] : null)
    }
  }
  return new ort.Tensor(type as "float32", out as Float32Array, [rows, width])
}

/** The values of one row of a (possibly nested) list cell, flattened. */
const flatten = (cell: unknown, into: Array<unknown>): void => {
  if (
    cell !== null &&
    typeof cell === "object" &&
    Symbol.iterator in (cell as object) &&
    typeof cell !== "string"
  ) {
    for (const item of cell as Iterable<unknown>) flatten(item, into)
  } else into.push(cell)
}

/** The sizes of a nested list cell, level by level, as its first item at each level has them. */
const cellDims = (cell: unknown, depth: number): Array<number> => {
  const dims: Array<number> = []
  let level = cell
  for (let d = 0; d < depth; d++) {
    const items = level === null || level === undefined ? [] : [...(level as Iterable<unknown>)]
    dims.push(items.length)
    level = items[0]
  }
  return dims
}

/** `dims` with each -1 (a size the graph leaves open) taken from the batch's first non-null cell. */
const resolveDims = (column: Arrow.Vector, dims: ReadonlyArray<number>, rows: number): Array<number> => {
  if (!dims.includes(-1)) return [...dims]
  let first: unknown = null
  for (let i = 0; i < rows && first === null; i++) first = column.get(i) ?? null
  const seen = cellDims(first, dims.length)
  return dims.map((d, i) => (d === -1 ? seen[i]! : d))
}

/**
 * One feature as `[rows, ...dims]`: a scalar column, or list cells of `product(dims)` values each (a
 * -1 in `dims` takes the batch's first row's size; every row of a batch must then have it too).
 */
export const featureTensor = (
  column: Arrow.Vector,
  type: string,
  declared: ReadonlyArray<number>,
  rows: number
): ort.Tensor => {
  if (type === "string") {
    return new ort.Tensor(
      "string",
      Array.from({ length: rows }, (_, i) => String(column.get(i) ?? "")),
      [rows, ...declared]
    )
  }
  const dims = resolveDims(column, declared, rows)
  const per = dims.reduce((a, b) => a * b, 1)
  const out = allocate(type, rows * per)
  if (dims.every((d) => d === 1)) {
    for (let i = 0; i < rows; i++) put(out, i, column.get(i))
  } else {
    const cell: Array<unknown> = []
    for (let i = 0; i < rows; i++) {
      cell.length = 0
      const value = column.get(i)
      flatten(value, cell)
      if (value !== null && cell.length !== per)
        throw new Error(
          `row ${i} holds ${cell.length} values where the input takes ${per} (${dims.join(" × ")}); the rows of a batch must all have one shape.`
        )
      for (let k = 0; k < per; k++) put(out, i * per + k, cell[k] ?? null)
    }
  }
  return new ort.Tensor(type as "float32", out as Float32Array, [rows, ...dims])
}

/** A param's value as a scalar tensor (`[]`), for inputs that take one value per call. */
export const paramTensor = (value: unknown, type: string): ort.Tensor => {
  if (type === "string") return new ort.Tensor("string", [String(value ?? "")], [])
  const out = allocate(type, 1)
  put(out, 0, typeof value === "boolean" ? Number(value) : value)
  return new ort.Tensor(type as "float32", out as Float32Array, [])
}
