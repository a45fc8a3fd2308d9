/**
 * onnxruntime tensors to Arrow output columns, as the signature types them: a `[batch]` or `[batch, 1]`
 * tensor is a scalar column, `[batch, d1, …, dk]` a list column nested k deep (sharing the tensor's
 * buffer, so a 4-D probability map costs no copy), and two postprocessing steps: argmax (a label from
 * a labels file, or the class index) and CTC greedy decoding (text from a vocabulary file, for
 * recognition models such as PP-OCR).
 */
import { Arrow } from "@runbatch/plugin-api"
import { ArrowTypes, type Signature } from "@runbatch/spec"
import type * as ort from "onnxruntime-node"

type TensorData =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | ReadonlyArray<string>

const dataOf = (tensor: ort.Tensor): TensorData => tensor.data as TensorData

/** Values of `data` converted for an Arrow type, when the tensor's element type differs. */
const asTypeOf = (data: TensorData, type: Arrow.DataType): TensorData => {
  if (Arrow.DataType.isFloat(type)) {
    const double = (type as Arrow.Float).precision === Arrow.Precision.DOUBLE
    if (double ? data instanceof Float64Array : data instanceof Float32Array) return data
    const numbers = Array.from(data as ArrayLike<number | bigint>, (v) => Number(v))
    return double ? Float64Array.from(numbers) : Float32Array.from(numbers)
  }
  if (Arrow.DataType.isInt(type)) {
    const int = type as Arrow.Int
    if (int.bitWidth === 64)
      return data instanceof BigInt64Array
        ? data
        : BigInt64Array.from(data as ArrayLike<number>, (v) => BigInt(Math.trunc(Number(v))))
    if (int.bitWidth === 32 && int.isSigned)
      return data instanceof Int32Array
        ? data
        : Int32Array.from(data as ArrayLike<number | bigint>, (v) => Number(v))
  }
  return data
}

const scalarColumn = (data: TensorData, feature: Signature.FeatureSpec): Arrow.Vector => {
  const type = ArrowTypes.scalarType(feature.dtype)
  if (Array.isArray(data)) return Arrow.vectorFromArray(data as Array<string>, new Arrow.Utf8())
  const values = asTypeOf(data, type)
  if (Arrow.DataType.isBool(type))
    return Arrow.vectorFromArray(
      Array.from(values as Uint8Array, (v) => v !== 0),
      new Arrow.Bool()
    )
  return Arrow.makeVector(values as Float32Array)
}

/** The leaf values of a tensor as one Arrow column of `type` (no nulls: tensors have none). */
const leafData = (data: TensorData, type: Arrow.DataType): Arrow.Data => {
  const values = asTypeOf(data, type)
  if (Array.isArray(values)) return Arrow.vectorFromArray(values as Array<string>, new Arrow.Utf8()).data[0]!
  if (Arrow.DataType.isBool(type))
    return Arrow.vectorFromArray(
      Array.from(values as Uint8Array, (v) => v !== 0),
      new Arrow.Bool()
    ).data[0]!
  return Arrow.makeData({ type: type as Arrow.Float32, length: values.length, data: values as Float32Array })
}

/** The list types of a feature from the outermost in, and the scalar type at the bottom. */
const listLevels = (type: Arrow.DataType) => {
  const lists: Array<Arrow.List> = []
  let leaf = type
  while (Arrow.DataType.isList(leaf)) {
    lists.push(leaf as Arrow.List)
    leaf = (leaf as Arrow.List).children[0]!.type as Arrow.DataType
  }
  return { lists, leaf }
}

/**
 * `[rows, d1, …, dk]` values as k nested list levels, sharing the tensor's buffer: row i holds a
 * d1 × … × dk array, as a `shape: [d1, …, dk]` feature (with -1 for sizes the graph decides) expects.
 */
const nestedListColumn = (
  data: TensorData,
  dims: ReadonlyArray<number>,
  feature: Signature.FeatureSpec
): Arrow.Vector => {
  const { lists, leaf } = listLevels(ArrowTypes.featureType(feature))
  let child = leafData(data, leaf)
  for (let level = lists.length - 1; level >= 0; level--) {
    // Level 0 holds one list per row, level 1 one per row and first index, and so on.
    const count = dims.slice(0, level + 1).reduce((a, b) => a * b, 1)
    const per = dims[level + 1]!
    child = Arrow.makeData({
      type: lists[level]!,
      length: count,
      nullCount: 0,
      valueOffsets: Int32Array.from({ length: count + 1 }, (_, i) => i * per),
      child
    })
  }
  return Arrow.makeVector(child)
}

/**
 * Why a tensor cannot fill a feature's column (its rank, or a size the signature fixes), or undefined
 * when it can. The plan-time check knows only the graph's declared shapes, which may be symbolic.
 */
export const rowShapeProblem = (
  tensor: ort.Tensor,
  feature: Signature.FeatureSpec,
  rows: number
): string | undefined => {
  const dims = tensor.dims
  const shape = feature.shape
  const describe = `the ONNX output of [${dims.join(", ")}] for "${feature.name}"`
  if (dims[0] !== rows && !(rows === 0 && dims.length === 0))
    return `${describe} has ${dims[0] ?? 1} rows for a batch of ${rows}.`
  if (shape === undefined)
    return dims.length === 1 || (dims.length === 2 && dims[1] === 1)
      ? undefined
      : `${describe} holds several values per row, and the output is a scalar (declare its shape).`
  if (dims.length !== shape.length + 1)
    return `${describe} has ${dims.length - 1} dimension(s) per row, and the output's shape [${shape.join(", ")}] has ${shape.length}.`
  const wrong = shape.findIndex((want, i) => want !== -1 && want !== dims[i + 1])
  return wrong === -1
    ? undefined
    : `${describe} has ${dims[wrong + 1]} values in dimension ${wrong + 1} per row, and the output's shape [${shape.join(", ")}] fixes ${shape[wrong]}.`
}

/** The column of one output feature; check `rowShapeProblem` first. */
export const tensorColumn = (
  tensor: ort.Tensor,
  feature: Signature.FeatureSpec,
  rows: number
): Arrow.Vector => {
  const data = dataOf(tensor)
  return feature.shape === undefined
    ? scalarColumn(data, feature)
    : nestedListColumn(data, [rows, ...tensor.dims.slice(1)], feature)
}

/** A struct column from its fields' columns (every row present: tensors have no nulls). */
export const structColumn = (
  feature: Signature.FeatureGroupSpec,
  children: ReadonlyArray<Arrow.Data>,
  rows: number
): Arrow.Data =>
  Arrow.makeData({
    type: ArrowTypes.featureType(feature) as Arrow.Struct,
    length: rows,
    nullCount: 0,
    children: [...children]
  })

/** Index of the largest of `length` values starting at `offset`. */
const argmaxAt = (data: ArrayLike<number>, offset: number, length: number): number => {
  let best = 0
  for (let k = 1; k < length; k++) if (data[offset + k]! > data[offset + best]!) best = k
  return best
}

export const argmaxColumn = (
  tensor: ort.Tensor,
  rows: number,
  labels: ReadonlyArray<string> | undefined
): Arrow.Vector => {
  const data = dataOf(tensor) as Float32Array
  const classes = rows === 0 ? 0 : data.length / rows
  const indexes = Array.from({ length: rows }, (_, i) => argmaxAt(data, i * classes, classes))
  return labels === undefined
    ? Arrow.makeVector(BigInt64Array.from(indexes, (i) => BigInt(i)))
    : Arrow.vectorFromArray(
        indexes.map((i) => labels[i] ?? String(i)),
        new Arrow.Utf8()
      )
}

/**
 * CTC greedy decoding of `[rows, steps, classes]`: the best class at each step, repeats collapsed,
 * blanks dropped. `vocabulary[i]` is the character of class i (class `blank` is the blank).
 */
export const ctcColumn = (
  tensor: ort.Tensor,
  vocabulary: ReadonlyArray<string>,
  blank: number
): Arrow.Vector => {
  const [rows, steps, classes] = tensor.dims as [number, number, number]
  const data = dataOf(tensor) as Float32Array
  const texts: Array<string> = []
  for (let r = 0; r < rows; r++) {
    let text = ""
    let previous = -1
    for (let t = 0; t < steps; t++) {
      const best = argmaxAt(data, (r * steps + t) * classes, classes)
      if (best !== previous && best !== blank) text += vocabulary[best] ?? ""
      previous = best
    }
    texts.push(text)
  }
  return Arrow.vectorFromArray(texts, new Arrow.Utf8())
}

/** A vocabulary file as CTC classes: the blank first, one class per line, then a space if asked. */
export const vocabularyOf = (text: string, appendSpace: boolean): Array<string> => {
  const lines = text.replace(/\r/g, "").split("\n")
  if (lines.at(-1) === "") lines.pop()
  return ["", ...lines, ...(appendSpace ? [" "] : [])]
}

export const labelsOf = (text: string): Array<string> => {
  const lines = text.replace(/\r/g, "").split("\n")
  if (lines.at(-1) === "") lines.pop()
  return lines
}
