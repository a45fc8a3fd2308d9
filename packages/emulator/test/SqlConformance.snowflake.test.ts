// The Snowflake layer of the Sql service against the suite every Sql backend passes (the local layer
// runs it in @runbatch/testkit): Sql.layerSnowflake with the real snowflake-sdk, logged in to an
// emulator over a fresh home per test.
import { Sql } from "@runbatch/session"
import { sqlConformance } from "@runbatch/testkit"
import { Effect, Layer, Redacted } from "effect"
import { Emulator } from "../src/index.ts"
import { PASSWORD, tempDir } from "./support.ts"

sqlConformance({
  backend: "snowflake (emulator)",
  layer: () => {
    const home = tempDir("emulator-sql-conformance-")
    return Layer.unwrap(
      Effect.map(Emulator.start({ home, password: PASSWORD, threads: 2 }), (running) =>
        Sql.layerSnowflake({
          name: "emulator",
          account: running.account,
          username: "tester",
          password: Redacted.make(PASSWORD),
          host: running.host,
          port: running.port,
          protocol: "http",
          database: "ML",
          schema: "PUBLIC"
        })
      )
    )
  },
  largeTimeout: 300_000
})
