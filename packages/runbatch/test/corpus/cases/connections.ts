/**
 * Snowflake connections gone wrong, through `Session.snowflake` (as `--connection` resolves them): each
 * case writes its own SNOWFLAKE_HOME under the home's inputs and reads no `SNOWFLAKE_*` variable of the
 * machine; every one is refused before a byte is sent to any server.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Session } from "../../../src/index.ts"
import { type Case, call } from "../Case.ts"
import type { Fixture } from "../Fixture.ts"

/** A SNOWFLAKE_HOME for case `id` holding connections.toml with `toml`, at `mode`. */
const snowflakeHome = (fixture: Fixture, id: string, toml: string, mode = 0o600): string => {
  const dir = join(fixture.home, "inputs", id, "snowflake")
  mkdirSync(dir, { recursive: true })
  const file = join(dir, "connections.toml")
  writeFileSync(file, toml)
  chmodSync(file, mode)
  return dir
}

/** `SELECT 1` on the connection `name` of a SNOWFLAKE_HOME holding `toml`. */
const query = (id: string, name: string, toml: string, mode?: number) => (_: Session, fixture: Fixture) =>
  withSession(
    Session.snowflake({ connection: name, snowflakeHome: snowflakeHome(fixture, id, toml, mode), env: {} }),
    (session) => session.sql.query("SELECT 1")
  )

const withSession = async <A>(session: Session, use: (session: Session) => Promise<A>): Promise<A> => {
  try {
    return await use(session)
  } finally {
    await session.close()
  }
}

const EMULATOR = 'account = "runbatch"\nhost = "127.0.0.1"\nport = 9\nprotocol = "http"\nuser = "u"\n'

export const connections: ReadonlyArray<Case> = [
  call(
    "connection-file-unsafe",
    "a connections.toml others can write",
    query("connection-file-unsafe", "dev", `[dev]\n${EMULATOR}`, 0o666),
    "ConnectionFileUnsafe",
    "chmod 600"
  ),
  call(
    "connection-file-invalid",
    "a connections.toml that is not TOML",
    query("connection-file-invalid", "dev", '[dev]\naccount = "runbatch\n'),
    "ConnectionFileInvalid",
    "connections.toml"
  ),
  call(
    "connection-not-found",
    "a connection name no file defines",
    query("connection-not-found", "prod", `[dev]\n${EMULATOR}`),
    "ConnectionNotFound",
    '"prod"'
  ),
  call(
    "connection-bad-port",
    "a connection whose port is not a number",
    query("connection-bad-port", "dev", '[dev]\naccount = "runbatch"\nport = "eighty"\n'),
    "InvalidConnection",
    "port"
  ),
  call(
    "connection-plain-http",
    "a connection asking for plain http to another machine",
    query(
      "connection-plain-http",
      "dev",
      '[dev]\naccount = "runbatch"\nhost = "snowflake.example.com"\nprotocol = "http"\nuser = "u"\n'
    ),
    "InsecureTransport",
    "snowflake.example.com"
  ),
  call(
    "snowflake-jobs",
    "the jobs API asked of a Snowflake session",
    (_, fixture) =>
      withSession(
        Session.snowflake({
          connection: "dev",
          snowflakeHome: snowflakeHome(fixture, "snowflake-jobs", `[dev]\n${EMULATOR}`),
          env: {}
        }),
        (session) => session.jobs.listJobs()
      ),
    "NotOnSnowflakeYet",
    '"dev"'
  )
]
