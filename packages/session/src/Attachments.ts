/**
 * Which database files an operation attaches, and how: read-only for reads (a shared lock), read-write
 * for writes (an exclusive lock; the file and its schemas created on first use), and for users' SQL the
 * current database plus every database the text names. DuckDB attaches catalogs case-insensitively, so
 * two files whose names differ only by case cannot both be used, and a new database cannot shadow an old
 * one (CaseCollision). A lock another process holds comes back as LockConflict, to retry on.
 */
import type { DuckDBConnection } from "@duckdb/node-api"
import { CaseCollision, Identifier, SqlError } from "@runbatch/spec"
import { Effect } from "effect"
import { type Connection, call, sqlString } from "./Connection.ts"
import { LockConflict } from "./LockRetry.ts"

export interface WriteTarget {
  readonly database: string
  /** Schemas the operation writes to; created on first use. */
  readonly schemas: ReadonlyArray<string>
}

/** Which databases an operation attaches. */
export interface Access {
  /** Attached read-only when their files exist (names match case-insensitively, as DuckDB's do). */
  readonly read?: ReadonlyArray<string>
  /** Attached read-write; the file and the schemas are created on first use. */
  readonly write?: ReadonlyArray<WriteTarget>
  /**
   * Users' SQL: attach the current database (an empty stand-in if it has no file yet, so unqualified
   * names give DuckDB's own "does not exist" errors) and make it current, and attach every existing
   * database the text names as `DB.` — read-write when `writable`.
   */
  readonly userSql?: { readonly sql: string; readonly writable: boolean }
}

/** Catalog names DuckDB keeps for itself (`memory` is each instance's in-memory main database). */
const RESERVED = new Set(["TEMP", "SYSTEM", "MEMORY"])
const LOCK_CONFLICT = "Could not set lock on file"

export interface Attachment {
  readonly name: string
  /** `undefined`: an empty in-memory stand-in for a current database that has no file yet. */
  readonly path: string | undefined
  readonly readOnly: boolean
  readonly schemas: ReadonlyArray<string>
}

/** The warehouse as planning sees it: its folder, the databases that have a file, and the current ones. */
export interface WarehouseFiles {
  readonly directory: string
  /** Names of the databases that have a file. */
  readonly existing: ReadonlyArray<string>
  readonly fileOf: (database: string) => string
  readonly database: string
  readonly schema: string
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** Whether `sql` names the database `name` as a qualifier (`name.`, `"name".`), ignoring case as DuckDB does. */
export const mentionsDatabase = (sql: string, name: string): boolean => {
  const quoted = new RegExp(`"${escapeRegExp(name.replace(/"/g, '""'))}"\\s*\\.`, "i")
  if (quoted.test(sql)) return true
  return (
    /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) &&
    new RegExp(`(?<![A-Za-z0-9_$"])${escapeRegExp(name)}\\s*\\.`, "i").test(sql)
  )
}

const reserved = (name: string): Effect.Effect<void, SqlError> =>
  RESERVED.has(name.toUpperCase())
    ? Effect.fail(
        new SqlError({
          statement: `ATTACH AS ${Identifier.quote(name)}`,
          reason: `DuckDB reserves the database name ${name}, so the embedded account cannot use it. Choose another database name.`,
          refused: true
        })
      )
    : Effect.void

/** The databases `access` needs, each once, with the strongest access asked for. */
export const planAttachments = Effect.fn("Warehouse.planAttachments")(function* (
  access: Access,
  warehouse: WarehouseFiles
): Effect.fn.Return<ReadonlyArray<Attachment>, SqlError | CaseCollision> {
  const { existing, directory, fileOf } = warehouse
  const byKey = new Map<string, Array<string>>()
  for (const name of existing) byKey.set(name.toUpperCase(), [...(byKey.get(name.toUpperCase()) ?? []), name])
  const source = `The warehouse ${directory}`
  // The file a name stands for: DuckDB attaches catalogs case-insensitively, so two files whose
  // names differ only by case cannot both be used, and a new database cannot shadow an old one.
  const stored = (name: string, creating: boolean): Effect.Effect<string | undefined, CaseCollision> => {
    const matches = byKey.get(name.toUpperCase()) ?? []
    if (matches.length > 1)
      return Effect.fail(new CaseCollision({ what: "database", names: matches, source }))
    const [match] = matches
    if (creating && match !== undefined && match !== name) {
      return Effect.fail(new CaseCollision({ what: "database", names: [match, name], source }))
    }
    return Effect.succeed(match)
  }
  const attachments = new Map<string, Attachment>()
  const add = (attachment: Attachment) => {
    const key = attachment.name.toUpperCase()
    const previous = attachments.get(key)
    if (previous === undefined) attachments.set(key, attachment)
    else if (previous.readOnly && !attachment.readOnly) attachments.set(key, attachment)
    else if (!previous.readOnly && !attachment.readOnly) {
      attachments.set(key, { ...previous, schemas: [...previous.schemas, ...attachment.schemas] })
    }
  }
  const current =
    access.userSql === undefined ? [] : [{ database: warehouse.database, schemas: [warehouse.schema] }]
  for (const target of [...(access.write ?? []), ...(access.userSql?.writable === true ? current : [])]) {
    yield* reserved(target.database)
    yield* stored(target.database, true)
    add({
      name: target.database,
      path: fileOf(target.database),
      readOnly: false,
      schemas: target.schemas
    })
  }
  if (access.userSql !== undefined) {
    const { sql, writable } = access.userSql
    for (const name of existing) {
      if (!RESERVED.has(name.toUpperCase()) && mentionsDatabase(sql, name)) {
        add({ name, path: fileOf(name), readOnly: !writable, schemas: [] })
      }
    }
  }
  for (const name of [
    ...(access.read ?? []),
    ...(access.userSql === undefined ? [] : [warehouse.database])
  ]) {
    const file = yield* stored(name, false)
    if (file !== undefined) add({ name: file, path: fileOf(file), readOnly: true, schemas: [] })
  }
  if (access.userSql !== undefined && !attachments.has(warehouse.database.toUpperCase())) {
    yield* reserved(warehouse.database)
    add({ name: warehouse.database, path: undefined, readOnly: false, schemas: [warehouse.schema] })
  }
  return [...attachments.values()]
})

/** Create the schemas `attachment` writes to that its database lacks; one differing only by case is a CaseCollision. */
const ensureSchemas = (connection: Connection, attachment: Attachment) =>
  Effect.gen(function* () {
    if (attachment.schemas.length === 0) return
    const reader = yield* connection.all(
      "SELECT schema_name FROM duckdb_schemas() WHERE database_name = $1",
      [attachment.name]
    )
    const present = reader.getRowsJS().map((row) => String(row[0]))
    for (const schema of new Set(attachment.schemas)) {
      const matches = present.filter((name) => name.toUpperCase() === schema.toUpperCase())
      if (matches.includes(schema)) continue
      if (matches.length > 0) {
        return yield* new CaseCollision({
          what: "schema",
          names: [...matches, schema],
          source: `The database ${Identifier.format(attachment.name)}`
        })
      }
      yield* connection.run(
        `CREATE SCHEMA IF NOT EXISTS ${Identifier.quoteQualified({ database: attachment.name, name: schema })}`
      )
    }
  })

/** Attach one database and create its schemas; a lock another process holds fails with LockConflict. */
export const attach = (
  raw: DuckDBConnection,
  connection: Connection,
  attachment: Attachment
): Effect.Effect<void, SqlError | CaseCollision | LockConflict> => {
  const statement =
    attachment.path === undefined
      ? `ATTACH ':memory:' AS ${Identifier.quote(attachment.name)}`
      : `ATTACH ${sqlString(attachment.path)} AS ${Identifier.quote(attachment.name)}${attachment.readOnly ? " (READ_ONLY)" : ""}`
  return call(raw, statement, () => raw.run(statement)).pipe(
    Effect.andThen(ensureSchemas(connection, attachment)),
    Effect.catchTag("SqlError", (error) =>
      Effect.fail(
        error.reason.includes(LOCK_CONFLICT) ? new LockConflict({ database: attachment.name }) : error
      )
    ),
    Effect.withSpan("Warehouse.attach", { attributes: { database: attachment.name } })
  )
}
