/**
 * Users' SQL naming a table that does not exist: DuckDB says "Table with name points does not exist!
 * Did you mean "pg_indexes"?" (its own catalog's names). The session says instead where the name was
 * looked for (the database and schema it resolved in), which tables of the account have a name close
 * to it, in any database and schema, and how to choose the database.
 */
import { closestNames, Identifier, SqlError } from "@runbatch/spec"
import { Effect } from "effect"
import type { LocalSession } from "./LocalSession.ts"
import { listObjects, type TableEntry } from "./LocalTables.ts"

const MISSING = /Table with name "?([^"!\s]+)"? does not exist/

/** Close table names shown, at most. */
const SHOWN = 5

/** Every table and view of every database of the account. */
const allTables = (session: LocalSession) =>
  Effect.gen(function* () {
    const databases = yield* session.warehouse.databases
    if (databases.length === 0) return [] as ReadonlyArray<TableEntry>
    return yield* session.warehouse.use({ read: databases }, (connection) =>
      Effect.map(
        Effect.forEach(databases, (database) => listObjects(connection, database, true)),
        (lists) => lists.flat()
      )
    )
  })

/** `error` told for the account, when it is DuckDB's missing-table error; else `error` as it is. */
export const explainUnknownTable =
  (session: LocalSession) =>
  (error: SqlError): Effect.Effect<never, SqlError> => {
    const missing = MISSING.exec(error.reason)?.[1]
    if (missing === undefined) return Effect.fail(error)
    return Effect.gen(function* () {
      const wanted = yield* Identifier.parseFullyQualified(missing, session.context)
      const tables = yield* allTables(session)
      const close = closestNames(
        wanted.name,
        tables.map((t) => t.name),
        SHOWN
      )
      const candidates = close
        .flatMap((name) => tables.filter((t) => t.name === name))
        .slice(0, SHOWN)
        .map((t) => Identifier.formatQualified(t))
      const where = Identifier.formatQualified({ database: wanted.database, name: wanted.schema })
      const hint =
        candidates.length > 0
          ? ` Tables of the account with a close name: ${candidates.join(", ")}.`
          : " No table of the account has a close name."
      const current = missing.includes(".") ? "" : " (the current database and schema)"
      return new SqlError({
        statement: error.statement,
        reason: `The table ${wanted.name} does not exist in ${where}${current}.${hint} Choose the database with the session's database option, or qualify the name (DATABASE.SCHEMA.${wanted.name}).`,
        refused: true
      })
    }).pipe(
      // Explaining is best effort: the account unreadable, DuckDB's own error stands.
      Effect.orElseSucceed(() => error),
      Effect.flatMap(Effect.fail)
    )
  }
