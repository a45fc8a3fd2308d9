// The Snowflake StageStore (SnowflakeStages.layer: LIST, GET, PUT, REMOVE with the real snowflake-sdk)
// against the suite every StageStore backend passes (the local store runs it in @runbatch/testkit),
// logged in to an emulator over a fresh home per test, its stages created as runbatch creates its own.
import { SnowflakeSession, SnowflakeStages } from "@runbatch/session"
import { CONFORMANCE_STAGES, CONFORMANCE_TABLE, stageStoreConformance } from "@runbatch/testkit"
import { Effect, Layer } from "effect"
import { Emulator } from "../src/index.ts"
import { PASSWORD, snowflakeOptions, tempDir } from "./support.ts"

/**
 * The session, with the suite's stages created (server-side encrypted, as runbatch creates stages) and
 * the table whose table stage it uses.
 */
const sessionWithStages = () =>
  Layer.unwrap(
    Effect.map(
      Emulator.start({ home: tempDir("emulator-stages-"), password: PASSWORD, threads: 2 }),
      (running) =>
        Layer.effectDiscard(
          SnowflakeSession.use(({ client }) =>
            Effect.forEach(
              [
                ...CONFORMANCE_STAGES.map(
                  (name) => `CREATE STAGE ${name} ENCRYPTION = (TYPE = 'SNOWFLAKE_SSE')`
                ),
                `CREATE TABLE ${CONFORMANCE_TABLE} (X INT)`
              ],
              (sql) => client.run(sql)
            )
          )
        ).pipe(Layer.provideMerge(SnowflakeSession.layer(snowflakeOptions(running))))
    )
  )

stageStoreConformance({
  backend: "snowflake (emulator)",
  layer: () => SnowflakeStages.layer.pipe(Layer.provide(sessionWithStages())),
  largeTimeout: 120_000
})
