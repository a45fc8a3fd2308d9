/**
 * Turning an input column into the feature the engine expects: the exact Arrow type of the feature's
 * DataType for scalar numbers and booleans (a widening cast, or a narrowing one checked value by value),
 * and the declared length for fixed-size lists fed by ragged ones. Columns already of the right type are
 * passed through without copying.
 */
import { ArrowTypes, DataType, type Signature, type TypeCompatibility } from "@runbatch/spec"
import * as Arrow from "apache-arrow"

export interface CellError {
  readonly row: number
  readonly message: string
}

export interface PreparedColumn {
  readonly vector: Arrow.Vector
  readonly errors: ReadonlyArray<CellError>
}

type NumericType = DataType.IntegerType | DataType.FloatType

const arrowType = (dtype: NumericType | "BOOL"): Arrow.DataType => ArrowTypes.scalarType(dtype)

/** The Arrow type a scalar feature of this DataType is handed to engines as, where one is fixed. */
export const arrowTypeOf = (dtype: DataType.DataType): Arrow.DataType | undefined =>
  DataType.isNumeric(dtype) || dtype === "BOOL" ? arrowType(dtype) : undefined

const sameType = (a: Arrow.DataType, b: Arrow.DataType): boolean => Arrow.util.compareTypes(a, b)

const TypedArrays = {
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  FLOAT: Float32Array,
  DOUBLE: Float64Array
} as const

/** Cast a numeric column, checking ranges when the target is narrower. */
const castNumeric = (
  vector: Arrow.Vector,
  target: NumericType,
  check: boolean,
  describe: (value: unknown) => string
): PreparedColumn => {
  const length = vector.length
  const errors: Array<CellError> = []
  const data = vector.data[0]
  const nullBitmap = vector.nullCount > 0 && data !== undefined ? data.nullBitmap : undefined
  const values = vector.toArray() as ArrayLike<number | bigint>
  let out:
    | Int8Array
    | Int16Array
    | Int32Array
    | Uint8Array
    | Uint16Array
    | Uint32Array
    | Float32Array
    | Float64Array
    | BigInt64Array
    | BigUint64Array
  if (target === "INT64" || target === "UINT64") {
    out = target === "INT64" ? new BigInt64Array(length) : new BigUint64Array(length)
    for (let i = 0; i < length; i++) {
      if (!vector.isValid(i)) continue
      const v = values[i]!
      if (typeof v === "number" && !Number.isInteger(v)) {
        errors.push({ row: i, message: describe(v) })
        continue
      }
      const big = typeof v === "bigint" ? v : BigInt(v)
      if (check && !DataType.fits(target, big)) errors.push({ row: i, message: describe(v) })
      else out[i] = big as never
    }
  } else {
    out = new TypedArrays[target](length)
    for (let i = 0; i < length; i++) {
      if (!vector.isValid(i)) continue
      const v = values[i]!
      if (check && !DataType.fits(target, v)) errors.push({ row: i, message: describe(v) })
      else out[i] = Number(v)
    }
  }
  const result = Arrow.makeData({
    type: arrowType(target) as Arrow.DataType,
    length,
    nullCount: vector.nullCount,
    ...(nullBitmap === undefined ? {} : { nullBitmap }),
    data: out
  } as never)
  return { vector: Arrow.makeVector(result as Arrow.Data), errors }
}

/** Check fixed list lengths of a ragged column feeding a `[n]` feature. */
const checkLengths = (
  vector: Arrow.Vector,
  feature: Signature.FeatureSpec,
  column: string
): Array<CellError> => {
  const want = feature.shape?.[0]
  if (want === undefined || want === -1) return []
  const errors: Array<CellError> = []
  for (let i = 0; i < vector.length; i++) {
    const value = vector.get(i) as { readonly length: number } | null
    if (value !== null && value.length !== want) {
      errors.push({
        row: i,
        message: `the list in column "${column}" has ${value.length} values; the feature "${feature.name}" needs ${want}.`
      })
    }
  }
  return errors
}

/**
 * The column as the feature wants it. `compatibility` is the plan's verdict for the pair (plan time
 * already refused what cannot work).
 */
export const prepare = (
  vector: Arrow.Vector,
  feature: Signature.Feature,
  column: string,
  compatibility: TypeCompatibility.Compatibility
): PreparedColumn => {
  if ("specs" in feature) return { vector, errors: [] }
  const checks = compatibility.kind === "checked" ? compatibility.checks : []
  if (feature.shape !== undefined) {
    return { vector, errors: checks.includes("length") ? checkLengths(vector, feature, column) : [] }
  }
  const target = feature.dtype
  if (!(DataType.isNumeric(target) || target === "BOOL")) return { vector, errors: [] }
  const wanted = arrowType(target)
  if (sameType(vector.type, wanted)) return { vector, errors: [] }
  if (target === "BOOL") return { vector, errors: [] }
  return castNumeric(
    vector,
    target,
    checks.includes("range"),
    (value) =>
      `the value ${String(value)} in column "${column}" does not fit the feature "${feature.name}" (${target}).`
  )
}
