/**
 * What logins other than a password are checked against, kept in the home so they outlive the
 * process and other processes can add to them:
 *
 * - RSA public keys per user (`ALTER USER u SET RSA_PUBLIC_KEY = '…'`, `RSA_PUBLIC_KEY_2`), plus the
 *   emulator's `publicKey` option, which any user may sign with: a key-pair login's JWT (RS256) must
 *   verify against one of them (`<home>/emulator/users.json`);
 * - OAuth and programmatic access tokens minted by `mintToken` (`runbatch emulator token`), stored as
 *   SHA-256 hashes with their user and expiry (`<home>/emulator/tokens.json`, mode 0600); a token not
 *   minted there is refused.
 */
import { createHash, createPublicKey, type KeyObject, randomBytes, verify } from "node:crypto"
import { join } from "node:path"
import { emulatorFolder, readJson, writeJson } from "./EmulatorFiles.ts"

export type TokenKind = "oauth" | "pat"

interface StoredToken {
  readonly sha256: string
  readonly kind: TokenKind
  readonly user: string
  /** Epoch milliseconds. */
  readonly expiresAt: number
}

/** A user's keys by slot: `RSA_PUBLIC_KEY`, `RSA_PUBLIC_KEY_2` (Snowflake's two, for rotation). */
type Users = Record<string, Record<string, string>>

export const KEY_SLOTS = ["RSA_PUBLIC_KEY", "RSA_PUBLIC_KEY_2"] as const
export type KeySlot = (typeof KEY_SLOTS)[number]

const usersFile = (home: string) => join(emulatorFolder(home), "users.json")
const tokensFile = (home: string) => join(emulatorFolder(home), "tokens.json")

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

/** A public key as Snowflake takes it (the base64 body of a PEM, or a whole PEM), or undefined. */
export const parsePublicKey = (text: string): KeyObject | undefined => {
  const body = text.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "")
  try {
    return createPublicKey({ key: Buffer.from(body, "base64"), format: "der", type: "spki" })
  } catch {
    return undefined
  }
}

/** `SHA256:<base64>` of a key's DER form: the fingerprint a key-pair JWT's issuer names. */
export const fingerprintOf = (key: KeyObject): string =>
  `SHA256:${createHash("sha256")
    .update(key.export({ format: "der", type: "spki" }))
    .digest("base64")}`

/** The RSA public keys `user` may sign a key-pair login with. */
export const publicKeysOf = async (home: string, user: string): Promise<ReadonlyArray<string>> =>
  Object.values((await readJson<Users>(usersFile(home), {}))[user] ?? {})

/** Set `user`'s key in `slot`, or remove it (`undefined`). */
export const setPublicKey = async (
  home: string,
  user: string,
  slot: KeySlot,
  key: string | undefined
): Promise<void> => {
  const users = await readJson<Users>(usersFile(home), {})
  const keys = { ...(users[user] ?? {}) }
  if (key === undefined) delete keys[slot]
  else keys[slot] = key
  users[user] = keys
  await writeJson(usersFile(home), users, 0o644)
}

export interface MintOptions {
  /** The emulator's home folder. */
  readonly home: string
  readonly user: string
  readonly kind: TokenKind
  /** How long the token is valid; default one hour. */
  readonly ttlSeconds?: number
}

/** A new OAuth or programmatic access token for `user`; only its hash is stored. */
export const mintToken = async (options: MintOptions): Promise<string> => {
  const token = `rbemu-${options.kind}-${randomBytes(32).toString("base64url")}`
  const tokens = await readJson<ReadonlyArray<StoredToken>>(tokensFile(options.home), [])
  const now = Date.now()
  const stored: StoredToken = {
    sha256: sha256(token),
    kind: options.kind,
    user: options.user.toUpperCase(),
    expiresAt: now + (options.ttlSeconds ?? 3600) * 1000
  }
  await writeJson(tokensFile(options.home), [...tokens.filter((t) => t.expiresAt > now), stored], 0o600)
  return token
}

/** The user a token was minted for, if it was minted as `kind` and is still valid. */
export const tokenUser = async (
  home: string,
  token: string,
  kind: TokenKind
): Promise<string | undefined> => {
  const hash = sha256(token)
  const tokens = await readJson<ReadonlyArray<StoredToken>>(tokensFile(home), [])
  const found = tokens.find((t) => t.sha256 === hash && t.kind === kind && t.expiresAt > Date.now())
  return found?.user
}

const base64url = (text: string) => Buffer.from(text, "base64url")

/**
 * Check a key-pair login's JWT: RS256, signed by one of `keys`, whose fingerprint its issuer names,
 * for `user` (`sub` is `ACCOUNT.USER`), not expired. The reason it is refused, or undefined.
 */
export const checkJwt = (jwt: string, user: string, keys: ReadonlyArray<KeyObject>): string | undefined => {
  const parts = jwt.split(".")
  if (parts.length !== 3) return "the token is not a JWT"
  const [header, payload, signature] = parts as [string, string, string]
  let claims: { iss?: unknown; sub?: unknown; exp?: unknown }
  try {
    const head = JSON.parse(base64url(header).toString("utf8")) as { alg?: unknown }
    if (head.alg !== "RS256") return `the JWT is signed with ${String(head.alg)}, not RS256`
    claims = JSON.parse(base64url(payload).toString("utf8")) as typeof claims
  } catch {
    return "the JWT's header or claims are not JSON"
  }
  const subject = String(claims.sub ?? "")
  if (subject.split(".").pop() !== user) return `the JWT is for ${subject}, not for the user ${user}`
  const exp = Number(claims.exp)
  // The driver writes milliseconds where the JWT standard has seconds: take either.
  const expiresAt = exp > 1e12 ? exp : exp * 1000
  if (!Number.isFinite(expiresAt) || expiresAt < Date.now()) return "the JWT has expired"
  const fingerprint = String(claims.iss ?? "")
    .split(".")
    .pop()
  const key = keys.find((k) => fingerprintOf(k) === fingerprint)
  if (key === undefined) return `no public key with the fingerprint ${fingerprint} is set for ${user}`
  const signed = verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), key, base64url(signature))
  return signed ? undefined : "the JWT's signature does not verify with the user's public key"
}
