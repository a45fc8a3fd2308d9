/**
 * The local Sql's catalog operations: a table or view by name (with the closest names when it does not
 * exist), and the tables of a schema. Names match case-insensitively, as DuckDB's do.
 */
import { closestNames, Identifier, InvalidIdentifier, TableNotFound } from "@runbatch/spec"
import { Effect } from "effect"
import { type Connection, sqlString } from "./Connection.ts"
import { planOf } from "./LocalRelation.ts"
import { collisionAsSqlError, type LocalSession } from "./LocalSession.ts"

export interface TableEntry {
  readonly database: string
  readonly schema: string
  readonly name: string
}

/** The tables (and views, when `views`) of `database`. */
export const listObjects = (connection: Connection, database: string, views: boolean) =>
  Effect.map(
    connection.all(
      `SELECT database_name, schema_name, table_name FROM duckdb_tables() WHERE NOT internal${
        views
          ? " UNION ALL SELECT database_name, schema_name, view_name FROM duckdb_views() WHERE NOT internal"
          : ""
      }`
    ),
    (reader): Array<TableEntry> =>
      reader
        .getRowsJS()
        .map(([d, s, n]) => ({ database: String(d), schema: String(s), name: String(n) }))
        .filter((entry) => entry.database.toUpperCase() === database.toUpperCase())
  )

export const sameName = (a: string, b: string): boolean => a.toUpperCase() === b.toUpperCase()

/** `DATABASE.SCHEMA` or `SCHEMA` (in the current database). */
const parseSchema = (context: LocalSession["context"], text: string) =>
  Effect.gen(function* () {
    const parsed = yield* Identifier.parseQualified(text)
    if (parsed.database !== undefined) {
      return yield* new InvalidIdentifier({
        input: text,
        reason: "a schema name has at most two parts: DATABASE.SCHEMA."
      })
    }
    return { database: parsed.schema ?? context.database, schema: parsed.name }
  })

/** A table or view by name (`T`, `S.T`, `DB.S.T`), checked to exist. */
export const table = (session: LocalSession) =>
  Effect.fn("Sql.table")(function* (name: string) {
    const { context, warehouse, relation } = session
    const wanted = yield* Identifier.parseFullyQualified(name, context)
    const display = Identifier.formatQualified(wanted)
    const objects = yield* warehouse.use({ read: [wanted.database] }, (connection) =>
      listObjects(connection, wanted.database, true)
    )
    const matches = objects.filter((o) => sameName(o.schema, wanted.schema) && sameName(o.name, wanted.name))
    const [found] = matches
    if (found === undefined) {
      const inSchema = objects.filter((o) => sameName(o.schema, wanted.schema))
      const close = closestNames(
        wanted.name,
        (inSchema.length > 0 ? inSchema : objects).map((o) => o.name)
      )
      return yield* new TableNotFound({
        table: display,
        closest: close.map((n) =>
          Identifier.formatQualified(
            (inSchema.length > 0 ? inSchema : objects).find((o) => o.name === n) ?? {
              ...wanted,
              name: n
            }
          )
        )
      })
    }
    return relation({
      description: `table ${Identifier.formatQualified(found)}`,
      sql: `SELECT * FROM ${Identifier.quoteQualified(found)}`,
      access: { read: [found.database] },
      table: found
    })
  })

/** The tables of a schema (default: the current one), as `DB.SCHEMA.NAME`, sorted. */
export const listTables = (session: LocalSession) =>
  Effect.fn("Sql.listTables")(function* (schemaName?: string) {
    const { context, warehouse } = session
    const where = schemaName === undefined ? context : yield* parseSchema(context, schemaName)
    const objects = yield* warehouse
      .use({ read: [where.database] }, (connection) => listObjects(connection, where.database, false))
      .pipe(Effect.catchTag("CaseCollision", (e) => Effect.fail(collisionAsSqlError(`SHOW TABLES`)(e))))
    return objects
      .filter((o) => sameName(o.schema, where.schema))
      .map((o) => Identifier.formatQualified(o))
      .sort()
  })

/** Drop a table or view found as `table` finds it (the name as stored); false when absent with ifExists. */
export const dropTable = (session: LocalSession) =>
  Effect.fn("Sql.dropTable")(function* (name: string, options: { readonly ifExists?: boolean } = {}) {
    const found = yield* table(session)(name).pipe(
      Effect.map((relation) => planOf(relation).table),
      Effect.catchTag("TableNotFound", (error) =>
        options.ifExists === true ? Effect.succeed(undefined) : Effect.fail(error)
      )
    )
    if (found === undefined) return false
    yield* session.warehouse.use(
      { write: [{ database: found.database, schemas: [found.schema] }] },
      (connection) =>
        Effect.gen(function* () {
          const views = yield* connection.all(
            `SELECT 1 FROM duckdb_views() WHERE database_name = ${sqlString(found.database)} AND schema_name = ${sqlString(found.schema)} AND view_name = ${sqlString(found.name)}`
          )
          const kind = views.getRowsJS().length > 0 ? "VIEW" : "TABLE"
          yield* connection.run(`DROP ${kind} ${Identifier.quoteQualified(found)}`)
        })
    )
    return true
  })
