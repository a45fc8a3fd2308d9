/**
 * A graph's input or output as the engine reads it from onnxruntime (name, element type, declared
 * shape with symbolic sizes as names), and what binding inputs and outputs to features shares: how a
 * shape is written in messages, which element types are numbers, and the plan-time refusal.
 */
import { EnginePrepareError, type Signature } from "@runbatch/spec"
import { Effect } from "effect"

export interface TensorMeta {
  readonly name: string
  readonly isTensor: boolean
  readonly type?: string
  readonly shape?: ReadonlyArray<number | string>
}

/**
 * A graph's input or output as onnxruntime reports it, sizes that are not positive (`-1` or `0`, as
 * some exporters write "unknown") read as symbolic, like a `None` (`""`) or a named size.
 */
export const tensorMeta = (metadata: {
  readonly name: string
  readonly isTensor: boolean
  readonly type?: string
  readonly shape?: ReadonlyArray<number | string>
}): TensorMeta => ({
  ...metadata,
  ...(metadata.shape === undefined
    ? {}
    : { shape: metadata.shape.map((d) => (typeof d === "number" && d <= 0 ? "?" : d)) })
})

export const fail = (reason: string, fix?: string) =>
  Effect.fail(new EnginePrepareError({ engine: "onnx", reason, ...(fix === undefined ? {} : { fix }) }))

export const NUMERIC_ONNX = new Set([
  "float32",
  "float64",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint8",
  "uint16",
  "uint32",
  "uint64"
])

/** A shape as messages write it; a size exported as `None` shows as `?`. */
export const describeShape = (shape: ReadonlyArray<number | string> | undefined) =>
  `[${(shape ?? []).map((d) => (d === "" ? "?" : d)).join(", ")}]`

export const findFeature = (features: ReadonlyArray<Signature.Feature>, name: string) =>
  features.find((f) => f.name.toUpperCase() === name.toUpperCase())

/**
 * The dimension of a declared shape that holds the rows: the one `batch_axis` names; else the first
 * when it is symbolic (`batch`, `N`, `p2o.DynamicDimension.0`) or a batch of one (`[1, seq, 10]`
 * exported without dynamic_axes); else the first symbolic one (`[4, batch]`, `[2, batch, 64]`).
 */
export const rowsAxis = (meta: TensorMeta, batchAxis: Readonly<Record<string, number>> | undefined) => {
  const named = batchAxis?.[meta.name]
  if (named !== undefined) return named
  const shape = meta.shape ?? []
  if (shape.length === 0 || typeof shape[0] !== "number" || shape[0] === 1) return 0
  const symbolic = shape.findIndex((d) => typeof d !== "number")
  return symbolic === -1 ? 0 : symbolic
}

/** A declared shape without its rows' dimension: what one row holds. */
export const perRow = (meta: TensorMeta, axis: number) => (meta.shape ?? []).filter((_, i) => i !== axis)
