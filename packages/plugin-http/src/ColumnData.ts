/**
 * Arrow column data from plain values already converted to a type (JsonColumns), built column by
 * column: Arrow's row-by-row builders cost ten times as much for the nested outputs of a chat
 * completion.
 */
import { Arrow } from "@runbatch/plugin-api"

/** Validity bits (Arrow's null bitmap) and the null count of `values`. */
const validity = (values: ReadonlyArray<unknown>) => {
  const bits = new Uint8Array((values.length + 7) >> 3)
  let nulls = 0
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nulls++
    else bits[i >> 3]! |= 1 << (i & 7)
  }
  return { nullBitmap: bits, nullCount: nulls }
}

const INT_ARRAYS = {
  8: [Int8Array, Uint8Array],
  16: [Int16Array, Uint16Array],
  32: [Int32Array, Uint32Array]
} as const

/**
 * Arrow data of `type` from converted values, built column by column (Arrow's row-by-row builders cost
 * ten times as much for the nested outputs of a chat completion).
 */
export const columnData = (type: Arrow.DataType, values: ReadonlyArray<unknown>): Arrow.Data => {
  const length = values.length
  const { nullBitmap, nullCount } = validity(values)
  const base = { length, nullCount, nullBitmap }
  if (type instanceof Arrow.Int) {
    const data =
      type.bitWidth === 64
        ? type.isSigned
          ? new BigInt64Array(length)
          : new BigUint64Array(length)
        : new INT_ARRAYS[type.bitWidth as 8 | 16 | 32][type.isSigned ? 0 : 1](length)
    for (let i = 0; i < length; i++) {
      const v = values[i]
      if (v !== null && v !== undefined) data[i] = v as never
    }
    return Arrow.makeData({ type, ...base, data } as never)
  }
  if (type instanceof Arrow.Float) {
    const data =
      type.precision === Arrow.Precision.SINGLE ? new Float32Array(length) : new Float64Array(length)
    for (let i = 0; i < length; i++) {
      const v = values[i]
      if (v !== null && v !== undefined) data[i] = v as number
    }
    return Arrow.makeData({ type, ...base, data } as never)
  }
  if (type instanceof Arrow.Bool) {
    const data = new Uint8Array((length + 7) >> 3)
    for (let i = 0; i < length; i++) if (values[i] === true) data[i >> 3]! |= 1 << (i & 7)
    return Arrow.makeData({ type, ...base, data })
  }
  if (type instanceof Arrow.Utf8 || type instanceof Arrow.Binary) {
    const valueOffsets = new Int32Array(length + 1)
    const parts: Array<Uint8Array> = []
    let bytes = 0
    for (let i = 0; i < length; i++) {
      const v = values[i]
      // Each string on its own: joined first, lone surrogates of neighbours would pair up and the
      // offsets (per value) would no longer match the bytes.
      const part = typeof v === "string" ? Buffer.from(v, "utf8") : v instanceof Uint8Array ? v : undefined
      if (part !== undefined) {
        parts.push(part)
        bytes += part.byteLength
      }
      valueOffsets[i + 1] = bytes
    }
    const data = new Uint8Array(Buffer.concat(parts, bytes))
    return Arrow.makeData({ type, ...base, valueOffsets, data } as never)
  }
  if (type instanceof Arrow.Timestamp && type.unit !== Arrow.TimeUnit.SECOND) {
    const scale =
      type.unit === Arrow.TimeUnit.MILLISECOND ? 1 : type.unit === Arrow.TimeUnit.MICROSECOND ? 1e3 : 1e6
    const data = new BigInt64Array(length)
    for (let i = 0; i < length; i++) {
      const v = values[i]
      if (typeof v === "number") data[i] = BigInt(Math.round(v * scale))
    }
    return Arrow.makeData({ type, ...base, data } as never)
  }
  if (type instanceof Arrow.List) {
    const valueOffsets = new Int32Array(length + 1)
    const items: Array<unknown> = []
    for (let i = 0; i < length; i++) {
      const v = values[i]
      if (Array.isArray(v)) for (const item of v) items.push(item)
      valueOffsets[i + 1] = items.length
    }
    const child = columnData(type.children[0]!.type as Arrow.DataType, items)
    return Arrow.makeData({ type, ...base, valueOffsets, child })
  }
  if (type instanceof Arrow.Struct) {
    const children = type.children.map((field) =>
      columnData(
        field.type as Arrow.DataType,
        values.map((v) => (v === null || v === undefined ? null : (v as Record<string, unknown>)[field.name]))
      )
    )
    return Arrow.makeData({ type, ...base, children })
  }
  return Arrow.vectorFromArray(values as Array<unknown>, type).data[0]!
}
