/**
 * Decode user input with a Schema and turn every issue into a Problem that names the field the way the
 * user wrote it: camelCase for TypeScript objects, snake_case for job files.
 */
import { Effect, Schema, SchemaIssue } from "effect"
import { InvalidSpec, type Problem } from "../errors/SpecErrors.ts"
import { didYouMean } from "./closest.ts"

export type Form = "ts" | "wire"

const toSnake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

// Segments after these keys are user data (column names, param names, option names): never renamed.
const USER_KEYED = new Set(["params", "columnHandling", "column_handling", "options"])

export const formatPath = (
  path: ReadonlyArray<PropertyKey>,
  form: Form,
  knownFields: ReadonlySet<string>
): string => {
  let out = ""
  let previous: PropertyKey | undefined
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`
    else {
      const text = String(segment)
      const userKey = previous !== undefined && USER_KEYED.has(String(previous))
      const shown = form === "wire" && !userKey && knownFields.has(text) ? toSnake(text) : text
      out += out === "" ? shown : `.${shown}`
    }
    previous = segment
  }
  return out
}

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** Problems from a Schema issue, with unknown fields answered by the closest known one. */
export const problemsOf = (
  issue: SchemaIssue.Issue,
  form: Form,
  knownFields: ReadonlySet<string>,
  prefix = ""
): Array<Problem> =>
  formatter(issue).issues.map((i) => {
    const keys = (i.path ?? []).map((p) =>
      typeof p === "object" && p !== null && "key" in p ? p.key : p
    ) as Array<PropertyKey>
    const path = formatPath(keys, form, knownFields)
    const full = prefix === "" ? path : path === "" ? prefix : `${prefix}.${path}`
    if (i.message === "Expected no excess property") {
      const last = String(keys[keys.length - 1] ?? "")
      const candidates = [...knownFields].map((f) => (form === "wire" ? toSnake(f) : f))
      return { path: full, message: `unknown field.${didYouMean(last, candidates)}` }
    }
    return { path: full, message: i.message }
  })

/** Every field name a struct schema (and the structs nested in it) declares, for paths and hints. */
export const fieldNames = (
  ...structs: ReadonlyArray<{ readonly fields: Record<string, unknown> }>
): Set<string> => new Set(structs.flatMap((s) => Object.keys(s.fields)))

/** Decode `input` as `spec`, reporting every problem at once as one InvalidSpec. */
export const decodeSpec = <A>(
  schema: Schema.Decoder<A>,
  input: unknown,
  options: { readonly spec: string; readonly form: Form; readonly knownFields: ReadonlySet<string> }
): Effect.Effect<A, InvalidSpec> =>
  Schema.decodeUnknownEffect(schema)(input, { errors: "all", onExcessProperty: "error" }).pipe(
    Effect.mapError(
      (error) =>
        new InvalidSpec({
          spec: options.spec,
          problems: problemsOf(error.issue, options.form, options.knownFields)
        })
    )
  )
