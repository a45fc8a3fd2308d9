/**
 * Bind variables as the driver sends them (`{"1": {"type": "FIXED", "value": "42"}}`, a value array
 * per position for array binding) turned into DuckDB literals. DuckDB runs the statement text, so a
 * value is checked against its type and written as a literal that cannot change the statement: text
 * quoted, numbers matched against a number's grammar, JSON cast from a quoted string.
 */
import { EmulatorSqlError } from "@runbatch/spec"
import { Effect } from "effect"
import { duckDbString } from "./SqlTokens.ts"

export interface Bind {
  readonly type: string
  /** One value, or one per row (array binding). */
  readonly value: string | null | ReadonlyArray<string | null>
}

export type Bindings = Readonly<Record<string, Bind>>

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/
const REAL = /^(?:[+-]?(?:inf|infinity)|nan)$/i

const refuse = (statement: string, reason: string) =>
  new EmulatorSqlError({ statement, code: "002049", sqlState: "22000", reason })

/** The DuckDB literal of one bound value of `type`, or the reason it cannot be one. */
const literal = (type: string, value: string | null): string | { readonly invalid: string } => {
  if (value === null) return "NULL"
  switch (type.toUpperCase()) {
    case "TEXT":
      return duckDbString(value)
    case "FIXED":
      return NUMBER.test(value) ? value : { invalid: `'${value}' is not a number` }
    case "REAL":
      return NUMBER.test(value) || REAL.test(value)
        ? `CAST(${duckDbString(value)} AS DOUBLE)`
        : { invalid: `'${value}' is not a number` }
    case "BOOLEAN": {
      const lower = value.toLowerCase()
      if (lower === "true" || lower === "1") return "TRUE"
      if (lower === "false" || lower === "0") return "FALSE"
      return { invalid: `'${value}' is not a boolean` }
    }
    case "VARIANT":
    case "OBJECT":
    case "ARRAY":
      try {
        JSON.parse(value)
      } catch {
        return { invalid: `'${value.slice(0, 100)}' is not JSON` }
      }
      return `CAST(${duckDbString(value)} AS JSON)`
    case "DATE":
      return `CAST(${duckDbString(value)} AS DATE)`
    case "TIME":
      return `CAST(${duckDbString(value)} AS TIME)`
    case "TIMESTAMP_NTZ":
      return `CAST(${duckDbString(value)} AS TIMESTAMP)`
    case "TIMESTAMP_LTZ":
    case "TIMESTAMP_TZ":
      return `CAST(${duckDbString(value)} AS TIMESTAMPTZ)`
    default:
      return {
        invalid: `the bind type ${type} is not one the emulator takes (TEXT, FIXED, REAL, BOOLEAN, VARIANT)`
      }
  }
}

/** How many rows of values `bindings` holds: 1 for plain binds, the array length for array binding. */
export const rowCount = (statement: string, bindings: Bindings): Effect.Effect<number, EmulatorSqlError> => {
  const lengths = new Set(
    Object.values(bindings).map((bind) => (Array.isArray(bind.value) ? bind.value.length : -1))
  )
  if (lengths.size === 0) return Effect.succeed(1)
  if (lengths.size > 1)
    return Effect.fail(
      refuse(
        statement,
        "the binds mix single values and arrays, or arrays of different lengths; array binding needs one array per position, all of one length"
      )
    )
  const [length] = lengths
  return Effect.succeed(length === -1 ? 1 : length!)
}

/**
 * The literal for each position (1-based) in row `row` of `bindings`; fails naming the position and
 * the value when a value does not fit its type.
 */
export const literalsOfRow = (
  statement: string,
  bindings: Bindings,
  row: number
): Effect.Effect<ReadonlyMap<number, string>, EmulatorSqlError> => {
  const literals = new Map<number, string>()
  for (const [key, bind] of Object.entries(bindings)) {
    const position = Number(key)
    if (!Number.isInteger(position) || position < 1)
      return Effect.fail(refuse(statement, `the bind position '${key}' is not a number from 1`))
    const value: unknown = Array.isArray(bind.value) ? bind.value[row] : bind.value
    if (value !== null && typeof value !== "string")
      return Effect.fail(refuse(statement, `the value of bind ${key} is not a string or null`))
    const text = literal(String(bind.type), value)
    if (typeof text !== "string")
      return Effect.fail(refuse(statement, `bind ${key} (${bind.type}): ${text.invalid}`))
    literals.set(position, text)
  }
  return Effect.succeed(literals)
}
