/**
 * onnxruntime tensors to Arrow output columns, as the signature types them: a `[batch]` or `[batch, 1]`
 * tensor is a scalar column, `[batch, k]` a list column (sharing the tensor's buffer), and two
 * postprocessing steps: argmax (a label from a labels file, or the class index) and CTC greedy decoding
 * (text from a vocabulary file, for recognition models such as PP-OCR).
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

/** `[rows, k]` values as a list column of k values per row. */
const listColumn = (data: TensorData, rows: number, feature: Signature.FeatureSpec): Arrow.Vector => {
  const type = ArrowTypes.featureType(feature) as Arrow.List
  const itemType = type.children[0]!.type as Arrow.DataType
  const per = rows === 0 ? 0 : data.length / rows
  const values = asTypeOf(data, itemType)
  const child = Array.isArray(values)
    ? Arrow.vectorFromArray(values as Array<string>, new Arrow.Utf8()).data[0]!
    : Arrow.makeData({ type: itemType as Arrow.Float32, length: values.length, data: values as Float32Array })
  const valueOffsets = Int32Array.from({ length: rows + 1 }, (_, i) => i * per)
  return Arrow.makeVector(Arrow.makeData({ type, length: rows, valueOffsets, child }))
}

export const tensorColumn = (
  tensor: ort.Tensor,
  feature: Signature.FeatureSpec,
  rows: number
): Arrow.Vector => {
  const data = dataOf(tensor)
  return feature.shape === undefined ? scalarColumn(data, feature) : listColumn(data, rows, feature)
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
