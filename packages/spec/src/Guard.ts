/**
 * Checks a JSON value written by another process — a job folder's records, a replica's status file —
 * against the shape its reader expects, and says what is wrong with it. No dependencies: the local job
 * supervisor reads these records and must start in milliseconds, and effect's `Schema` costs it more
 * than its whole start-up (docs/architecture.md, "Protocols between processes").
 *
 * A guard checks and does not convert: the value it passes is the value read, typed. A protocol's
 * records carry a version (`versioned`), absent in records of version 1, which wrote none.
 */

/** What is wrong with a value, and where (`replicaCommand.args[1]`; "" for the whole value). */
export interface Problem {
  readonly path: string
  readonly message: string
}

export interface Guard<A> {
  /** The first problem of `value` (found at `path`), or undefined when it has this shape. */
  readonly problem: (value: unknown, path: string) => Problem | undefined
  /** Not present at run time: the type the guard admits. */
  readonly Type?: A
}

/** A field of a `struct` that may be left out. */
export interface OptionalField<A> extends Guard<A> {
  readonly optional: true
}

export type TypeOf<G> = G extends Guard<infer A> ? A : never

const at = (path: string, key: string | number): string =>
  typeof key === "number" ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`

const describe = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "a list"
      : typeof value === "object"
        ? "an object"
        : JSON.stringify(value)

const primitive = <A>(expected: string, test: (value: unknown) => boolean): Guard<A> => ({
  problem: (value, path) =>
    test(value) ? undefined : { path, message: `expected ${expected}, found ${describe(value)}` }
})

export const string: Guard<string> = primitive("a string", (v) => typeof v === "string")
export const number: Guard<number> = primitive("a number", (v) => typeof v === "number" && Number.isFinite(v))
/** A whole number of at least 0 (a count, a pid, milliseconds). */
export const count: Guard<number> = primitive(
  "a whole number of at least 0",
  (v) => typeof v === "number" && Number.isInteger(v) && v >= 0
)
export const boolean: Guard<boolean> = primitive("true or false", (v) => typeof v === "boolean")
/** Anything: a field whose contents the reader does not look at. */
export const unknown: Guard<unknown> = { problem: () => undefined }

export const literal = <const L extends ReadonlyArray<string | number>>(...values: L): Guard<L[number]> =>
  primitive(
    values.length === 1
      ? JSON.stringify(values[0])
      : `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`,
    (v) => values.includes(v as L[number])
  )

export const nullable = <A>(guard: Guard<A>): Guard<A | null> => ({
  problem: (value, path) => (value === null ? undefined : guard.problem(value, path))
})

export const optional = <A>(guard: Guard<A>): OptionalField<A> => ({ ...guard, optional: true })

export const array = <A>(item: Guard<A>): Guard<ReadonlyArray<A>> => ({
  problem: (value, path) => {
    if (!Array.isArray(value)) return { path, message: `expected a list, found ${describe(value)}` }
    for (let i = 0; i < value.length; i++) {
      const problem = item.problem(value[i], at(path, i))
      if (problem !== undefined) return problem
    }
    return undefined
  }
})

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** An object whose every value passes `value` (its keys are free: replica numbers, variable names). */
export const record = <A>(value: Guard<A>): Guard<Readonly<Record<string, A>>> => ({
  problem: (input, path) => {
    if (!isObject(input)) return { path, message: `expected an object, found ${describe(input)}` }
    for (const [key, field] of Object.entries(input)) {
      const problem = value.problem(field, at(path, key))
      if (problem !== undefined) return problem
    }
    return undefined
  }
})

type Fields = Readonly<Record<string, Guard<unknown>>>
type Simplify<A> = { readonly [K in keyof A]: A[K] } & {}
type OptionalKeys<F extends Fields> = {
  [K in keyof F]: F[K] extends OptionalField<unknown> ? K : never
}[keyof F]
export type StructOf<F extends Fields> = Simplify<
  { readonly [K in Exclude<keyof F, OptionalKeys<F>>]: TypeOf<F[K]> } & {
    readonly [K in OptionalKeys<F>]?: TypeOf<F[K]>
  }
>

/**
 * An object with these fields. Other fields are let through: a reader of a version ignores what a
 * writer of the same version added for someone else.
 */
export const struct = <F extends Fields>(fields: F): Guard<StructOf<F>> => ({
  problem: (value, path) => {
    if (!isObject(value)) return { path, message: `expected an object, found ${describe(value)}` }
    for (const [key, guard] of Object.entries(fields)) {
      if (!(key in value) || value[key] === undefined) {
        if ("optional" in guard) continue
        return { path: at(path, key), message: "missing" }
      }
      const problem = guard.problem(value[key], at(path, key))
      if (problem !== undefined) return problem
    }
    return undefined
  }
})

/**
 * A guard for exactly the type `A`, checked by the compiler both ways, so a record's interface (with
 * its documentation) and its guard cannot drift apart: `exactly<StatusRecord>()(struct({…}))`.
 */
export const exactly =
  <A>() =>
  <G extends Guard<unknown>>(
    guard: G &
      ([TypeOf<G>] extends [A]
        ? [A] extends [TypeOf<G>]
          ? unknown
          : "misses fields of the type"
        : "admits values outside the type")
  ): Guard<A> =>
    guard as Guard<A>

/** A value read, or why it cannot be: another version of the protocol (`found`), or damaged. */
export type Checked<A> =
  | { readonly ok: true; readonly value: A }
  | {
      readonly ok: false
      /** The version the record says it is, when that is not the reader's; null when it is damaged. */
      readonly found: string | null
      /** What is wrong, for a message: `status: expected one of "PENDING", …, found "PAUSED"`. */
      readonly reason: string
    }

export const check = <A>(guard: Guard<A>, value: unknown): Checked<A> => {
  const problem = guard.problem(value, "")
  return problem === undefined
    ? { ok: true, value: value as A }
    : {
        ok: false,
        found: null,
        reason: problem.path === "" ? problem.message : `${problem.path}: ${problem.message}`
      }
}

/**
 * A record of a versioned protocol: its `key` (default `version`) must be `version`, or be absent when
 * `version` is 1 (the records of the first version carry none); then it must pass `guard`.
 */
export const versioned = <A>(
  guard: Guard<A>,
  version: number,
  value: unknown,
  key = "version"
): Checked<A> => {
  const found = isObject(value) && key in value ? value[key] : 1
  if (found !== version)
    return {
      ok: false,
      found: typeof found === "string" ? found : JSON.stringify(found),
      reason: `it is version ${JSON.stringify(found)}`
    }
  return check(guard, value)
}

/** Parse JSON text and check it as `versioned` does; text that is not JSON is damaged. */
export const parseVersioned = <A>(
  guard: Guard<A>,
  version: number,
  text: string,
  key = "version"
): Checked<A> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { ok: false, found: null, reason: `not JSON (${(error as Error).message})` }
  }
  return versioned(guard, version, value, key)
}
