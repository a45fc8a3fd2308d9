/**
 * Local rows into a new Snowflake table: an in-memory DuckDB writes the rows of a query over local
 * files as one snappy parquet file, in a private folder (0700, removed afterwards, whatever the
 * outcome); a temporary stage of a unique name takes the file (PUT), the table is created with each
 * column's Snowflake type (SnowflakeColumnTypes), loads it by column name (COPY INTO) and the stage is
 * dropped. A load that fails drops the table it created, so nothing is left half-made.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Identifier, SqlError } from "@runbatch/spec"
import { Effect } from "effect"
import { messageOf, openDuckDb, sqlString, uniqueName } from "./Connection.ts"
import type { UseConnection } from "./FileSources.ts"
import { snowflakeTypeOf } from "./SnowflakeColumnTypes.ts"
import type { SnowflakeClient, StatementError } from "./snowflake/SnowflakeClient.ts"
import { putFile } from "./snowflake/SnowflakePut.ts"
import { snowflakeString } from "./snowflake/SnowflakeString.ts"

/** The DuckDB threads of an upload: it reads and writes files, where more would mostly wait. */
const UPLOAD_THREADS = "2"

export interface Upload<E> {
  /** The table to create (it must not exist). */
  readonly table: Identifier.FullyQualifiedName
  /** A TEMPORARY table: the session's own, dropped when it ends. */
  readonly temporary: boolean
  /**
   * The DuckDB query of the rows, and the columns to create NOT NULL: it may check its files on `use`'s
   * connection, and write files of its own to `folder`.
   */
  readonly rows: (use: UseConnection<never>, folder: string) => Effect.Effect<UploadRows, E>
}

export interface UploadRows {
  readonly sql: string
  readonly notNull?: ReadonlyArray<string>
}

/** A folder only this user can read, removed with the scope. */
const privateFolder = Effect.acquireRelease(
  Effect.tryPromise({
    // mkdtemp creates it 0700.
    try: () => mkdtemp(join(tmpdir(), "runbatch-upload-")),
    catch: (error) => new SqlError({ statement: "create an upload folder", reason: messageOf(error) })
  }),
  (folder) => Effect.promise(() => rm(folder, { recursive: true, force: true }))
)

/** A uniquely named object in `near`'s schema, spelt as Snowflake stores an unquoted name. */
export const uniqueNear = (
  near: { readonly database: string; readonly schema: string },
  prefix: string
): Identifier.FullyQualifiedName => ({
  database: near.database,
  schema: near.schema,
  name: uniqueName(prefix).toUpperCase()
})

/** Run `upload`; the number of rows the new table holds. */
export const uploadRows = <E>(
  client: SnowflakeClient,
  upload: Upload<E>
): Effect.Effect<number, E | StatementError> =>
  Effect.scoped(
    Effect.gen(function* () {
      const folder = yield* privateFolder
      const { connection } = yield* openDuckDb({
        threads: UPLOAD_THREADS,
        temp_directory: join(folder, "duckdb"),
        autoinstall_known_extensions: "false",
        autoload_known_extensions: "false"
      })
      const { sql: query, notNull = [] } = yield* upload.rows((body) => body(connection), folder)
      const qualified = Identifier.quoteQualified(upload.table)
      const create = `CREATE ${upload.temporary ? "TEMPORARY " : ""}TABLE ${qualified}`
      const columns = yield* connection.columns(query)
      const unmappable = columns.filter((c) => snowflakeTypeOf(c.type) === undefined)
      if (unmappable.length > 0)
        return yield* new SqlError({
          statement: create,
          reason: `Snowflake has no column type for ${unmappable.map((c) => `${Identifier.quote(c.name)} (${c.type.toString()})`).join(", ")}; cast ${unmappable.length === 1 ? "it" : "them"} to a type it has (VARCHAR, say) first.`,
          refused: true
        })
      const file = join(folder, "rows.snappy.parquet")
      yield* connection.run(`COPY (\n${query}\n) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION snappy)`)

      const stage = Identifier.quoteQualified(uniqueNear(upload.table, "RUNBATCH_UPLOAD"))
      yield* Effect.acquireRelease(client.run(`CREATE TEMPORARY STAGE ${stage}`), () =>
        Effect.ignore(client.run(`DROP STAGE IF EXISTS ${stage}`))
      )
      yield* putFile(client, file, `@${stage}`)
      const definitions = columns.map(
        (c) =>
          `${Identifier.quote(c.name)} ${snowflakeTypeOf(c.type)}${notNull.includes(c.name) ? " NOT NULL" : ""}`
      )
      yield* client.run(`${create} (${definitions.join(", ")})`)
      return yield* Effect.gen(function* () {
        yield* client.run(
          `COPY INTO ${qualified} FROM ${snowflakeString(`@${stage}`)} FILE_FORMAT = (TYPE = PARQUET) MATCH_BY_COLUMN_NAME = CASE_SENSITIVE`
        )
        const counted = yield* client.run(`SELECT COUNT(*) FROM ${qualified}`)
        return Number(counted.rows[0]?.[0] ?? 0)
      }).pipe(Effect.onError(() => Effect.ignore(client.run(`DROP TABLE IF EXISTS ${qualified}`))))
    })
  )
