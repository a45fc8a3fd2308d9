/**
 * Relations of a Snowflake session: SQL text evaluated on the session's connection. `schema` compiles
 * the query without running it (describe only); `count` and `collect` run it; `materialize` unloads it
 * once as parquet files (SnowflakeMaterialize.ts).
 */
import { type Signature, SqlError } from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect } from "effect"
import { toFeature } from "./ColumnType.ts"
import type { Relation } from "./Relation.ts"
import { columnTypeOf, type SnowflakeColumn, toTable } from "./SnowflakeColumns.ts"
import { materializeOnSnowflake } from "./SnowflakeMaterialize.ts"
import type { SnowflakeClient } from "./snowflake/SnowflakeClient.ts"

const featuresOf = (columns: ReadonlyArray<SnowflakeColumn>): Array<Signature.Feature> =>
  columns.map((column) => toFeature(column.name, columnTypeOf(column), column.nullable ?? true))

export const makeSnowflakeRelation = (
  client: SnowflakeClient,
  description: string,
  sql: string
): Relation => ({
  description,
  sql,
  schema: Effect.map(client.describe(sql), featuresOf),
  count: Effect.map(client.runAsync(`SELECT COUNT(*) FROM (\n${sql}\n)`), ({ rows }) =>
    Number(rows[0]?.[0] ?? 0)
  ),
  collect: (options = {}) => {
    const limit = options.limit === undefined ? undefined : Math.max(0, Math.floor(options.limit))
    const text = limit === undefined ? sql : `SELECT * FROM (\n${sql}\n) LIMIT ${limit}`
    return Effect.flatMap(client.runAsync(text), ({ columns, rows }) =>
      Effect.try({
        try: (): Arrow.Table => toTable(columns, rows),
        catch: (error) => new SqlError({ statement: text, reason: (error as Error).message })
      })
    )
  },
  materialize: (target, options) =>
    materializeOnSnowflake(client, sql, Effect.map(client.describe(sql), featuresOf), target, options)
})
