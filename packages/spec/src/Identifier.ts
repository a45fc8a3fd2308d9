/**
 * Snowflake identifiers: `my_table` resolves to `MY_TABLE`; `"my table"` keeps its case and spaces
 * (with `""` escaping a quote). Resolved names are plain strings, exactly as Snowflake stores them.
 */
import { Effect } from "effect"
import { InvalidIdentifier } from "./errors/SpecErrors.ts"

const UNQUOTED = /^[A-Za-z_][A-Za-z0-9_$]*$/
const STORED_UNQUOTED = /^[A-Z_][A-Z0-9_$]*$/
/** Snowflake's limit on identifier length. */
export const MAX_IDENTIFIER_LENGTH = 255

const fail = (input: string, reason: string) => Effect.fail(new InvalidIdentifier({ input, reason }))

/** Resolve one identifier as written (`abc`, `"Abc"`) to the name Snowflake stores (`ABC`, `Abc`). */
export const resolve = (text: string): Effect.Effect<string, InvalidIdentifier> => {
  if (text.length === 0) return fail(text, "it is empty.")
  if (text.startsWith('"')) {
    if (text.length < 2 || !text.endsWith('"'))
      return fail(text, "a quoted identifier must end with a quote.")
    const body = text.slice(1, -1)
    if (body.replace(/""/g, "").includes('"')) {
      return fail(text, 'a quote inside a quoted identifier must be doubled ("").')
    }
    const name = body.replace(/""/g, '"')
    if (name.length === 0) return fail(text, "a quoted identifier cannot be empty.")
    if (name.includes("\u0000")) return fail(text, "it contains a NUL character.")
    if (name.length > MAX_IDENTIFIER_LENGTH) {
      return fail(text, `it is longer than ${MAX_IDENTIFIER_LENGTH} characters.`)
    }
    return Effect.succeed(name)
  }
  if (!UNQUOTED.test(text)) {
    return fail(
      text,
      'an unquoted identifier starts with a letter or underscore and holds only letters, digits, _ and $. Quote it ("my name") to keep other characters or lower case.'
    )
  }
  if (text.length > MAX_IDENTIFIER_LENGTH)
    return fail(text, `it is longer than ${MAX_IDENTIFIER_LENGTH} characters.`)
  return Effect.succeed(text.toUpperCase())
}

/** Always-quoted form for generated SQL and YAML: safe whatever the name holds. */
export const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`

/** Shortest form that resolves back to `name`: bare when Snowflake would store it that way. */
export const format = (name: string): string => (STORED_UNQUOTED.test(name) ? name : quote(name))

/** Whether `name` needs quotes to keep its exact spelling. */
export const needsQuotes = (name: string): boolean => !STORED_UNQUOTED.test(name)

/** `db.schema.object`, with each part resolved; database and schema may be absent. */
export interface QualifiedName {
  readonly database?: string
  readonly schema?: string
  readonly name: string
}

/** A name with its database and schema known. */
export interface FullyQualifiedName {
  readonly database: string
  readonly schema: string
  readonly name: string
}

/** Split on dots that are outside quotes. */
export const splitParts = (text: string): Array<string> => {
  const parts: Array<string> = []
  let current = ""
  let inQuotes = false
  for (const char of text) {
    if (char === '"') inQuotes = !inQuotes
    if (char === "." && !inQuotes) {
      parts.push(current)
      current = ""
    } else {
      current += char
    }
  }
  parts.push(current)
  return parts
}

/** Parse `name`, `schema.name` or `db.schema.name` (parts may be quoted). */
export const parseQualified = (text: string): Effect.Effect<QualifiedName, InvalidIdentifier> =>
  Effect.gen(function* () {
    const parts = splitParts(text.trim())
    if (parts.length > 3) {
      return yield* fail(text, "a qualified name has at most three parts: database.schema.name.")
    }
    const resolved: Array<string> = []
    for (const part of parts) {
      resolved.push(
        yield* resolve(part).pipe(
          Effect.mapError((e) =>
            parts.length === 1
              ? e
              : new InvalidIdentifier({ input: text, reason: `part ${e.input}: ${e.reason}` })
          )
        )
      )
    }
    if (resolved.length === 3) return { database: resolved[0]!, schema: resolved[1]!, name: resolved[2]! }
    if (resolved.length === 2) return { schema: resolved[0]!, name: resolved[1]! }
    return { name: resolved[0]! }
  })

/** Where unqualified names live: the session's (or the model's) current database and schema. */
export interface NameContext {
  readonly database?: string | undefined
  readonly schema?: string | undefined
}

/** Parse and fill in the database and schema from `context`; fail if either stays unknown. */
export const parseFullyQualified = (
  text: string,
  context: NameContext
): Effect.Effect<FullyQualifiedName, InvalidIdentifier> =>
  Effect.gen(function* () {
    const parsed = yield* parseQualified(text)
    const database = parsed.database ?? context.database
    const schema = parsed.schema ?? context.schema
    if (database === undefined || schema === undefined) {
      return yield* fail(
        text,
        `no current ${database === undefined ? "database" : "schema"} to resolve it against. Write it as DB.SCHEMA.NAME.`
      )
    }
    return { database, schema, name: parsed.name }
  })

/** `DB.SCHEMA.NAME` in shortest form (quoted parts only where needed). */
export const formatQualified = (name: QualifiedName): string =>
  [name.database, name.schema, name.name]
    .filter((part): part is string => part !== undefined)
    .map(format)
    .join(".")

/** `"DB"."SCHEMA"."NAME"`, every part quoted: the form generated SQL uses. */
export const quoteQualified = (name: QualifiedName): string =>
  [name.database, name.schema, name.name]
    .filter((part): part is string => part !== undefined)
    .map(quote)
    .join(".")

/** Case-insensitive equality, the way column and param names are matched. */
export const equalsIgnoreCase = (a: string, b: string): boolean => a.toUpperCase() === b.toUpperCase()
