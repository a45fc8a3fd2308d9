// The scratch schema the conformance suite uses on a real account (@runbatch/testkit
// scratchSchemaLayer), against the emulator: created and current while the layer lives, dropped with
// its tables when the layer is released.
import { type SnowflakeConnection, Sql } from "@runbatch/session"
import { scratchSchemaLayer } from "@runbatch/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { emulator, snowflakeOptions } from "./support.ts"

describe("scratchSchemaLayer", () => {
  it("makes a schema of its own current, and drops it with its tables afterwards", async () => {
    const running = await emulator()
    const { name: _name, ...options } = snowflakeOptions(running)
    const connection: SnowflakeConnection = {
      origin: { kind: "named", name: "emulator", files: [] },
      options,
      ignoredKeys: []
    }
    const inside = await Effect.runPromise(
      Sql.use((sql) =>
        Effect.gen(function* () {
          yield* sql.execute("CREATE TABLE T AS SELECT 1 AS X")
          return { context: sql.context, tables: yield* sql.listTables() }
        })
      ).pipe(Effect.provide(scratchSchemaLayer(connection, "RUNBATCH_CONFORMANCE_TEST")))
    )
    expect(inside).toEqual({
      context: { database: "ML", schema: "RUNBATCH_CONFORMANCE_TEST" },
      tables: ["ML.RUNBATCH_CONFORMANCE_TEST.T"]
    })
    const schemas = await Effect.runPromise(
      Sql.use((sql) => sql.query("SHOW SCHEMAS IN DATABASE ML")).pipe(
        Effect.provide(Sql.layerSnowflake(connection))
      )
    )
    expect(schemas.getChild("name")?.toArray()).not.toContain("RUNBATCH_CONFORMANCE_TEST")
    expect(schemas.getChild("name")?.toArray()).toContain("PUBLIC")
  })
})
