/**
 * The element types of Snowflake model signatures (`snowflake.ml.model.DataType`), by their names on
 * the wire (`type: DOUBLE` in model.yaml). A closed set: it is Snowflake's, not a plugin extension point.
 */
import { Schema } from "effect"

export const DATA_TYPES = [
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "FLOAT",
  "DOUBLE",
  "BOOL",
  "STRING",
  "BYTES",
  "TIMESTAMP_NTZ",
  "OBJECT"
] as const

export type DataType = (typeof DATA_TYPES)[number]
export const DataType = Schema.Literals(DATA_TYPES)

export type IntegerType = "INT8" | "INT16" | "INT32" | "INT64" | "UINT8" | "UINT16" | "UINT32" | "UINT64"
export type FloatType = "FLOAT" | "DOUBLE"

interface IntegerInfo {
  readonly bits: 8 | 16 | 32 | 64
  readonly signed: boolean
  readonly min: bigint
  readonly max: bigint
}

const integer = (bits: 8 | 16 | 32 | 64, signed: boolean): IntegerInfo => ({
  bits,
  signed,
  min: signed ? -(2n ** BigInt(bits - 1)) : 0n,
  max: signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n
})

const INTEGERS: Record<IntegerType, IntegerInfo> = {
  INT8: integer(8, true),
  INT16: integer(16, true),
  INT32: integer(32, true),
  INT64: integer(64, true),
  UINT8: integer(8, false),
  UINT16: integer(16, false),
  UINT32: integer(32, false),
  UINT64: integer(64, false)
}

export const isInteger = (type: DataType): type is IntegerType => type in INTEGERS
export const isFloat = (type: DataType): type is FloatType => type === "FLOAT" || type === "DOUBLE"
export const isNumeric = (type: DataType): type is IntegerType | FloatType => isInteger(type) || isFloat(type)

/** Bit width, signedness and inclusive range of an integer type. */
export const integerInfo = (type: IntegerType): IntegerInfo => INTEGERS[type]

/** Largest finite float32, for the DOUBLE → FLOAT range check. */
export const FLOAT32_MAX = 3.4028234663852886e38

/** Whether `value` fits `type` (integers by range; floats finite-or-not by magnitude). */
export const fits = (type: IntegerType | FloatType, value: number | bigint): boolean => {
  if (type === "DOUBLE") return true
  if (type === "FLOAT") {
    const n = Number(value)
    return !Number.isFinite(n) || Math.abs(n) <= FLOAT32_MAX
  }
  const info = INTEGERS[type]
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return false
    return value >= Number(info.min) && value <= Number(info.max) && BigInt(value) <= info.max
  }
  return value >= info.min && value <= info.max
}
