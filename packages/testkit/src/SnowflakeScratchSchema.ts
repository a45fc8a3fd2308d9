/**
 * Sql on a real Snowflake account (or the emulator) for the conformance suite: a schema of its own per
 * layer, `RUNBATCH_CONFORMANCE_<random>` in the connection's database, created when the layer is built,
 * made current, and dropped with everything in it when the layer is released — so the suite's tables
 * never meet anyone's, and concurrent runs never meet each other's.
 */
import { randomUUID } from "node:crypto"
import { type SnowflakeConnection, Sql } from "@runbatch/session"
import { Identifier } from "@runbatch/spec"
import { Context, Effect, Layer } from "effect"

/** The schema name a scratch layer makes: upper case, so SQL may write it unquoted. */
export const scratchSchemaName = (): string =>
  `RUNBATCH_CONFORMANCE_${randomUUID().replace(/-/g, "").slice(0, 12).toUpperCase()}`

export const scratchSchemaLayer = (
  connection: SnowflakeConnection,
  schema: string = scratchSchemaName()
): Layer.Layer<Sql, unknown> =>
  Layer.effect(
    Sql,
    Effect.gen(function* () {
      const admin = Context.get(yield* Layer.build(Sql.layerSnowflake(connection)), Sql)
      const qualified = `${Identifier.quote(admin.context.database)}.${Identifier.quote(schema)}`
      yield* Effect.acquireRelease(admin.execute(`CREATE SCHEMA ${qualified}`), () =>
        Effect.ignore(admin.execute(`DROP SCHEMA IF EXISTS ${qualified} CASCADE`))
      )
      const scratch = {
        ...connection,
        options: { ...connection.options, database: admin.context.database, schema }
      }
      return Context.get(yield* Layer.build(Sql.layerSnowflake(scratch)), Sql)
    })
  )
