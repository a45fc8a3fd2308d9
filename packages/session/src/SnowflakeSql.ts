/**
 * The Sql service on a Snowflake account, over one logged-in SnowflakeSession (its login, session
 * parameters and context: snowflake/SnowflakeSession.ts).
 *
 * Results are typed as the local account types the same query (the Sql conformance suite holds both to
 * it). Names follow Snowflake's rules and are kept exactly (Snowflake, unlike the local DuckDB, keeps
 * names that differ only by case apart). `createTable` from local files and `createDataFrame` upload
 * their rows (SnowflakeSources, SnowflakeUpload); `readParquet` reads staged files in SQL
 * (SnowflakeParquet); relations' `materialize` unloads with COPY INTO @stage (SnowflakeMaterialize).
 */
import {
  closestNames,
  Identifier,
  InvalidIdentifier,
  type SnowflakeStatementError,
  SqlError,
  TableExists,
  TableNotFound
} from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect, Stream } from "effect"
import { toTable } from "./SnowflakeColumns.ts"
import { parquetFormatOf, readStagedParquet } from "./SnowflakeParquet.ts"
import { makeSnowflakeRelation } from "./SnowflakeRelation.ts"
import { createDataFrame, createTableFromFiles, type SnowflakeSqlSession } from "./SnowflakeSources.ts"
import type { SessionContext, SqlShape } from "./Sql.ts"
import { cancelStatement, toSqlError } from "./snowflake/SnowflakeClient.ts"
import type { SnowflakeSessionShape } from "./snowflake/SnowflakeSession.ts"
import { snowflakeString } from "./snowflake/SnowflakeString.ts"

/** Rows per record batch of `streamQuery`, as the local account's DuckDB chunks. */
export const STREAM_BATCH_ROWS = 2_048

/** Users' SQL as a relation: without its trailing semicolon, since it becomes a subquery. */
const asSubquery = (query: string): string => query.trim().replace(/(;\s*)+$/, "")

/** The rows of a streamed statement, in batches of up to `size` (the first `limit` when given). */
async function* rowBatches(
  rows: AsyncIterable<ReadonlyArray<string | null>>,
  size: number,
  limit: number | undefined
): AsyncGenerator<Array<ReadonlyArray<string | null>>> {
  let batch: Array<ReadonlyArray<string | null>> = []
  let seen = 0
  if (limit !== undefined && limit <= 0) return
  for await (const row of rows) {
    batch.push(row)
    seen++
    if (batch.length === size) {
      yield batch
      batch = []
    }
    if (limit !== undefined && seen >= limit) break
  }
  if (batch.length > 0) yield batch
}

/** The Sql of a logged-in Snowflake session. */
export const makeSnowflakeSql = (snowflake: SnowflakeSessionShape): SqlShape => {
  const { client } = snowflake
  const context: SessionContext = snowflake.context

  const query = (text: string): Effect.Effect<Arrow.Table, SqlError | SnowflakeStatementError> =>
    Effect.flatMap(client.runAsync(text), ({ columns, rows }) =>
      Effect.try({
        try: () => toTable(columns, rows),
        catch: (error) => new SqlError({ statement: text, reason: (error as Error).message })
      })
    )

  const relation = (description: string, text: string) => makeSnowflakeRelation(client, description, text)

  /** `SHOW TABLES` of a schema: its tables' names as stored, or none when the schema does not exist. */
  const tablesIn = (where: { readonly database: string; readonly schema: string }) =>
    Effect.map(
      client.run(
        `SHOW TABLES IN SCHEMA ${Identifier.quote(where.database)}.${Identifier.quote(where.schema)}`
      ),
      ({ columns, rows }) => {
        const at = (name: string) => columns.findIndex((c) => c.name.toLowerCase() === name)
        const [d, s, n] = [at("database_name"), at("schema_name"), at("name")]
        return rows.map((row) => ({
          database: row[d] ?? where.database,
          schema: row[s] ?? where.schema,
          name: row[n] ?? ""
        }))
      }
    )

  const parseSchema = (text: string) =>
    Effect.gen(function* () {
      const parsed = yield* Identifier.parseQualified(text)
      if (parsed.database !== undefined)
        return yield* new InvalidIdentifier({
          input: text,
          reason: "a schema name has at most two parts: DATABASE.SCHEMA."
        })
      return { database: parsed.schema ?? context.database, schema: parsed.name }
    })

  /** Whether a table or view exists: its SELECT compiles. */
  const exists = (name: Identifier.FullyQualifiedName) =>
    client.describe(`SELECT * FROM ${Identifier.quoteQualified(name)}`).pipe(
      Effect.as(true),
      Effect.catchIf(
        (error) => error._tag === "SqlError" && error.refused === true,
        () => Effect.succeed(false)
      )
    )

  const session: SnowflakeSqlSession = { client, context, exists, relation }
  const parquetFormat = parquetFormatOf(session)

  const sql: SqlShape = {
    backend: "snowflake",
    context,

    query,

    streamQuery: (text, options = {}) => {
      const limit = options.limit === undefined || options.limit <= 0 ? undefined : options.limit
      return Stream.unwrap(
        Effect.gen(function* () {
          // Not acquireRelease: its acquisition cannot be interrupted, and interrupting a query that
          // is still running is what cancels it (startStream cancels on interruption).
          const started = yield* Effect.uninterruptibleMask((restore) =>
            Effect.tap(restore(client.startStream(text)), ({ statement }) =>
              Effect.addFinalizer((exit) =>
                exit._tag === "Success" ? Effect.void : cancelStatement(statement)
              )
            )
          )
          const { columns, statement } = started
          const batches = Stream.suspend(() => {
            const readable = statement.streamRows()
            return Stream.fromAsyncIterable(
              rowBatches(readable as AsyncIterable<ReadonlyArray<string | null>>, STREAM_BATCH_ROWS, limit),
              (error) => toSqlError(text, error)
            ).pipe(Stream.ensuring(Effect.sync(() => readable.destroy())))
          })
          const toBatch = (rows: ReadonlyArray<ReadonlyArray<string | null>>) =>
            Effect.try({
              try: (): Arrow.RecordBatch => {
                const [batch] = toTable(columns, rows).batches
                if (batch === undefined) throw new Error("no record batch")
                return batch
              },
              catch: (error) => new SqlError({ statement: text, reason: (error as Error).message })
            })
          return batches.pipe(
            Stream.mapEffect(toBatch),
            Stream.orElseIfEmpty(() => Stream.fromEffect(toBatch([])))
          )
        })
      )
    },

    execute: (text) => Effect.asVoid(client.runAsync(text)),

    sql: (text) => relation("query", asSubquery(text)),

    table: Effect.fn("Sql.table")(function* (name: string) {
      const wanted = yield* Identifier.parseFullyQualified(name, context)
      if (yield* exists(wanted))
        return relation(
          `table ${Identifier.formatQualified(wanted)}`,
          `SELECT * FROM ${Identifier.quoteQualified(wanted)}`
        )
      const known = yield* tablesIn(wanted).pipe(Effect.orElseSucceed(() => []))
      return yield* new TableNotFound({
        table: Identifier.formatQualified(wanted),
        closest: closestNames(
          wanted.name,
          known.map((t) => t.name)
        ).map((n) => Identifier.formatQualified({ ...wanted, name: n }))
      })
    }),

    readParquet: readStagedParquet(session, parquetFormat),

    createDataFrame: Effect.fn("Sql.createDataFrame")((rows, schema) =>
      createDataFrame(session, rows, schema)
    ),

    createTable: Effect.fn("Sql.createTable")(function* (name, source, options = {}) {
      const target = yield* Identifier.parseFullyQualified(name, context)
      const qualified = Identifier.quoteQualified(target)
      const replace = options.mode === "replace"
      if (source.kind !== "relation")
        return {
          table: Identifier.formatQualified(target),
          rows: yield* createTableFromFiles(session, target, source, replace)
        }
      if (!replace && (yield* exists(target)))
        return yield* new TableExists({ table: Identifier.formatQualified(target) })
      yield* client.run(
        `CREATE ${replace ? "OR REPLACE " : ""}TABLE ${qualified} AS\n${asSubquery(source.relation.sql)}`
      )
      const counted = yield* client.run(`SELECT COUNT(*) FROM ${qualified}`)
      return { table: Identifier.formatQualified(target), rows: Number(counted.rows[0]?.[0] ?? 0) }
    }),

    dropTable: Effect.fn("Sql.dropTable")(function* (
      name: string,
      options: { readonly ifExists?: boolean } = {}
    ) {
      const target = yield* Identifier.parseFullyQualified(name, context)
      const found = yield* sql.table(name).pipe(
        Effect.as(true),
        Effect.catchTag("TableNotFound", (error) =>
          options.ifExists === true ? Effect.succeed(false) : Effect.fail(error)
        )
      )
      if (!found) return false
      // A view is dropped as a view: Snowflake's DROP TABLE refuses one.
      const views = yield* client
        .run(
          `SHOW VIEWS LIKE ${snowflakeString(target.name)} IN SCHEMA ${Identifier.quote(target.database)}.${Identifier.quote(target.schema)}`
        )
        .pipe(Effect.orElseSucceed(() => ({ columns: [], rows: [] })))
      yield* client.run(
        `DROP ${views.rows.length > 0 ? "VIEW" : "TABLE"} ${Identifier.quoteQualified(target)}`
      )
      return true
    }),

    listTables: Effect.fn("Sql.listTables")(function* (schemaName?: string) {
      const where = schemaName === undefined ? context : yield* parseSchema(schemaName)
      const tables = yield* tablesIn(where)
      return tables.map((t) => Identifier.formatQualified(t)).sort()
    })
  }
  return sql
}
