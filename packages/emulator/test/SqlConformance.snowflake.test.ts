// The Snowflake layer of the Sql service against the suite every Sql backend passes (the local layer
// runs it in @runbatch/testkit): Sql.layerSnowflake with the real snowflake-sdk, logged in to an
// emulator over a fresh home per test.
import { sqlConformance } from "@runbatch/testkit"
import { snowflakeSqlLayer } from "./support.ts"

sqlConformance({
  backend: "snowflake (emulator)",
  layer: () => snowflakeSqlLayer(),
  largeTimeout: 300_000
})
