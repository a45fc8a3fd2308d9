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

export const describeShape = (shape: ReadonlyArray<number | string> | undefined) =>
  `[${(shape ?? []).join(", ")}]`

export const findFeature = (features: ReadonlyArray<Signature.Feature>, name: string) =>
  features.find((f) => f.name.toUpperCase() === name.toUpperCase())
