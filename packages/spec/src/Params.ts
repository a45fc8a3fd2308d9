/**
 * Inference params (`InputSpec.params`) against the target method's ParamSpecs, with every rule of the
 * original (`param_ops.validate_params` / `resolve_params`): names are case-insensitive, duplicates by
 * case and unknown names are refused, values are strictly typed, and resolution fills defaults, uses the
 * signature's canonical casing and deep-merges partial dict overrides into group defaults.
 */
import { Effect } from "effect"
import {
  DuplicateParams,
  type InvalidParamValue,
  ParamsNotAccepted,
  UnknownParams
} from "./errors/ParamErrors.ts"
import { didYouMean } from "./internal/closest.ts"
import { checkParamValue, isPlainObject } from "./ParamValue.ts"
import { defaultOf, isParamGroup, type Param, type ParamGroupSpec } from "./Signature.ts"

/** A JSON value: what resolved params are, so plans and HTTP engines can carry them as they are. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/** Canonical param name → value, every declared param present (`null` when it has no value). */
export type ResolvedParams = Readonly<Record<string, Json>>

export type ParamError = ParamsNotAccepted | DuplicateParams | UnknownParams | InvalidParamValue

const isDict = isPlainObject

/** Check user params against the method's param specs; the rules and messages of the original. */
export const validate = (
  params: Readonly<Record<string, unknown>> | undefined,
  specs: ReadonlyArray<Param>
): Effect.Effect<void, ParamError> =>
  Effect.gen(function* () {
    // `undefined` means "not set", exactly as if the key were absent.
    const names = Object.keys(params ?? {}).filter((name) => params![name] !== undefined)
    if (names.length === 0) return
    if (specs.length === 0) return yield* new ParamsNotAccepted({ given: [...names].sort() })
    const byUpper = new Map<string, Array<string>>()
    for (const name of names)
      byUpper.set(name.toUpperCase(), [...(byUpper.get(name.toUpperCase()) ?? []), name])
    const duplicates = [...byUpper.values()].filter((group) => group.length > 1)
    if (duplicates.length > 0) return yield* new DuplicateParams({ groups: duplicates })
    const known = new Map(specs.map((spec) => [spec.name.toUpperCase(), spec]))
    const unknown = names.filter((name) => !known.has(name.toUpperCase())).sort()
    if (unknown.length > 0) {
      const valid = specs.map((s) => s.name).sort()
      return yield* new UnknownParams({
        unknown,
        valid,
        suggestions: unknown.map((name) => didYouMean(name, valid).trim()).filter((s) => s !== "")
      })
    }
    for (const name of names) yield* checkParamValue(known.get(name.toUpperCase())!, params![name], name)
  })

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")

/**
 * Date → `2026-01-31T12:00:00` (UTC wall time, no zone: the value is a TIMESTAMP_NTZ), with fractional
 * seconds only when there are any, as Python's `isoformat` writes it.
 */
const ntz = (date: Date): string =>
  date
    .toISOString()
    .replace(/Z$/, "")
    .replace(/\.000$/, "")

/**
 * The JSON form of a value already checked against `spec`: canonical key casing in dicts, bytes as hex
 * and timestamps as ISO text (as the original encodes params), bigints as numbers.
 */
export const toJson = (spec: Param, value: unknown): Json => {
  if (value === null || value === undefined) return null
  if (isParamGroup(spec)) return groupToJson(spec, value, spec.shape ?? [])
  const leaf = (v: unknown): Json => {
    if (v === null || v === undefined) return null
    if (Array.isArray(v)) return v.map(leaf)
    if (typeof v === "bigint") return Number(v)
    if (v instanceof Uint8Array) return hex(v)
    if (spec.dtype === "BYTES" && typeof v === "string") return hex(new TextEncoder().encode(v))
    if (v instanceof Date) return ntz(v)
    return v as Json
  }
  return leaf(value)
}

const groupToJson = (spec: ParamGroupSpec, value: unknown, dims: ReadonlyArray<number>): Json => {
  if (value === null || value === undefined) return null
  if (dims.length > 0 && Array.isArray(value))
    return value.map((item) => groupToJson(spec, item, dims.slice(1)))
  if (!isDict(value)) return null
  const out: Record<string, Json> = {}
  for (const [key, child] of Object.entries(value)) {
    const childSpec = spec.specs.find((s) => s.name.toUpperCase() === key.toUpperCase())
    if (childSpec !== undefined) out[childSpec.name] = toJson(childSpec, child)
  }
  return out
}

/** Fill a group's defaults under a partial override, key by key, recursing into nested groups. */
const deepMerge = (
  spec: ParamGroupSpec,
  fallback: Record<string, unknown>,
  override: Record<string, unknown>
) => {
  const overrides = new Map(Object.entries(override).map(([key, value]) => [key.toUpperCase(), value]))
  const merged: Record<string, unknown> = {}
  for (const child of spec.specs) {
    const upper = child.name.toUpperCase()
    if (!overrides.has(upper)) {
      merged[child.name] = fallback[child.name]
      continue
    }
    const value = overrides.get(upper)
    const childDefault = fallback[child.name]
    merged[child.name] =
      isParamGroup(child) && child.shape === undefined && isDict(value) && isDict(childDefault)
        ? deepMerge(child, childDefault, value)
        : value
  }
  return merged
}

/** Validate, then resolve: defaults, canonical names, deep-merged dict overrides, JSON values. */
export const resolve = (
  params: Readonly<Record<string, unknown>> | undefined,
  specs: ReadonlyArray<Param>
): Effect.Effect<ResolvedParams, ParamError> =>
  Effect.gen(function* () {
    yield* validate(params, specs)
    const given = new Map(
      Object.entries(params ?? {})
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => [key.toUpperCase(), value])
    )
    const resolved: Record<string, Json> = {}
    for (const spec of specs) {
      const fallback = defaultOf(spec)
      const upper = spec.name.toUpperCase()
      if (!given.has(upper)) {
        resolved[spec.name] = toJson(spec, fallback)
        continue
      }
      const value = given.get(upper)
      const merged =
        isParamGroup(spec) && spec.shape === undefined && isDict(value) && isDict(fallback)
          ? deepMerge(spec, fallback, value)
          : value
      resolved[spec.name] = toJson(spec, merged)
    }
    return resolved
  })
