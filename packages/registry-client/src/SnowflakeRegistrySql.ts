/**
 * The registry statements of a Snowflake account and their rows, as snowflake-ml-python sends and reads
 * them (`snowflake/ml/model/_client/sql/model.py`, `model_version.py`): `SHOW MODELS`, `SHOW VERSIONS IN
 * MODEL` with `SHOW_MODEL_DETAILS_IN_SHOW_VERSIONS_IN_MODEL = TRUE` sent as that statement's own
 * parameter (so `model_spec` is there; the session is left as it was), `SHOW FUNCTIONS IN MODEL`, and
 * `GET` of a version file under `snow://model/…`. Every value comes back as text.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { type SnowflakeClient, type StatementError, snowflakeString } from "@runbatch/session"
import { Identifier, type Json, ModelFileLocation, SqlError } from "@runbatch/spec"
import { Effect } from "effect"
import type { ModelName, RegistryScope } from "./ModelVersionInfo.ts"

/** The statement parameter that adds `model_spec` (the version's model.yaml) to SHOW VERSIONS. */
export const MODEL_DETAILS = { SHOW_MODEL_DETAILS_IN_SHOW_VERSIONS_IN_MODEL: true } as const

export type Row = Readonly<Record<string, string | null>>

/** A statement's rows as objects keyed by lower-case column name. */
export const rowsOf = (result: {
  readonly columns: ReadonlyArray<{ readonly name: string }>
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>
}): ReadonlyArray<Row> =>
  result.rows.map((values) =>
    Object.fromEntries(result.columns.map((column, i) => [column.name.toLowerCase(), values[i] ?? null]))
  )

/** `"DB"."SCHEMA"."MODEL"`, as generated SQL names a model. */
export const modelSql = (model: ModelName): string => Identifier.quoteQualified(model)

/** A SHOW statement's `LIKE` pattern for `name` (its `_` may match more: callers compare names). */
const likeExactly = (name: string): string => snowflakeString(name)

/** `SHOW MODELS` of a schema, or only the one named (LIKE is case-insensitive: callers compare names). */
export const showModels = (
  client: SnowflakeClient,
  scope: RegistryScope,
  name?: string
): Effect.Effect<ReadonlyArray<Row>, StatementError> =>
  Effect.map(
    client.run(
      `SHOW MODELS${name === undefined ? "" : ` LIKE ${likeExactly(name)}`} IN SCHEMA ${Identifier.quote(scope.database)}.${Identifier.quote(scope.schema)}`
    ),
    rowsOf
  )

/** `SHOW VERSIONS IN MODEL`, with each version's `model_spec`. */
export const showVersions = (
  client: SnowflakeClient,
  model: ModelName
): Effect.Effect<ReadonlyArray<Row>, StatementError> =>
  Effect.map(client.run(`SHOW VERSIONS IN MODEL ${modelSql(model)}`, { parameters: MODEL_DETAILS }), rowsOf)

/** `SHOW FUNCTIONS IN MODEL … VERSION …`. */
export const showFunctions = (
  client: SnowflakeClient,
  model: ModelName,
  version: string
): Effect.Effect<ReadonlyArray<Row>, StatementError> =>
  Effect.map(
    client.run(`SHOW FUNCTIONS IN MODEL ${modelSql(model)} VERSION ${Identifier.quote(version)}`),
    rowsOf
  )

/** A JSON column's value (`[]`, `{}` when empty or unreadable: Snowflake shows nothing as null). */
export const jsonColumn = <A extends Json>(text: string | null | undefined, empty: A): A => {
  if (text === null || text === undefined || text.trim() === "") return empty
  try {
    return JSON.parse(text) as A
  } catch {
    return empty
  }
}

export const isTrue = (text: string | null | undefined): boolean => (text ?? "").toLowerCase() === "true"

/**
 * The text of one file of a version, downloaded with `GET 'snow://model/…' 'file://<private folder>/'`.
 * That snowflake-sdk carries out a GET of a `snow://` location as of any stage (it checks only the
 * `GET` prefix; the server supplies where the file lies) is verified against the emulator only, not
 * on a real account; callers need it only when `SHOW FUNCTIONS` lists no function.
 */
export const readVersionFile = (
  client: SnowflakeClient,
  model: ModelName,
  version: string,
  path: string
): Effect.Effect<string, StatementError> =>
  Effect.scoped(
    Effect.gen(function* () {
      const folder = yield* Effect.acquireRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "runbatch-model-file-"))),
        (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
      )
      const location = ModelFileLocation.format({ ...model, model: model.name, version, path })
      const umask = process.umask()
      yield* client
        .run(`GET ${snowflakeString(location)} ${snowflakeString(`file://${folder}/`)}`)
        .pipe(Effect.ensuring(Effect.sync(() => process.umask(umask))))
      return yield* Effect.tryPromise({
        try: () => readFile(join(folder, basename(path)), "utf8"),
        catch: (error) =>
          new SqlError({
            statement: `GET ${location}`,
            reason: `the GET reported success but left no file ${basename(path)}: ${String(error)}`
          })
      })
    })
  )
