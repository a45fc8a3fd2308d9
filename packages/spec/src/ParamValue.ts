/**
 * Whether one param value fits its ParamSpec or ParamGroupSpec, with the original's strictness: no
 * silent coercion (`"100"` is not an int, `true` is not an int), integers in range, shapes exact except
 * `-1` (any length), dict params with known keys only (case-insensitive, no duplicates). `null` and
 * `undefined` always pass: they mean "not set".
 */
import { Effect } from "effect"
import * as DataType from "./DataType.ts"
import { InvalidParamValue } from "./errors/ParamErrors.ts"
import { didYouMean } from "./internal/closest.ts"
import type { Param, ParamGroupSpec, ParamSpec } from "./Signature.ts"

const TIMESTAMP_NTZ = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?$/

const fail = (param: string, reason: string) => Effect.fail(new InvalidParamValue({ param, reason }))

/** `'x' (type: string)`: how values appear in messages, like Python's repr + type name. */
export const describeValue = (value: unknown): string => {
  const type =
    value === null
      ? "null"
      : Array.isArray(value)
        ? "array"
        : value instanceof Uint8Array
          ? "bytes"
          : value instanceof Date
            ? "Date"
            : typeof value
  let text: string
  try {
    text =
      typeof value === "bigint"
        ? `${value}n`
        : value instanceof Uint8Array
          ? `<${value.length} bytes>`
          : JSON.stringify(value)
  } catch {
    text = String(value)
  }
  if (text === undefined) text = String(value)
  return `${text.length > 80 ? `${text.slice(0, 77)}...` : text} (type: ${type})`
}

/** A dict param value: a plain object, not an array, bytes or a Date. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof Uint8Array) &&
  !(value instanceof Date)

/** Why a scalar does not fit `dtype`, or undefined when it does. */
const scalarProblem = (dtype: DataType.DataType, value: unknown): string | undefined => {
  if (DataType.isInteger(dtype)) {
    if (typeof value === "bigint") {
      if (!Number.isSafeInteger(Number(value))) return `is beyond ±2^53, which params cannot carry.`
      return DataType.fits(dtype, value) ? undefined : `is out of range for ${dtype}.`
    }
    if (typeof value !== "number" || !Number.isInteger(value))
      return `is not compatible with dtype ${dtype}. Expected int.`
    return DataType.fits(dtype, value) ? undefined : `is out of range for ${dtype}.`
  }
  if (DataType.isFloat(dtype)) {
    if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? undefined : `is beyond ±2^53.`
    return typeof value === "number"
      ? undefined
      : `is not compatible with dtype ${dtype}. Expected int or float.`
  }
  switch (dtype) {
    case "BOOL":
      return typeof value === "boolean"
        ? undefined
        : `is not compatible with dtype BOOL. Expected true or false.`
    case "STRING":
      return typeof value === "string" ? undefined : `is not compatible with dtype STRING. Expected a string.`
    case "BYTES":
      return value instanceof Uint8Array || typeof value === "string"
        ? undefined
        : `is not compatible with dtype BYTES. Expected a Uint8Array or a string.`
    case "TIMESTAMP_NTZ":
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? `is an invalid Date.` : undefined
      return typeof value === "string" && TIMESTAMP_NTZ.test(value)
        ? undefined
        : `is not compatible with dtype TIMESTAMP_NTZ. Expected a Date or an ISO 8601 date-time without time zone (2026-01-31T12:00:00).`
    case "OBJECT":
      return isPlainObject(value) ? undefined : `is not compatible with dtype OBJECT. Expected an object.`
  }
  return undefined
}

/** The shape of a nested array, or undefined when it is ragged (rows of different lengths). */
const arrayShape = (value: unknown): Array<number> | undefined => {
  if (!Array.isArray(value)) return []
  if (value.length === 0) return [0]
  const inner = value.map(arrayShape)
  const first = inner[0]
  if (first === undefined || inner.some((s) => s === undefined || s.join(",") !== first.join(",")))
    return undefined
  return [value.length, ...first]
}

const leaves = (value: unknown): Array<unknown> => (Array.isArray(value) ? value.flatMap(leaves) : [value])

const checkLeaf = (spec: ParamSpec, value: unknown, path: string): Effect.Effect<void, InvalidParamValue> => {
  if (value === null || value === undefined) return Effect.void
  const shapeText = spec.shape === undefined ? "scalar" : `[${spec.shape.join(", ")}]`
  if (spec.shape === undefined) {
    if (Array.isArray(value)) {
      return fail(
        path,
        `value ${describeValue(value)} is not compatible with dtype ${spec.dtype} and shape ${shapeText}: expected a scalar value, got an array.`
      )
    }
    const problem = scalarProblem(spec.dtype, value)
    return problem === undefined ? Effect.void : fail(path, `value ${describeValue(value)} ${problem}`)
  }
  for (const leaf of leaves(value)) {
    const problem = scalarProblem(spec.dtype, leaf)
    if (problem !== undefined) return fail(path, `value ${describeValue(leaf)} ${problem}`)
  }
  const actual = arrayShape(value)
  if (actual === undefined) {
    return fail(
      path,
      `value ${describeValue(value)} is ragged (rows of different lengths); shape ${shapeText} needs a rectangular array.`
    )
  }
  if (actual.length !== spec.shape.length) {
    return fail(
      path,
      `value ${describeValue(value)} is not compatible with shape ${shapeText}: expected ${spec.shape.length}-dimensional value, got ${actual.length}-dimensional.`
    )
  }
  for (let i = 0; i < spec.shape.length; i++) {
    const expected = spec.shape[i]!
    if (expected !== -1 && expected !== actual[i]) {
      return fail(
        path,
        `value ${describeValue(value)} is not compatible with shape ${shapeText}: dimension ${i}: expected ${expected}, got ${actual[i]}.`
      )
    }
  }
  return Effect.void
}

const checkGroupDict = (
  spec: ParamGroupSpec,
  value: unknown,
  path: string
): Effect.Effect<void, InvalidParamValue> =>
  Effect.gen(function* () {
    if (!isPlainObject(value)) {
      return yield* fail(path, `expected a dict (an object), got ${describeValue(value)}.`)
    }
    const byUpper = new Map(spec.specs.map((child) => [child.name.toUpperCase(), child]))
    const seen = new Map<string, string>()
    for (const [key, child] of Object.entries(value)) {
      const upper = key.toUpperCase()
      const previous = seen.get(upper)
      if (previous !== undefined) {
        return yield* fail(
          path,
          `has duplicate case-insensitive keys '${previous}' and '${key}'. Dict parameter keys are case-insensitive.`
        )
      }
      seen.set(upper, key)
      const childSpec = byUpper.get(upper)
      if (childSpec === undefined) {
        return yield* fail(
          path,
          `Unknown key(s) '${key}' in parameter '${path}'. Valid keys are: ${spec.specs.map((s) => `'${s.name}'`).join(", ")}.${didYouMean(
            key,
            spec.specs.map((s) => s.name)
          )}`
        )
      }
      yield* checkParamValue(childSpec, child, `${path}.${key}`)
    }
  })

const checkShapedGroup = (
  spec: ParamGroupSpec,
  value: unknown,
  path: string,
  dims: ReadonlyArray<number>
): Effect.Effect<void, InvalidParamValue> =>
  Effect.gen(function* () {
    if (dims.length === 0) return yield* checkGroupDict(spec, value, path)
    if (!Array.isArray(value)) {
      return yield* fail(
        path,
        `expected a list (shape [${spec.shape!.join(", ")}]), got ${describeValue(value)}.`
      )
    }
    const expected = dims[0]!
    if (expected !== -1 && value.length !== expected) {
      return yield* fail(path, `expected length ${expected}, got ${value.length}.`)
    }
    for (let i = 0; i < value.length; i++) {
      yield* checkShapedGroup(spec, value[i], `${path}[${i}]`, dims.slice(1))
    }
  })

/** Check `value` against a param spec; `path` names it in messages (`config.sampling.top_k`). */
export const checkParamValue = (
  spec: Param,
  value: unknown,
  path: string
): Effect.Effect<void, InvalidParamValue> => {
  if (value === null || value === undefined) return Effect.void
  if ("specs" in spec) {
    return spec.shape === undefined
      ? checkGroupDict(spec, value, path)
      : checkShapedGroup(spec, value, path, spec.shape)
  }
  return checkLeaf(spec, value, path)
}
