/**
 * Stage locations, in Snowflake's three kinds:
 * - named stages: `@DB.SCHEMA.STAGE/path/to/file`, `@STAGE/dir/` (resolved against a current database
 *   and schema), with quoted parts (`@"my db".PUBLIC."Stage"/x`);
 * - the user stage `@~/path`: one per user, outside any database or schema;
 * - table stages `@%T/path`, `@DB.SCHEMA.%T/path`, `@%"my table"/x`: one per table, named after it.
 * After parsing, the path is normalised and can never leave its stage: no `..` (plain or
 * percent-encoded), no NUL or control characters, no backslashes. A location written with a trailing
 * slash (or the stage root) names a folder.
 */
import { Effect } from "effect"
import { InvalidStageLocation } from "./errors/SpecErrors.ts"
import * as Identifier from "./Identifier.ts"

/** Which of Snowflake's internal stage kinds a location is on. */
export type StageKind = "named" | "user" | "table"

export interface StageLocation {
  readonly kind: StageKind
  /** The stage's (or the table's) database; `""` for the user stage. */
  readonly database: string
  /** The stage's (or the table's) schema; `""` for the user stage. */
  readonly schema: string
  /** The stage's name; the table's name for a table stage; `~` for the user stage. */
  readonly stage: string
  /** Inside the stage, `/`-separated, without leading or trailing slash; `""` is the stage root. */
  readonly path: string
  /** Names a folder (written with a trailing slash, or the stage root) rather than a file. */
  readonly isDirectory: boolean
}

const fail = (input: string, reason: string) => Effect.fail(new InvalidStageLocation({ input, reason }))

const EXAMPLE =
  "Write it as @DB.SCHEMA.STAGE/path (or @STAGE/path with a current database and schema), @~/path for your user stage, or @%TABLE/path for a table stage."

/** The `stage` of the user stage. */
export const USER_STAGE = "~"

/** Split `@name.parts/path` at the first slash outside quotes. */
const splitStageAndPath = (body: string): [string, string | undefined] => {
  let inQuotes = false
  for (let i = 0; i < body.length; i++) {
    const char = body[i]
    if (char === '"') inQuotes = !inQuotes
    if (char === "/" && !inQuotes) return [body.slice(0, i), body.slice(i + 1)]
  }
  return [body, undefined]
}

const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/**
 * Normalise the path part: collapse repeated slashes, drop `.` segments, and refuse anything that could
 * resolve outside the stage on a filesystem or an object store.
 */
export const normalisePath = (
  input: string,
  rawPath: string
): Effect.Effect<string, InvalidStageLocation> => {
  if (rawPath.includes("\u0000")) return fail(input, "the path contains a NUL character.")
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0001-\u001f\u007f]/.test(rawPath)) return fail(input, "the path contains a control character.")
  if (rawPath.includes("\\")) {
    return fail(input, "the path contains a backslash; stage paths use forward slashes (/) only.")
  }
  const segments: Array<string> = []
  for (const segment of rawPath.split("/")) {
    if (segment === "" || segment === ".") continue
    if (segment === "..") {
      return fail(input, "the path contains '..'; a stage path cannot point above its stage or folder.")
    }
    if (segment.includes("%")) {
      const decoded = decodeSegment(segment)
      if (decoded === "." || decoded === ".." || decoded?.includes("/") || decoded?.includes("\\")) {
        return fail(
          input,
          `the path segment '${segment}' is a percent-encoded '${decoded}', which could leave the stage once decoded.`
        )
      }
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
      if (decoded !== undefined && /[\u0000-\u001f\u007f]/.test(decoded)) {
        return fail(input, `the path segment '${segment}' encodes a NUL or control character.`)
      }
    }
    segments.push(segment)
  }
  return Effect.succeed(segments.join("/"))
}

/** Parse a stage location, resolving unqualified stage names against `context`. */
export const parse = (
  text: string,
  context: Identifier.NameContext = {}
): Effect.Effect<StageLocation, InvalidStageLocation> =>
  Effect.gen(function* () {
    const input = text.trim()
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
      return yield* fail(
        text,
        `URLs are not stage locations; create a stage over the URL (CREATE STAGE … URL = '…') and use @STAGE/path. ${EXAMPLE}`
      )
    }
    if (!input.startsWith("@")) return yield* fail(text, `a stage location starts with @. ${EXAMPLE}`)
    const body = input.slice(1)
    if (body.startsWith("~")) return yield* parseUserStage(text, body.slice(1))
    const [stagePart, rawPath] = splitStageAndPath(body)
    if (stagePart === "") return yield* fail(text, `the stage name is missing. ${EXAMPLE}`)
    const table = tableStagePart(stagePart)
    if (table !== undefined && table.table === "") {
      return yield* fail(text, `the table name after % is missing. ${EXAMPLE}`)
    }
    const name = yield* Identifier.parseQualified(table === undefined ? stagePart : table.qualified).pipe(
      Effect.mapError(
        (e) =>
          new InvalidStageLocation({
            input: text,
            reason: `${table === undefined ? "stage" : "table"} name: ${e.reason}`
          })
      )
    )
    const database = name.database ?? context.database
    const schema = name.schema ?? context.schema
    if (database === undefined || schema === undefined) {
      return yield* fail(
        text,
        `the ${table === undefined ? "stage" : "table"} is not qualified and there is no current ${database === undefined ? "database" : "schema"}. ${EXAMPLE}`
      )
    }
    const path = rawPath === undefined ? "" : yield* normalisePath(text, rawPath)
    const kind: StageKind = table === undefined ? "named" : "table"
    return { kind, database, schema, stage: name.name, path, isDirectory: isDirectoryPath(path, rawPath) }
  })

const isDirectoryPath = (path: string, rawPath: string | undefined): boolean =>
  path === "" || (rawPath ?? "").replace(/(\/\.)+$/, "/").endsWith("/")

/** `@~`, `@~/` or `@~/path`: anything else after the `~` (`@~x`, `@~..`) is refused. */
const parseUserStage = (text: string, rest: string): Effect.Effect<StageLocation, InvalidStageLocation> => {
  if (rest !== "" && !rest.startsWith("/")) {
    return fail(text, `the user stage is written @~ followed by / and a path (@~/dir/file). ${EXAMPLE}`)
  }
  const rawPath = rest === "" ? undefined : rest.slice(1)
  return Effect.map(rawPath === undefined ? Effect.succeed("") : normalisePath(text, rawPath), (path) => ({
    kind: "user" as const,
    database: "",
    schema: "",
    stage: USER_STAGE,
    path,
    isDirectory: isDirectoryPath(path, rawPath)
  }))
}

/**
 * A table stage's `[DB.][SCHEMA.]%TABLE`: the last dotted part starts with `%`. Returns the table's
 * qualified name without the `%`, or undefined for a named stage.
 */
const tableStagePart = (stagePart: string): { qualified: string; table: string } | undefined => {
  const parts = Identifier.splitParts(stagePart)
  const last = parts[parts.length - 1] ?? ""
  if (!last.startsWith("%")) return undefined
  const table = last.slice(1)
  return { qualified: [...parts.slice(0, -1), table].join("."), table }
}

/** Parse a location that must name a folder; a missing trailing slash is added, as the original does. */
export const parseDirectory = (
  text: string,
  context: Identifier.NameContext = {}
): Effect.Effect<StageLocation, InvalidStageLocation> =>
  Effect.map(parse(text, context), (location) => ({ ...location, isDirectory: true }))

const render = (
  location: StageLocation,
  one: (name: string) => string,
  name: (qualified: Identifier.QualifiedName) => string
): string => {
  const stage = stageName(location, one, name)
  const path = location.path === "" ? "" : `/${location.path}`
  return `@${stage}${path}${location.isDirectory ? "/" : ""}`
}

/** `@DB.SCHEMA.STAGE/path` (with a trailing slash for folders), quoting parts only where needed. */
export const format = (location: StageLocation): string =>
  render(location, Identifier.format, Identifier.formatQualified)

/** A single-quoted SQL string literal of the location with every identifier quoted. */
export const toSqlLiteral = (location: StageLocation): string =>
  `'${render(location, Identifier.quote, Identifier.quoteQualified).replace(/\\/g, "\\\\").replace(/'/g, "''")}'`

/** A file or folder inside `folder`; `relative` is normalised and cannot climb out of it. */
export const child = (
  folder: StageLocation,
  relative: string,
  options: { readonly isDirectory?: boolean } = {}
): Effect.Effect<StageLocation, InvalidStageLocation> =>
  Effect.map(normalisePath(`${format(folder)}${relative}`, relative), (path) => ({
    ...folder,
    path: folder.path === "" ? path : path === "" ? folder.path : `${folder.path}/${path}`,
    isDirectory: options.isDirectory ?? (path === "" || relative.endsWith("/"))
  }))

/** The same location viewed as a folder. */
export const asDirectory = (location: StageLocation): StageLocation => ({ ...location, isDirectory: true })

/** Whether `inner` is `outer` itself or lies below it (same stage, path prefix on segment boundaries). */
export const contains = (outer: StageLocation, inner: StageLocation): boolean =>
  outer.kind === inner.kind &&
  outer.database === inner.database &&
  outer.schema === inner.schema &&
  outer.stage === inner.stage &&
  (outer.path === "" || inner.path === outer.path || inner.path.startsWith(`${outer.path}/`))

/** The path of `inner` relative to `outer` (assumes `contains(outer, inner)`). */
export const relativePath = (outer: StageLocation, inner: StageLocation): string =>
  outer.path === "" ? inner.path : inner.path.slice(outer.path.length).replace(/^\//, "")

/** The identity of the stage itself, for grouping and lookups: `"DB"."S"."ST"`, `~`, `"DB"."S".%"T"`. */
export const stageKey = (location: Pick<StageLocation, "kind" | "database" | "schema" | "stage">): string =>
  stageName(location, Identifier.quote, Identifier.quoteQualified)

/** The stage of a location as written, without `@` or path: `DB.S.ST`, `~`, `DB.S.%T`. */
export const formatStage = (
  location: Pick<StageLocation, "kind" | "database" | "schema" | "stage">
): string => stageName(location, Identifier.format, Identifier.formatQualified)

/** The stage part of a location without the `@`: `DB.S.ST`, `~`, `DB.S.%T`. */
const stageName = (
  location: Pick<StageLocation, "kind" | "database" | "schema" | "stage">,
  one: (name: string) => string,
  name: (qualified: Identifier.QualifiedName) => string
): string => {
  if (location.kind === "user") return USER_STAGE
  if (location.kind === "table")
    return `${one(location.database)}.${one(location.schema)}.%${one(location.stage)}`
  return name({ database: location.database, schema: location.schema, name: location.stage })
}

/**
 * LIST's `name` for the file at `path` of `location`'s stage: `<stage in lower case>/<path>` on a named
 * stage (the reference's C2); the path alone on the user stage and on table stages (unverified on a
 * real account: the reference leaves that name format open).
 */
export const listName = (location: Pick<StageLocation, "kind" | "stage">, path: string): string =>
  location.kind === "named" ? `${location.stage.toLowerCase()}/${path}` : path

/** Whether LIST's `name` is a cloud URL (`s3://bucket/path/f`): the files of an external stage. */
export const isUrlListName = (name: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(name)

/**
 * The path inside the stage that LIST's `name` stands for (the inverse of `listName`); on an external
 * stage, whose names are its URL and the path, `url` is that URL.
 */
export const pathOfListName = (
  location: Pick<StageLocation, "kind" | "stage">,
  name: string,
  url?: string
): string => {
  if (url !== undefined && name.startsWith(url)) return name.slice(url.length).replace(/^\/+/, "")
  if (location.kind !== "named") return name.replace(/^\/+/, "")
  const prefix = `${location.stage.toLowerCase()}/`
  if (name.startsWith(prefix)) return name.slice(prefix.length)
  const slash = name.indexOf("/")
  return slash < 0 ? name : name.slice(slash + 1)
}
