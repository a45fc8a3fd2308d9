/**
 * The Snowflake Sql's tables from local rows, through SnowflakeUpload: `createTable` from parquet or
 * CSV files (checked and read as on the local account, FileSources) and `createDataFrame` (rows in
 * memory, written as on the local account, into a TEMPORARY table of the session). Replacing a table
 * loads a temporary staging table first and replaces the old one only once that has succeeded, so a
 * failed load leaves the old table as it was.
 */
import { join } from "node:path"
import { Identifier, type Signature, SqlError, TableExists } from "@runbatch/spec"
import { Effect } from "effect"
import { type FileSource, fileSourceQuery, type UseConnection } from "./FileSources.ts"
import { writeFrame } from "./LocalSources.ts"
import type { Relation } from "./Relation.ts"
import { uniqueNear, uploadRows } from "./SnowflakeUpload.ts"
import type { SessionContext } from "./Sql.ts"
import type { SnowflakeClient, StatementError } from "./snowflake/SnowflakeClient.ts"

export interface SnowflakeSqlSession {
  readonly client: SnowflakeClient
  readonly context: SessionContext
  /** Whether a table or view of this name exists. */
  readonly exists: (name: Identifier.FullyQualifiedName) => Effect.Effect<boolean, StatementError>
  readonly relation: (description: string, sql: string) => Relation
}

/** A table `target` from local files; `replace` replaces an existing one, else it is refused. */
export const createTableFromFiles = (
  session: SnowflakeSqlSession,
  target: Identifier.FullyQualifiedName,
  source: FileSource,
  replace: boolean
) =>
  Effect.gen(function* () {
    const { client, exists } = session
    // The files first, then the table, as the local account checks them.
    const rows = (use: UseConnection<never>) =>
      Effect.gen(function* () {
        const sql = yield* fileSourceQuery(source, use)
        if (!replace && (yield* exists(target)))
          return yield* new TableExists({ table: Identifier.formatQualified(target) })
        return { sql }
      })
    if (!replace) return yield* uploadRows(client, { table: target, temporary: false, rows })
    const staging = uniqueNear(target, "RUNBATCH_LOAD")
    const stagingName = Identifier.quoteQualified(staging)
    return yield* Effect.gen(function* () {
      yield* uploadRows(client, { table: staging, temporary: true, rows })
      yield* client.run(
        `CREATE OR REPLACE TABLE ${Identifier.quoteQualified(target)} AS SELECT * FROM ${stagingName}`
      )
      const counted = yield* client.run(`SELECT COUNT(*) FROM ${Identifier.quoteQualified(target)}`)
      return Number(counted.rows[0]?.[0] ?? 0)
    }).pipe(Effect.ensuring(Effect.ignore(client.run(`DROP TABLE IF EXISTS ${stagingName}`))))
  })

/** Rows given in memory, typed by `schema`, as a relation over a TEMPORARY table of the session. */
export const createDataFrame = (
  session: SnowflakeSqlSession,
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
  schema: ReadonlyArray<Signature.Feature>
) =>
  Effect.gen(function* () {
    const { context } = session
    if (context.database === "" || context.schema === "")
      return yield* new SqlError({
        statement: "CREATE TEMPORARY TABLE (a data frame)",
        reason:
          "a data frame on Snowflake is a temporary table in the current schema, and this session has none: give the connection a database and schema."
      })
    const table = uniqueNear(context, "RUNBATCH_FRAME")
    yield* uploadRows(session.client, {
      table,
      temporary: true,
      rows: (_use, folder) =>
        Effect.map(writeFrame(rows, schema, join(folder, "frame.parquet")), ({ columns, sql }) => ({
          sql,
          notNull: columns.filter((c) => !c.nullable).map((c) => c.name)
        }))
    })
    return session.relation(
      `data frame (${rows.length} rows)`,
      `SELECT * FROM ${Identifier.quoteQualified(table)}`
    )
  })
