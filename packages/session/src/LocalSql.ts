/**
 * The Sql service on the embedded local account: DuckDB files under `<home>/warehouse/`, stages under
 * `<home>/stages/`, a session folder under `<home>/tmp/` for data frames (removed when the session's
 * scope closes). Names resolve with Snowflake's rules against the account's current database and
 * schema; every generated statement quotes every identifier, so no name can change a statement.
 */
import { randomUUID } from "node:crypto"
import { rm, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { ensureDir, type LocalAccountShape } from "@runbatch/account"
import {
  CaseCollision,
  closestNames,
  Identifier,
  InvalidIdentifier,
  LocalFileError,
  SqlError,
  StageLocation,
  TableExists,
  TableNotFound
} from "@runbatch/spec"
import * as Arrow from "apache-arrow"
import { Effect, type Scope } from "effect"
import { makeTable } from "./ArrowColumns.ts"
import { toDuckDbSql } from "./ColumnType.ts"
import { tableFromReader } from "./DuckDbValues.ts"
import { describeColumns, makeRelation, planOf, type RelationPlan } from "./LocalRelation.ts"
import { columnsFromRows } from "./RowValues.ts"
import { refuseCsvCollisions, refuseParquetCollisions } from "./SourceHeaders.ts"
import type { SqlShape } from "./Sql.ts"
import { dataFilesUnder } from "./StageFiles.ts"
import { type Access, type Connection, makeWarehouse, sqlString } from "./Warehouse.ts"

export interface LocalSqlOptions {
  /** DuckDB worker threads per operation; default one per core. */
  readonly threads?: number
  /**
   * How long an operation waits for a database file another process (a job, the CLI) holds locked,
   * retrying with jittered backoff, before it fails with DatabaseBusy; default 30 s.
   */
  readonly lockWaitMillis?: number
}

export const DEFAULT_LOCK_WAIT_MILLIS = 30_000

/** Users' SQL as a relation: without its trailing semicolon, since it becomes a subquery (count, COPY). */
const asSubquery = (query: string): string => query.trim().replace(/(;\s*)+$/, "")

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Query and execute keep their SqlError | DatabaseBusy face; two database files differing by case say so. */
const collisionAsSqlError = (statement: string) => (error: CaseCollision) =>
  new SqlError({ statement, reason: error.message })

/** The rows of a query as an Arrow table (types as `ColumnType.fromDuckDb` maps them). */
const readAll = (connection: Connection, sql: string) =>
  Effect.flatMap(connection.all(sql), (reader) =>
    Effect.try({
      try: () => tableFromReader(reader, reader.currentRowCount),
      catch: (error) => new SqlError({ statement: sql, reason: messageOf(error) })
    })
  )

interface TableEntry {
  readonly database: string
  readonly schema: string
  readonly name: string
}

const listObjects = (connection: Connection, database: string, views: boolean) =>
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

const sameName = (a: string, b: string): boolean => a.toUpperCase() === b.toUpperCase()

const checkLocalFile = (path: string): Effect.Effect<void, LocalFileError> =>
  Effect.tryPromise({
    try: () => stat(path),
    catch: (error) =>
      new LocalFileError({
        path,
        reason: (error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist." : messageOf(error)
      })
  }).pipe(
    Effect.flatMap((stats) =>
      stats.isFile()
        ? Effect.void
        : Effect.fail(
            new LocalFileError({ path, reason: "it is a folder, not a file; pass the files in it." })
          )
    )
  )

/** Arrow rows → a parquet file, through parquet-wasm (loaded on first use: 15 MB of wasm). */
const writeArrowParquet = (table: Arrow.Table, path: string): Effect.Effect<void, LocalFileError> =>
  Effect.tryPromise({
    try: async () => {
      const { Compression, Table, WriterPropertiesBuilder, writeParquet } = await import("parquet-wasm")
      const properties = new WriterPropertiesBuilder().setCompression(Compression.ZSTD).build()
      await writeFile(path, writeParquet(Table.fromIPCStream(Arrow.tableToIPC(table, "stream")), properties))
    },
    catch: (error) => new LocalFileError({ path, reason: messageOf(error) })
  })

/** The Sql service over `account`; the session folder for data frames lives as long as the scope. */
export const makeLocalSql = (
  account: LocalAccountShape,
  options: LocalSqlOptions = {}
): Effect.Effect<SqlShape, never, Scope.Scope> =>
  Effect.gen(function* () {
    const context = { database: account.database, schema: account.schema }
    const warehouse = makeWarehouse({
      home: account.home,
      database: account.database,
      schema: account.schema,
      lockWaitMillis: options.lockWaitMillis ?? DEFAULT_LOCK_WAIT_MILLIS,
      ...(options.threads === undefined ? {} : { threads: options.threads })
    })
    const sessionDir = join(account.home, "tmp", `session-${process.pid}-${randomUUID().slice(0, 8)}`)
    yield* Effect.addFinalizer(() =>
      Effect.promise(() => rm(sessionDir, { recursive: true, force: true }).catch(() => undefined))
    )
    const relation = (plan: RelationPlan) => makeRelation(account, warehouse, plan)

    const parseSchema = (text: string) =>
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

    const sql: SqlShape = {
      backend: "local",
      context,

      query: (text) =>
        warehouse
          .use({ userSql: { sql: text, writable: false } }, (connection) => readAll(connection, text))
          .pipe(Effect.catchTag("CaseCollision", (e) => Effect.fail(collisionAsSqlError(text)(e)))),

      execute: (text) =>
        warehouse
          .use({ userSql: { sql: text, writable: true } }, (connection) => connection.run(text))
          .pipe(Effect.catchTag("CaseCollision", (e) => Effect.fail(collisionAsSqlError(text)(e)))),

      table: (name) =>
        Effect.gen(function* () {
          const wanted = yield* Identifier.parseFullyQualified(name, context)
          const display = Identifier.formatQualified(wanted)
          const objects = yield* warehouse.use({ read: [wanted.database] }, (connection) =>
            listObjects(connection, wanted.database, true)
          )
          const matches = objects.filter(
            (o) => sameName(o.schema, wanted.schema) && sameName(o.name, wanted.name)
          )
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
        }),

      sql: (query) => {
        const text = asSubquery(query)
        return relation({
          description: "query",
          sql: text,
          access: { userSql: { sql: text, writable: false } }
        })
      },

      readParquet: (location, readOptions = {}) =>
        Effect.gen(function* () {
          const parsed = yield* StageLocation.parse(location, context)
          const files = yield* dataFilesUnder(account, parsed, readOptions.pattern)
          yield* warehouse.use({}, (connection) =>
            refuseParquetCollisions(
              connection,
              files.map((f) => ({
                localPath: f.localPath,
                display: StageLocation.format({ ...parsed, path: f.path, isDirectory: false })
              }))
            )
          )
          return relation({
            description: `parquet ${StageLocation.format(parsed)}`,
            sql: `SELECT * FROM read_parquet([${files.map((f) => sqlString(f.localPath)).join(", ")}])`,
            access: {}
          })
        }),

      createDataFrame: (rows, schema) =>
        Effect.gen(function* () {
          const columns = yield* columnsFromRows(rows, schema)
          yield* ensureDir(sessionDir)
          const file = join(sessionDir, `frame-${randomUUID()}.parquet`)
          yield* writeArrowParquet(makeTable(columns, rows.length), file)
          const select = columns
            .map(
              (c) =>
                `CAST(${Identifier.quote(c.name)} AS ${toDuckDbSql(c.type)}) AS ${Identifier.quote(c.name)}`
            )
            .join(", ")
          return relation({
            description: `data frame (${rows.length} rows)`,
            sql: `SELECT ${select} FROM read_parquet(${sqlString(file)})`,
            access: {},
            notNull: columns.filter((c) => !c.nullable).map((c) => c.name)
          })
        }),

      createTable: (name, source, createOptions = {}) =>
        Effect.gen(function* () {
          const target = yield* Identifier.parseFullyQualified(name, context)
          const qualified = Identifier.quoteQualified(target)
          let select: string
          let read: Access = {}
          let plan: RelationPlan | undefined
          switch (source.kind) {
            case "parquet":
              if (source.paths.length === 0) {
                return yield* new LocalFileError({ path: "(none)", reason: "no parquet files were given." })
              }
              for (const path of source.paths) yield* checkLocalFile(path)
              yield* warehouse.use({}, (connection) =>
                refuseParquetCollisions(
                  connection,
                  source.paths.map((path) => ({ localPath: path, display: path }))
                )
              )
              select = `SELECT * FROM read_parquet([${source.paths.map(sqlString).join(", ")}])`
              break
            case "csv":
              yield* checkLocalFile(source.path)
              yield* warehouse.use({}, (connection) => refuseCsvCollisions(connection, source.path))
              select = `SELECT * FROM read_csv(${sqlString(source.path)})`
              break
            case "relation":
              plan = planOf(source.relation)
              select = plan.sql
              read = plan.access
              break
          }
          const statement = `CREATE ${createOptions.mode === "replace" ? "OR REPLACE " : ""}TABLE ${qualified} AS\n${select}`
          return yield* warehouse.use(
            { ...read, write: [{ database: target.database, schemas: [target.schema] }] },
            (connection) =>
              Effect.gen(function* () {
                if (plan !== undefined) yield* describeColumns(connection, plan)
                const existing = (yield* listObjects(connection, target.database, true)).filter(
                  (o) => sameName(o.schema, target.schema) && sameName(o.name, target.name)
                )
                const clash = existing.find((o) => o.name !== target.name)
                if (clash !== undefined) {
                  return yield* new CaseCollision({
                    what: "table",
                    names: [clash.name, target.name],
                    source: `The schema ${Identifier.formatQualified({ database: target.database, name: target.schema })}`
                  })
                }
                if (existing.length > 0 && createOptions.mode !== "replace") {
                  return yield* new TableExists({ table: Identifier.formatQualified(target) })
                }
                yield* connection.run(statement)
                const counted = yield* connection.all(`SELECT count(*) FROM ${qualified}`)
                return {
                  table: Identifier.formatQualified(target),
                  rows: Number(counted.getRowsJS()[0]?.[0] ?? 0)
                }
              })
          )
        }),

      listTables: (schemaName) =>
        Effect.gen(function* () {
          const where = schemaName === undefined ? context : yield* parseSchema(schemaName)
          const objects = yield* warehouse
            .use({ read: [where.database] }, (connection) => listObjects(connection, where.database, false))
            .pipe(Effect.catchTag("CaseCollision", (e) => Effect.fail(collisionAsSqlError(`SHOW TABLES`)(e))))
          return objects
            .filter((o) => sameName(o.schema, where.schema))
            .map((o) => Identifier.formatQualified(o))
            .sort()
        })
    }
    return sql
  })
