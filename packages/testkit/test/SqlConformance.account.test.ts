// The Sql conformance suite against a real Snowflake account, opt-in: RUNBATCH_TEST_SNOWFLAKE_CONNECTION
// names a connection of connections.toml (found as the CLI's --connection finds it; its warehouse runs
// the suite). Each test runs in a scratch schema of the connection's database, dropped afterwards. CI
// has no account and skips it; the same suite runs against the emulator there
// (packages/emulator/test/SqlConformance.snowflake.test.ts).
import { resolveConnection } from "@runbatch/session"
import { Effect, Layer } from "effect"
import { describe, it } from "vitest"
import { scratchSchemaLayer, sqlConformance } from "../src/index.ts"

const connection = process.env["RUNBATCH_TEST_SNOWFLAKE_CONNECTION"]

if (connection === undefined || connection === "") {
  describe.skip("Sql conformance: a real Snowflake account", () => {
    it("runs with RUNBATCH_TEST_SNOWFLAKE_CONNECTION=NAME (a connection of connections.toml)", () => {})
  })
} else {
  sqlConformance({
    backend: `snowflake account (connection ${connection})`,
    layer: () => Layer.unwrap(Effect.map(resolveConnection({ connection }), (c) => scratchSchemaLayer(c))),
    largeTimeout: 600_000
  })
}
