/**
 * Model signatures, as Snowflake's model registry stores them in `model.yaml` (`signatures:`):
 * FeatureSpec (a typed scalar, fixed or ragged list, or tensor), FeatureGroupSpec (a struct, or a list
 * of structs), ParamSpec and ParamGroupSpec (inference params and dict params), and ModelSignature.
 *
 * TypeScript uses camelCase (`defaultValue`); the wire form (`toWire` / `fromWire`) is Snowflake's
 * exactly: `{name, type, nullable, shape}` for features, `{name, dtype, default_value, shape}` for params,
 * groups recognised by their `specs` key, `nullable` defaulting to false when absent (old manifests).
 */
import { Effect, Schema } from "effect"
import { DataType } from "./DataType.ts"
import { InvalidSignature } from "./errors/SignatureErrors.ts"
import { checkParamValue } from "./ParamValue.ts"

/** `undefined` is a scalar; `[n]` a list of n, `[-1]` a ragged list, `[d1, d2, …]` a tensor. */
export type Shape = ReadonlyArray<number>

export interface FeatureSpec {
  readonly name: string
  readonly dtype: DataType
  readonly shape?: Shape
  readonly nullable: boolean
}

export interface FeatureGroupSpec {
  readonly name: string
  readonly specs: ReadonlyArray<Feature>
  readonly shape?: Shape
}

export type Feature = FeatureSpec | FeatureGroupSpec

export interface ParamSpec {
  readonly name: string
  readonly dtype: DataType
  /** `null` means the param has no default. */
  readonly defaultValue: unknown
  readonly shape?: Shape
}

export interface ParamGroupSpec {
  readonly name: string
  readonly specs: ReadonlyArray<Param>
  readonly shape?: Shape
  /** When absent the default is built from the children's defaults. */
  readonly defaultValue?: unknown
}

export type Param = ParamSpec | ParamGroupSpec

export interface ModelSignature {
  readonly inputs: ReadonlyArray<Feature>
  readonly outputs: ReadonlyArray<Feature>
  readonly params: ReadonlyArray<Param>
}

export const isGroup = (feature: Feature): feature is FeatureGroupSpec => "specs" in feature
export const isParamGroup = (param: Param): param is ParamGroupSpec => "specs" in param

// ---------------------------------------------------------------------------------------------------
// Constructors

export const feature = (
  name: string,
  dtype: DataType,
  options: { readonly shape?: Shape; readonly nullable?: boolean } = {}
): FeatureSpec => ({
  name,
  dtype,
  ...(options.shape === undefined ? {} : { shape: options.shape }),
  nullable: options.nullable ?? true
})

export const group = (
  name: string,
  specs: ReadonlyArray<Feature>,
  options: { readonly shape?: Shape } = {}
): FeatureGroupSpec => ({ name, specs, ...(options.shape === undefined ? {} : { shape: options.shape }) })

export const param = (
  name: string,
  dtype: DataType,
  defaultValue: unknown,
  options: { readonly shape?: Shape } = {}
): ParamSpec => ({
  name,
  dtype,
  defaultValue,
  ...(options.shape === undefined ? {} : { shape: options.shape })
})

export const paramGroup = (
  name: string,
  specs: ReadonlyArray<Param>,
  options: { readonly shape?: Shape; readonly defaultValue?: unknown } = {}
): ParamGroupSpec => ({
  name,
  specs,
  ...(options.shape === undefined ? {} : { shape: options.shape }),
  ...(options.defaultValue === undefined ? {} : { defaultValue: options.defaultValue })
})

export const signature = (
  inputs: ReadonlyArray<Feature>,
  outputs: ReadonlyArray<Feature>,
  params: ReadonlyArray<Param> = []
): ModelSignature => ({ inputs, outputs, params })

// ---------------------------------------------------------------------------------------------------
// Defaults and display

/** The default of a param: explicit, or for groups built from the children (shaped groups repeat it). */
export const defaultOf = (p: Param): unknown => {
  if (!isParamGroup(p)) return p.defaultValue
  if (p.defaultValue !== undefined && p.defaultValue !== null) return p.defaultValue
  const base = Object.fromEntries(p.specs.map((child) => [child.name, defaultOf(child)]))
  const wrap = (dims: ReadonlyArray<number>): unknown =>
    dims.length === 0
      ? base
      : dims[0] === -1
        ? []
        : Array.from({ length: dims[0]! }, () => wrap(dims.slice(1)))
  return p.shape === undefined ? base : wrap(p.shape)
}

const shapeText = (shape: Shape | undefined): string => (shape === undefined ? "" : `[${shape.join(", ")}]`)

/** `DOUBLE`, `FLOAT[3]`, `STRUCT<a: INT64, b: STRING>[-1]`: how errors and listings show a type. */
export const describeType = (f: Feature): string =>
  isGroup(f)
    ? `STRUCT<${f.specs.map((s) => `${s.name}: ${describeType(s)}`).join(", ")}>${shapeText(f.shape)}`
    : `${f.dtype}${shapeText(f.shape)}`

// ---------------------------------------------------------------------------------------------------
// Validation

const invalid = (reason: string, path?: string) =>
  Effect.fail(new InvalidSignature(path === undefined ? { reason } : { reason, path }))

const checkShape = (shape: Shape | undefined, path: string): Effect.Effect<void, InvalidSignature> => {
  if (shape === undefined) return Effect.void
  if (shape.length === 0) return invalid("a shape needs at least one dimension; omit it for a scalar.", path)
  for (const dim of shape) {
    if (!Number.isInteger(dim) || (dim < 1 && dim !== -1)) {
      return invalid(`shape dimensions are positive integers or -1 (any length), got ${dim}.`, path)
    }
  }
  return Effect.void
}

const checkNamesUnique = (
  names: ReadonlyArray<string>,
  what: string,
  path: string
): Effect.Effect<void, InvalidSignature> => {
  const seen = new Map<string, string>()
  for (const name of names) {
    if (name.length === 0) return invalid(`${what} names cannot be empty.`, path)
    const previous = seen.get(name.toUpperCase())
    if (previous !== undefined) {
      return invalid(
        `duplicate ${what} name "${name}"${previous === name ? "" : ` (also "${previous}")`}; names are compared case-insensitively.`,
        path
      )
    }
    seen.set(name.toUpperCase(), name)
  }
  return Effect.void
}

const checkFeatures = (
  features: ReadonlyArray<Feature>,
  path: string
): Effect.Effect<void, InvalidSignature> =>
  Effect.gen(function* () {
    yield* checkNamesUnique(
      features.map((f) => f.name),
      "feature",
      path
    )
    for (const f of features) {
      const here = `${path}.${f.name}`
      yield* checkShape(f.shape, here)
      if (isGroup(f)) {
        if (f.specs.length === 0) return yield* invalid("No children feature specs.", here)
        yield* checkFeatures(f.specs, here)
      }
    }
  })

const checkParams = (params: ReadonlyArray<Param>, path: string): Effect.Effect<void, InvalidSignature> =>
  Effect.gen(function* () {
    yield* checkNamesUnique(
      params.map((p) => p.name),
      "parameter",
      path
    )
    for (const p of params) {
      const here = `${path}.${p.name}`
      yield* checkShape(p.shape, here)
      if (isParamGroup(p)) {
        if (p.specs.length === 0) return yield* invalid("No children param specs.", here)
        yield* checkParams(p.specs, here)
      }
      if (p.defaultValue !== undefined && p.defaultValue !== null) {
        yield* checkParamValue(p, p.defaultValue, p.name).pipe(
          Effect.mapError((e) => new InvalidSignature({ reason: `default value: ${e.reason}`, path: here }))
        )
      }
    }
  })

/** Check a signature the way Snowflake does when a model is logged, plus duplicate feature names. */
export const validate = (
  sig: ModelSignature,
  method = "signature"
): Effect.Effect<ModelSignature, InvalidSignature> =>
  Effect.gen(function* () {
    if (sig.inputs.length === 0) return yield* invalid("a signature needs at least one input.", method)
    if (sig.outputs.length === 0) return yield* invalid("a signature needs at least one output.", method)
    yield* checkFeatures(sig.inputs, `${method}.inputs`)
    yield* checkFeatures(sig.outputs, `${method}.outputs`)
    yield* checkParams(sig.params, `${method}.params`)
    const inputNames = new Set(sig.inputs.map((f) => f.name.toUpperCase()))
    const collisions = sig.params.filter((p) => inputNames.has(p.name.toUpperCase())).map((p) => p.name)
    if (collisions.length > 0) {
      return yield* invalid(
        `Found parameter(s) with the same name as input feature(s): ${collisions.join(", ")}. Parameters and inputs must have distinct names (case-insensitive).`,
        `${method}.params`
      )
    }
    return sig
  })

// ---------------------------------------------------------------------------------------------------
// Wire form (model.yaml)

export interface FeatureSpecWire {
  readonly name: string
  readonly type: DataType
  readonly nullable?: boolean
  readonly shape?: ReadonlyArray<number>
}
export interface FeatureGroupSpecWire {
  readonly name: string
  readonly specs: ReadonlyArray<FeatureWire>
  readonly shape?: ReadonlyArray<number>
}
export type FeatureWire = FeatureSpecWire | FeatureGroupSpecWire

export interface ParamSpecWire {
  readonly name: string
  readonly dtype: DataType
  readonly default_value?: unknown
  readonly shape?: ReadonlyArray<number>
}
export interface ParamGroupSpecWire {
  readonly name: string
  readonly specs: ReadonlyArray<ParamWire>
  readonly shape?: ReadonlyArray<number>
  readonly default_value?: unknown
}
export type ParamWire = ParamSpecWire | ParamGroupSpecWire

export interface ModelSignatureWire {
  readonly inputs: ReadonlyArray<FeatureWire>
  readonly outputs: ReadonlyArray<FeatureWire>
  readonly params?: ReadonlyArray<ParamWire>
}

// Each entry is decoded by its own kind, told apart by a `specs` key as Snowflake's from_dict does, so
// an error names the one thing wrong ("inputs[2].type") instead of every union member's complaint.
const ShapeWire = Schema.optionalKey(Schema.Array(Schema.Int))
const FeatureSpecEntry = Schema.Struct({
  name: Schema.String,
  type: DataType,
  nullable: Schema.optionalKey(Schema.Boolean),
  shape: ShapeWire
})
const GroupEntry = Schema.Struct({
  name: Schema.String,
  specs: Schema.Array(Schema.Unknown),
  shape: ShapeWire,
  default_value: Schema.optionalKey(Schema.Unknown)
})
const ParamSpecEntry = Schema.Struct({
  name: Schema.String,
  dtype: DataType,
  default_value: Schema.optionalKey(Schema.Unknown),
  shape: ShapeWire
})
const SignatureEntry = Schema.Struct({
  inputs: Schema.Array(Schema.Unknown),
  outputs: Schema.Array(Schema.Unknown),
  params: Schema.optionalKey(Schema.Array(Schema.Unknown))
})

const decodeEntry = <A>(
  schema: Schema.Decoder<A>,
  input: unknown,
  path: string
): Effect.Effect<A, InvalidSignature> =>
  Schema.decodeUnknownEffect(schema)(input, { errors: "all" }).pipe(
    Effect.mapError(
      (error) =>
        new InvalidSignature({
          reason: error.message.replace(/\n\s*at /g, " at ").replace(/\n/g, "; "),
          path
        })
    )
  )

const hasSpecs = (input: unknown): boolean => typeof input === "object" && input !== null && "specs" in input

const decodeFeature = (input: unknown, path: string): Effect.Effect<FeatureWire, InvalidSignature> =>
  hasSpecs(input)
    ? Effect.gen(function* () {
        const entry = yield* decodeEntry(GroupEntry, input, path)
        const specs: Array<FeatureWire> = []
        for (const [i, child] of entry.specs.entries())
          specs.push(yield* decodeFeature(child, `${path}.specs[${i}]`))
        return { name: entry.name, specs, ...(entry.shape === undefined ? {} : { shape: entry.shape }) }
      })
    : decodeEntry(FeatureSpecEntry, input, path)

const decodeParam = (input: unknown, path: string): Effect.Effect<ParamWire, InvalidSignature> =>
  hasSpecs(input)
    ? Effect.gen(function* () {
        const entry = yield* decodeEntry(GroupEntry, input, path)
        const specs: Array<ParamWire> = []
        for (const [i, child] of entry.specs.entries())
          specs.push(yield* decodeParam(child, `${path}.specs[${i}]`))
        return {
          name: entry.name,
          specs,
          ...(entry.shape === undefined ? {} : { shape: entry.shape }),
          ...(entry.default_value === undefined ? {} : { default_value: entry.default_value })
        }
      })
    : decodeEntry(ParamSpecEntry, input, path)

const shapeFromWire = (shape: ReadonlyArray<number> | undefined) =>
  shape === undefined || shape.length === 0 ? {} : { shape }

const featureFromWire = (f: FeatureWire): Feature =>
  "specs" in f
    ? { name: f.name, specs: f.specs.map(featureFromWire), ...shapeFromWire(f.shape) }
    : { name: f.name, dtype: f.type, ...shapeFromWire(f.shape), nullable: f.nullable ?? false }

const paramFromWire = (p: ParamWire): Param =>
  "specs" in p
    ? {
        name: p.name,
        specs: p.specs.map(paramFromWire),
        ...shapeFromWire(p.shape),
        ...(p.default_value === undefined || p.default_value === null
          ? {}
          : { defaultValue: p.default_value })
      }
    : { name: p.name, dtype: p.dtype, defaultValue: p.default_value ?? null, ...shapeFromWire(p.shape) }

// Keys in the order PyYAML's safe_dump writes them (sorted), so files diff cleanly against Snowflake's.
export const featureToWire = (f: Feature): FeatureWire =>
  isGroup(f)
    ? {
        name: f.name,
        ...(f.shape === undefined ? {} : { shape: f.shape }),
        specs: f.specs.map(featureToWire)
      }
    : {
        name: f.name,
        nullable: f.nullable,
        ...(f.shape === undefined ? {} : { shape: f.shape }),
        type: f.dtype
      }

const paramToWire = (p: Param): ParamWire =>
  isParamGroup(p)
    ? {
        // A null group default means "built from the fields" like no default, and reads back as none.
        ...(p.defaultValue === undefined || p.defaultValue === null ? {} : { default_value: p.defaultValue }),
        name: p.name,
        ...(p.shape === undefined ? {} : { shape: p.shape }),
        specs: p.specs.map(paramToWire)
      }
    : {
        default_value: p.defaultValue ?? null,
        dtype: p.dtype,
        name: p.name,
        ...(p.shape === undefined ? {} : { shape: p.shape })
      }

/** Snowflake's `ModelSignature.to_dict()`. */
export const toWire = (sig: ModelSignature): ModelSignatureWire => ({
  inputs: sig.inputs.map(featureToWire),
  outputs: sig.outputs.map(featureToWire),
  params: sig.params.map(paramToWire)
})

/** Snowflake's `ModelSignature.from_dict()`, then `validate`. */
export const fromWire = (
  input: unknown,
  method = "signature"
): Effect.Effect<ModelSignature, InvalidSignature> =>
  Effect.gen(function* () {
    const entry = yield* decodeEntry(SignatureEntry, input, method)
    const inputs: Array<Feature> = []
    const outputs: Array<Feature> = []
    const params: Array<Param> = []
    for (const [i, f] of entry.inputs.entries())
      inputs.push(featureFromWire(yield* decodeFeature(f, `${method}.inputs[${i}]`)))
    for (const [i, f] of entry.outputs.entries())
      outputs.push(featureFromWire(yield* decodeFeature(f, `${method}.outputs[${i}]`)))
    for (const [i, p] of (entry.params ?? []).entries())
      params.push(paramFromWire(yield* decodeParam(p, `${method}.params[${i}]`)))
    return yield* validate({ inputs, outputs, params }, method)
  })

/** Decode a list of features (an input schema, an output schema) from the wire form. */
export const featuresFromWire = (
  input: ReadonlyArray<unknown>,
  path: string
): Effect.Effect<Array<Feature>, InvalidSignature> =>
  Effect.gen(function* () {
    const features: Array<Feature> = []
    for (const [i, f] of input.entries())
      features.push(featureFromWire(yield* decodeFeature(f, `${path}[${i}]`)))
    yield* checkFeatures(features, path)
    return features
  })

/** Find a feature by name, case-insensitively (how columns, params and outputs are matched). */
export const findByName = <A extends { readonly name: string }>(
  items: ReadonlyArray<A>,
  name: string
): A | undefined => items.find((item) => item.name.toUpperCase() === name.toUpperCase())
