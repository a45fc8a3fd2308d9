/**
 * Building ONNX models in JavaScript with onnx-proto: typed values, nodes with attributes, initializers
 * and the model around them. The sample models are made with it, and tests build the small graphs
 * they need (a reshape to [N, 2, 3], a 1-channel image model, a tree ensemble) the same way, so no
 * model file is ever downloaded or checked in.
 */
import onnxProto from "onnx-proto"

const { onnx } = onnxProto
const A = onnx.AttributeProto.AttributeType

/** ONNX element types by name, as onnx-proto numbers them. */
export const FLOAT = onnx.TensorProto.DataType.FLOAT
export const DOUBLE = onnx.TensorProto.DataType.DOUBLE
export const INT64 = onnx.TensorProto.DataType.INT64
export const STRING = onnx.TensorProto.DataType.STRING

/** A dimension: a fixed size, or a symbolic name such as `batch`. */
export type Dim = number | string

const tensorType = (elemType: number, dims: ReadonlyArray<Dim> | undefined) => ({
  tensorType: {
    elemType,
    ...(dims === undefined
      ? {}
      : { shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } })
  }
})

/** A graph input or output: a tensor of `elemType` with `dims` (no shape at all when omitted). */
export const value = (name: string, elemType: number, dims?: ReadonlyArray<Dim>) => ({
  name,
  type: tensorType(elemType, dims)
})

/** A float initializer (weights). */
export const floats = (name: string, dims: ReadonlyArray<number>, data: ArrayLike<number>) => ({
  name,
  dims,
  dataType: FLOAT,
  floatData: Array.from(data)
})

/** An int64 initializer (a shape for Reshape, indexes). */
export const int64s = (name: string, dims: ReadonlyArray<number>, data: ReadonlyArray<number>) => ({
  name,
  dims,
  dataType: INT64,
  int64Data: [...data]
})

export type Attribute =
  | { readonly name: string; readonly i: number }
  | { readonly name: string; readonly f: number }
  | { readonly name: string; readonly s: string }
  | { readonly name: string; readonly ints: ReadonlyArray<number> }
  | { readonly name: string; readonly floats: ReadonlyArray<number> }
  | { readonly name: string; readonly strings: ReadonlyArray<string> }

const attribute = (a: Attribute) => {
  if ("i" in a) return { name: a.name, type: A.INT, i: a.i }
  if ("f" in a) return { name: a.name, type: A.FLOAT, f: a.f }
  if ("s" in a) return { name: a.name, type: A.STRING, s: new TextEncoder().encode(a.s) }
  if ("ints" in a) return { name: a.name, type: A.INTS, ints: [...a.ints] }
  if ("floats" in a) return { name: a.name, type: A.FLOATS, floats: [...a.floats] }
  return { name: a.name, type: A.STRINGS, strings: a.strings.map((s) => new TextEncoder().encode(s)) }
}

/** One operator; `domain` is `ai.onnx.ml` for the ONNX-ML operators (trees, linear models). */
export const node = (
  opType: string,
  input: ReadonlyArray<string>,
  output: ReadonlyArray<string>,
  attributes: ReadonlyArray<Attribute> = [],
  domain = ""
) => ({
  opType,
  input: [...input],
  output: [...output],
  attribute: attributes.map(attribute),
  domain,
  name: `${opType}_${output[0]}`
})

export interface GraphParts {
  readonly nodes: ReadonlyArray<ReturnType<typeof node>>
  readonly inputs: ReadonlyArray<ReturnType<typeof value>>
  readonly outputs: ReadonlyArray<ReturnType<typeof value> | { readonly name: string; readonly type: object }>
  readonly initializers?: ReadonlyArray<ReturnType<typeof floats> | ReturnType<typeof int64s>>
  /** Import the ai.onnx.ml operator set (version 3) besides the default one (13). */
  readonly ml?: boolean
}

/** The serialised model: what `InferenceSession.create` and the onnx engine read. */
export const model = (parts: GraphParts): Uint8Array =>
  onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      producerName: "runbatch-testkit",
      opsetImport: [
        { domain: "", version: 13 },
        ...(parts.ml === true ? [{ domain: "ai.onnx.ml", version: 3 }] : [])
      ],
      graph: {
        name: "graph",
        node: parts.nodes.map((n) => onnx.NodeProto.create(n as object)),
        input: parts.inputs.map((i) => onnx.ValueInfoProto.create(i as object)),
        output: parts.outputs.map((o) => onnx.ValueInfoProto.create(o as object)),
        initializer: (parts.initializers ?? []).map((t) => onnx.TensorProto.create(t as object))
      }
    } as object)
  ).finish()
