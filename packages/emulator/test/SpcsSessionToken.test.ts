// The login of a runtime inside a Snowpark Container Services container, against the emulator: no
// connection named, the session token in the token file, where to connect in SNOWFLAKE_* variables
// (SNOWFLAKE_PROTOCOL and SNOWFLAKE_PORT so it reaches the emulator) — resolveConnection picks OAuth
// with the token, and the real driver logs in as the token's user. A token the emulator did not mint
// is refused.
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { resolveConnection, Sql } from "@runbatch/session"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { mintToken } from "../src/index.ts"
import { emulator, tempDir } from "./support.ts"

const containerLogin = async (tokenFile: string, env: Record<string, string>) =>
  Effect.runPromise(
    Effect.result(
      Sql.use((sql) => sql.query("SELECT CURRENT_USER() AS U")).pipe(
        Effect.provide(
          Layer.unwrap(
            Effect.map(
              resolveConnection({ spcsTokenFile: tokenFile, env, snowflakeHome: tempDir("snowflake-home-") }),
              Sql.layerSnowflake
            )
          )
        )
      )
    )
  )

describe("the SPCS session token", () => {
  it("logs a container in as the token's user, with no connection named", async () => {
    const running = await emulator()
    const tokenFile = join(tempDir("spcs-"), "token")
    const env = {
      SNOWFLAKE_ACCOUNT: running.account,
      SNOWFLAKE_HOST: running.host,
      SNOWFLAKE_PORT: String(running.port),
      SNOWFLAKE_PROTOCOL: "http"
    }
    writeFileSync(
      tokenFile,
      `${await mintToken({ home: running.home, user: "batch_service", kind: "oauth" })}\n`
    )
    const accepted = await containerLogin(tokenFile, env)
    expect(accepted._tag).toBe("Success")
    if (accepted._tag === "Success") expect(accepted.success.getChild("U")?.get(0)).toBe("BATCH_SERVICE")

    writeFileSync(tokenFile, "rbemu-oauth-not-a-token-the-emulator-minted")
    const refused = await containerLogin(tokenFile, env)
    expect(refused._tag).toBe("Failure")
    if (refused._tag === "Failure") {
      expect(refused.failure._tag).toBe("SnowflakeConnectFailed")
      expect(refused.failure.message).toContain("SPCS session")
      expect(refused.failure.message).not.toContain("not-a-token")
    }
  })
})
