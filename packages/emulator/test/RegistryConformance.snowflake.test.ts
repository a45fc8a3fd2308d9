// The Snowflake layer of the ModelRegistry service against the suite every registry backend passes
// (the local layer runs it in @runbatch/testkit): ModelRegistry.layerSnowflake over a SnowflakeSession
// with the real snowflake-sdk, logged in to an emulator over a fresh home per test.
import { ModelRegistry } from "@runbatch/registry-client"
import { SnowflakeSession, SnowflakeStages } from "@runbatch/session"
import { registryConformance } from "@runbatch/testkit"
import { Effect, Layer } from "effect"
import { Emulator } from "../src/index.ts"
import { PASSWORD, snowflakeOptions, tempDir } from "./support.ts"

registryConformance({
  backend: "snowflake (emulator)",
  registry: () => {
    const home = tempDir("emulator-registry-")
    const layer = Layer.unwrap(
      Effect.map(Emulator.start({ home, password: PASSWORD, threads: 2 }), (running) =>
        Layer.merge(ModelRegistry.layerSnowflake(), SnowflakeStages.layer).pipe(
          Layer.provide(SnowflakeSession.layer(snowflakeOptions(running)))
        )
      )
    )
    return { layer, home }
  }
})
