/**
 * The Snowflake-protocol emulator: an HTTP server on 127.0.0.1 (another interface only when asked)
 * that snowflake-sdk connects to as to an account, over the embedded local account in `home`: SQL
 * runs on its DuckDB files, stages are its folders. `Emulator.start` is scoped (the server stops and
 * every session ends with the scope); `startEmulator` is its Promise face.
 *
 * ```ts
 * const emulator = await startEmulator({ home: "./emu-home" })
 * // snowflake.createConnection({ accessUrl: emulator.url, account: emulator.account, username: "me", password: "runbatch" })
 * await emulator.close()
 * ```
 */
import { createReadStream } from "node:fs"
import { mkdir } from "node:fs/promises"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { join, resolve } from "node:path"
import { DEFAULT_DATABASE, DEFAULT_SCHEMA } from "@runbatch/account"
import { EmulatorStartFailed } from "@runbatch/spec"
import { Effect, Exit, Scope } from "effect"
import { parsePublicKey } from "./Credentials.ts"
import { type EmulatorState, route } from "./Endpoints.ts"
import { resolvePassword } from "./Login.ts"
import { makeQueryHistory } from "./QueryHistory.ts"
import type { Reply } from "./Replies.ts"
import { DEFAULT_MAX_BODY_BYTES } from "./RequestBody.ts"
import { type ChunkLimits, makeResultChunks } from "./ResultChunks.ts"
import { makeRunningQueries } from "./RunningQueries.ts"
import { makeSessions, type SessionValidity } from "./Sessions.ts"
import type { Refusal } from "./StatementGate.ts"

export interface EmulatorOptions {
  /** The local account's home folder: its databases and stages are the emulated account's. */
  readonly home: string
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number
  /** Interface to listen on; default 127.0.0.1. Anything else exposes the account to that network. */
  readonly host?: string
  /** The password every user logs in with; default `RUNBATCH_EMULATOR_PASSWORD`, else `runbatch`. */
  readonly password?: string
  /**
   * An RSA public key (PEM, or its base64 body) any user may sign a key-pair login with; users' own
   * keys come from `ALTER USER … SET RSA_PUBLIC_KEY`.
   */
  readonly publicKey?: string
  /** A file that gets one JSON line per statement (`{"sql", "status", …}`), secrets redacted. */
  readonly queryLog?: string
  /** The account name the emulator reports; default `runbatch`. */
  readonly account?: string
  /** Where sessions start when the client names no database or schema; default RUNBATCH.PUBLIC. */
  readonly database?: string
  readonly schema?: string
  /** Largest request body accepted; default 64 MiB. */
  readonly maxBodyBytes?: number
  /** How long session and master tokens stay valid (seconds); default 3600 and 14400. */
  readonly validity?: SessionValidity
  /** Inline and chunk sizes of large results. */
  readonly chunkLimits?: ChunkLimits
  /** DuckDB threads per statement; default one per core. */
  readonly threads?: number
  /** How long a query-request waits for its statement before answering "in progress"; default 45 s. */
  readonly holdMillis?: number
  /**
   * Sessions start without a warehouse unless the login names one, and statements that scan data
   * (queries, DML, COPY, CREATE … AS SELECT) fail with 000606 until `USE WAREHOUSE`, as on Snowflake.
   * Default false: every session has COMPUTE_WH.
   */
  readonly requireWarehouse?: boolean
  /**
   * A testing hook: statements whose text matches are answered with that Snowflake error instead of
   * running (insufficient privileges, a feature not enabled…), so clients see it over the wire.
   */
  readonly refuse?: ReadonlyArray<Refusal>
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`: the driver's `accessUrl`. */
  readonly url: string
  readonly host: string
  readonly port: number
  /** The account name to connect with. */
  readonly account: string
  /** The home folder it serves, absolute. */
  readonly home: string
}

export const DEFAULT_ACCOUNT = "runbatch"
export const DEFAULT_HOST = "127.0.0.1"

const send = (response: ServerResponse, reply: Reply) => {
  if ("file" in reply) {
    // Not application/json: the driver would JSON.parse a chunk, which is rows without brackets.
    response.writeHead(reply.status, { "Content-Type": "application/octet-stream" })
    const stream = createReadStream(reply.file)
    stream.on("error", () => response.destroy())
    stream.pipe(response)
    return
  }
  const body = JSON.stringify(reply.json)
  response.writeHead(reply.status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body)
  })
  response.end(body)
}

const listen = (server: Server, port: number, host: string) =>
  Effect.callback<number, EmulatorStartFailed>((resume) => {
    const onError = (error: Error) =>
      resume(Effect.fail(new EmulatorStartFailed({ host, port, reason: error.message })))
    server.once("error", onError)
    server.listen(port, host, () => {
      server.off("error", onError)
      resume(Effect.succeed((server.address() as AddressInfo).port))
    })
  })

const closeServer = (server: Server) =>
  Effect.callback<void>((resume) => {
    server.close(() => resume(Effect.void))
    server.closeAllConnections()
  })

/** Start the emulator; it stops when the scope closes. */
export const start = (
  options: EmulatorOptions
): Effect.Effect<RunningEmulator, EmulatorStartFailed, Scope.Scope> =>
  Effect.gen(function* () {
    const home = resolve(options.home)
    const host = options.host ?? DEFAULT_HOST
    const account = options.account ?? DEFAULT_ACCOUNT
    const chunksDir = join(home, "tmp", `emulator-${process.pid}-${Date.now().toString(36)}`)
    yield* Effect.tryPromise({
      try: () => mkdir(home, { recursive: true }),
      catch: (error) =>
        new EmulatorStartFailed({
          host,
          port: options.port ?? 0,
          reason: `the home ${home} cannot be created: ${(error as Error).message}`
        })
    })
    const publicKey = options.publicKey === undefined ? undefined : parsePublicKey(options.publicKey)
    if (options.publicKey !== undefined && publicKey === undefined)
      return yield* new EmulatorStartFailed({
        host,
        port: options.port ?? 0,
        reason: "the publicKey option is not an RSA public key (a PEM, or the base64 body of one)"
      })
    let baseUrl = ""
    const chunks = makeResultChunks({
      dir: chunksDir,
      baseUrl: () => baseUrl,
      ...(options.chunkLimits === undefined ? {} : { limits: options.chunkLimits })
    })
    const history = makeQueryHistory(options.queryLog)
    const sessions = makeSessions(options.validity)
    const queries = makeRunningQueries(chunks)
    const state: EmulatorState = {
      home,
      account,
      history,
      chunks,
      sessions,
      queries,
      login: {
        home,
        password: resolvePassword(options.password),
        publicKey,
        defaults: {
          database: options.database ?? DEFAULT_DATABASE,
          schema: options.schema ?? DEFAULT_SCHEMA,
          warehouse: options.requireWarehouse === true ? undefined : "COMPUTE_WH",
          role: "ACCOUNTADMIN"
        }
      },
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      holdMillis: options.holdMillis ?? 45_000,
      requireWarehouse: options.requireWarehouse === true,
      refuse: options.refuse ?? [],
      ...(options.threads === undefined ? {} : { threads: options.threads })
    }
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      Effect.runPromiseExit(route(state, request)).then((exit) => {
        if (Exit.isSuccess(exit)) send(response, exit.value)
        else
          send(response, {
            status: 500,
            json: { success: false, code: "500", message: "The emulator failed on this request.", data: null }
          })
      })
    })
    const port = yield* listen(server, options.port ?? 0, host)
    baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        yield* queries.abortAll
        yield* closeServer(server)
        yield* sessions.closeAll
        yield* history.close
        yield* chunks.removeAll
      })
    )
    return { url: baseUrl, host, port, account, home }
  })

/** The Promise face: a running emulator and `close()` to stop it. */
export const startEmulator = async (
  options: EmulatorOptions
): Promise<RunningEmulator & { readonly close: () => Promise<void> }> => {
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(Scope.provide(scope)(start(options)))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw Exit.isFailure(exit)
      ? (exit.cause.reasons.find((r) => r._tag === "Fail")?.error ??
          new Error("the emulator failed to start"))
      : undefined
  }
  return { ...exit.value, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
