/**
 * Relations of the embedded account: SQL text plus the databases evaluating it needs. Each evaluation
 * (`schema`, `count`, `collect`, `materialize`) is one warehouse operation: those databases attached
 * read-only, the statement run, everything closed again.
 *
 * Before rows are handed out or written, the relation's columns are read as the query spells them
 * (a prepared statement, so DuckDB has not renamed anything yet) and names that differ only by case
 * are refused: a COPY would otherwise write `A` as `A_1` without a word.
 */

import type { LocalAccountShape } from "@runbatch/account"
import type { Identifier, Signature } from "@runbatch/spec"
import { Sharding, SqlError, StageLocation } from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect } from "effect"
import type { Access } from "./Attachments.ts"
import { refuseCaseCollisions, refuseFeatureCollisions } from "./CaseCollisions.ts"
import { fromDuckDb, toFeature } from "./ColumnType.ts"
import type { Column, Connection } from "./Connection.ts"
import { tableFromReader } from "./DuckDbValues.ts"
import { checkEmptyTarget, normaliseTarget, writeParquet } from "./Materialize.ts"
import type { Materialized, MaterializeOptions, Relation, RelationError } from "./Relation.ts"
import { stagedSql } from "./StagedColumns.ts"
import type { Warehouse } from "./Warehouse.ts"

export interface RelationPlan {
  readonly description: string
  readonly sql: string
  /** What evaluating it attaches (read-only). */
  readonly access: Access
  /** For a table: where DuckDB keeps its columns' nullability. */
  readonly table?: Identifier.FullyQualifiedName
  /** Columns known not to hold nulls (a data frame's non-nullable features). */
  readonly notNull?: ReadonlyArray<string>
}

const plans = new WeakMap<Relation, RelationPlan>()

/** How to evaluate any relation: ours by its plan, a foreign one as users' SQL. */
export const planOf = (relation: Relation): RelationPlan =>
  plans.get(relation) ?? {
    description: relation.description,
    sql: relation.sql,
    access: { userSql: { sql: relation.sql, writable: false } }
  }

const sourceOf = (plan: RelationPlan): string => `The ${plan.description}`

export interface Described {
  readonly columns: ReadonlyArray<Column>
  readonly features: ReadonlyArray<Signature.Feature>
}

/** The relation's columns as written, refused if two differ only by case, and their features. */
export const describeColumns = (connection: Connection, plan: RelationPlan) =>
  Effect.gen(function* () {
    const columns = yield* connection.columns(plan.sql)
    yield* refuseCaseCollisions(
      columns.map((c) => c.name),
      "column",
      sourceOf(plan)
    )
    const notNull = new Set<string>(plan.notNull ?? [])
    if (plan.table !== undefined) {
      const reader = yield* connection.all(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = $1 AND schema_name = $2 AND table_name = $3 AND NOT is_nullable",
        [plan.table.database, plan.table.schema, plan.table.name]
      )
      for (const [name] of reader.getRowsJS()) notNull.add(String(name))
    }
    const features = columns.map((c) => toFeature(c.name, fromDuckDb(c.type), !notNull.has(c.name)))
    yield* refuseFeatureCollisions(features, sourceOf(plan))
    return { columns, features } satisfies Described
  })

/** The relation's rows (the first `limit`) as an Arrow table typed as its schema says. */
const collectRows = (connection: Connection, plan: RelationPlan, limit: number | undefined) =>
  Effect.gen(function* () {
    const { features } = yield* describeColumns(connection, plan)
    const wanted = limit === undefined ? undefined : Math.max(0, Math.floor(limit))
    const reader =
      wanted === undefined ? yield* connection.all(plan.sql) : yield* connection.first(plan.sql, wanted)
    const rows = wanted === undefined ? reader.currentRowCount : Math.min(reader.currentRowCount, wanted)
    return yield* Effect.try({
      try: (): Arrow.Table =>
        tableFromReader(reader, rows, (i) => {
          const feature = features[i]
          return feature === undefined || !("nullable" in feature) || feature.nullable
        }),
      catch: (error) => new SqlError({ statement: plan.sql, reason: (error as Error).message })
    })
  })

/**
 * `explain`: how a failure of the relation's SQL is told (a missing table in the user's query named
 * with where it was looked for, not in DuckDB's catalog terms).
 */
export const makeRelation = (
  account: LocalAccountShape,
  warehouse: Warehouse,
  plan: RelationPlan,
  explain: (error: SqlError) => Effect.Effect<never, SqlError> = Effect.fail
): Relation => {
  const use = <A, E>(body: (connection: Connection) => Effect.Effect<A, E>) => {
    const run = warehouse.use(plan.access, body)
    type Failure = Effect.Error<typeof run>
    return Effect.catch(
      run,
      (error: Failure): Effect.Effect<never, Failure | SqlError> =>
        error instanceof SqlError ? explain(error) : Effect.fail(error)
    )
  }
  const relation: Relation = {
    description: plan.description,
    sql: plan.sql,
    schema: use((connection) => Effect.map(describeColumns(connection, plan), (d) => d.features)),
    count: use((connection) =>
      Effect.map(connection.all(`SELECT count(*) FROM (\n${plan.sql}\n)`), (reader) =>
        Number(reader.getRowsJS()[0]?.[0] ?? 0)
      )
    ),
    collect: (options = {}) => use((connection) => collectRows(connection, plan, options.limit)),
    materialize: (target: StageLocation.StageLocation, options: MaterializeOptions) =>
      Effect.gen(function* () {
        const location = StageLocation.asDirectory(target)
        const folder = yield* account.stagePath(location)
        yield* checkEmptyTarget(folder, location)
        return yield* use((connection) =>
          Effect.gen(function* () {
            const { columns, features } = yield* describeColumns(connection, plan)
            const written = yield* writeParquet(connection, stagedSql(plan.sql, columns), folder, options)
            return {
              location,
              files: written.files,
              shards: Sharding.enumerate(written.files, normaliseTarget(options.targetShards), {
                ...Sharding.DEFAULT_SHARD_LIMITS,
                ...(options.maxShardBytes === undefined ? {} : { maxBytes: options.maxShardBytes })
              }),
              rows: written.rows,
              schema: features
            } satisfies Materialized
          })
        )
      }) satisfies Effect.Effect<Materialized, RelationError>
  }
  plans.set(relation, plan)
  return relation
}
