// The ModelRegistry conformance suite against a real Snowflake account, opt-in:
// RUNBATCH_TEST_SNOWFLAKE_CONNECTION names a connection of connections.toml (its role must be able to
// create a schema and models in its database). Each test logs its models in a scratch schema, dropped
// with them afterwards. CI has no account and skips it; the same suite runs against the emulator there
// (packages/emulator/test/RegistryConformance.snowflake.test.ts).
import { ModelRegistry } from "@runbatch/registry-client"
import { resolveConnection, SnowflakeSession, SnowflakeStages } from "@runbatch/session"
import { Identifier } from "@runbatch/spec"
import { Effect, Layer } from "effect"
import { describe, it } from "vitest"
import { registryConformance, scratchSchemaName } from "../src/index.ts"

const connection = process.env["RUNBATCH_TEST_SNOWFLAKE_CONNECTION"]

/** The Snowflake registry of a scratch schema, created with the layer and dropped with it. */
const scratchRegistry = (name: string) =>
  Layer.effect(
    ModelRegistry,
    Effect.gen(function* () {
      const session = yield* SnowflakeSession
      const schema = scratchSchemaName()
      const qualified = `${Identifier.quote(session.context.database)}.${Identifier.quote(schema)}`
      yield* Effect.acquireRelease(session.client.run(`CREATE SCHEMA ${qualified}`), () =>
        Effect.ignore(session.client.run(`DROP SCHEMA IF EXISTS ${qualified} CASCADE`))
      )
      return (yield* ModelRegistry).forSchema({ database: session.context.database, schema })
    })
  ).pipe(
    Layer.provide(ModelRegistry.layerSnowflake()),
    Layer.merge(SnowflakeStages.layer),
    Layer.provideMerge(
      Layer.unwrap(Effect.map(resolveConnection({ connection: name }), (c) => SnowflakeSession.layer(c)))
    )
  )

if (connection === undefined || connection === "") {
  describe.skip("ModelRegistry conformance: a real Snowflake account", () => {
    it("runs with RUNBATCH_TEST_SNOWFLAKE_CONNECTION=NAME (a connection of connections.toml)", () => {})
  })
} else {
  registryConformance({
    backend: `snowflake account (connection ${connection})`,
    registry: () => ({ layer: scratchRegistry(connection) })
  })
}
