/** Logins beyond the password: key-pair JWTs, OAuth and programmatic access tokens, through snowflake-sdk. */
import { generateKeyPairSync } from "node:crypto"
import snowflake from "snowflake-sdk"
import { describe, expect, it } from "vitest"
import { mintToken, type RunningEmulator } from "../src/index.ts"
import { connect, emulator, execute } from "./support.ts"

const keyPair = () => {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
  const pem = publicKey.export({ format: "pem", type: "spki" }).toString()
  return {
    privateKey: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    publicPem: pem,
    /** What ALTER USER … SET RSA_PUBLIC_KEY takes: the PEM's base64 body. */
    publicBody: pem.replace(/-----(BEGIN|END) PUBLIC KEY-----|\s/g, "")
  }
}

/** Connect with `options` (no password); the driver's error, or the connection's current user. */
const login = async (
  running: RunningEmulator,
  options: Partial<snowflake.ConnectionOptions>
): Promise<{ readonly user?: unknown; readonly error?: snowflake.SnowflakeError }> => {
  const connection = snowflake.createConnection({
    accessUrl: running.url,
    account: running.account,
    ...options
  })
  const error = await new Promise<snowflake.SnowflakeError | undefined>((resolve) =>
    connection.connect((e) => resolve(e ?? undefined))
  )
  if (error !== undefined) return { error }
  const { rows } = await execute<Record<string, unknown>>(connection, "select current_user() as u")
  await new Promise<void>((resolve) => connection.destroy(() => resolve()))
  return { user: rows[0]?.["U"] }
}

describe("key-pair logins", () => {
  it("verify the JWT against the key set with ALTER USER … SET RSA_PUBLIC_KEY, and refuse another key", async () => {
    const running = await emulator()
    const alice = keyPair()
    const admin = await connect(running)
    await execute(admin, `alter user alice set rsa_public_key = '${alice.publicBody}'`)
    expect(
      await login(running, {
        authenticator: "SNOWFLAKE_JWT",
        username: "alice",
        privateKey: alice.privateKey
      })
    ).toEqual({
      user: "ALICE"
    })
    const other = keyPair()
    const refused = await login(running, {
      authenticator: "SNOWFLAKE_JWT",
      username: "alice",
      privateKey: other.privateKey
    })
    expect(refused.error?.code).toBe("390144")
    expect(refused.error?.message).toMatch(/no public key with the fingerprint/)
    const bob = await login(running, {
      authenticator: "SNOWFLAKE_JWT",
      username: "bob",
      privateKey: alice.privateKey
    })
    expect(bob.error?.code).toBe("390144")
    await execute(admin, "alter user alice unset rsa_public_key")
    const unset = await login(running, {
      authenticator: "SNOWFLAKE_JWT",
      username: "alice",
      privateKey: alice.privateKey
    })
    expect(unset.error?.code).toBe("390144")
  })

  it("take the publicKey option for any user, and refuse a key that is not one", async () => {
    const shared = keyPair()
    const running = await emulator({ publicKey: shared.publicPem })
    expect(
      await login(running, {
        authenticator: "SNOWFLAKE_JWT",
        username: "dana",
        privateKey: shared.privateKey
      })
    ).toEqual({
      user: "DANA"
    })
    const admin = await connect(running)
    const bad = await execute(admin, "alter user dana set rsa_public_key = 'not-a-key'").catch(
      (e: snowflake.SnowflakeError) => e
    )
    expect((bad as snowflake.SnowflakeError).message).toMatch(/not an RSA public key/)
  })
})

describe("token logins", () => {
  it("accept OAuth and programmatic access tokens the emulator minted, for their kind only", async () => {
    const running = await emulator()
    const oauth = await mintToken({ home: running.home, user: "bob", kind: "oauth" })
    expect(await login(running, { authenticator: "OAUTH", token: oauth })).toEqual({ user: "BOB" })
    const pat = await mintToken({ home: running.home, user: "carol", kind: "pat" })
    expect(
      await login(running, {
        authenticator: "PROGRAMMATIC_ACCESS_TOKEN",
        username: "carol",
        token: pat
      } as snowflake.ConnectionOptions)
    ).toEqual({ user: "CAROL" })
    const unknown = await login(running, { authenticator: "OAUTH", token: "rbemu-oauth-forged" })
    expect(unknown.error?.code).toBe("390303")
    const wrongKind = await login(running, {
      authenticator: "PROGRAMMATIC_ACCESS_TOKEN",
      username: "bob",
      token: oauth
    } as snowflake.ConnectionOptions)
    expect(wrongKind.error?.code).toBe("390100")
    const wrongUser = await login(running, {
      authenticator: "PROGRAMMATIC_ACCESS_TOKEN",
      username: "mallory",
      token: pat
    } as snowflake.ConnectionOptions)
    expect(wrongUser.error?.code).toBe("390100")
  })

  it("refuse an expired token", async () => {
    const running = await emulator()
    const token = await mintToken({ home: running.home, user: "eve", kind: "oauth", ttlSeconds: -1 })
    expect((await login(running, { authenticator: "OAUTH", token })).error?.code).toBe("390303")
  })
})
