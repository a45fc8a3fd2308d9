/**
 * The embedded account's databases: one DuckDB file per Snowflake database under `<home>/warehouse/`,
 * opened per operation. Each operation creates a DuckDB instance (an in-memory main database), attaches
 * the database files it needs under their Snowflake names — read-only for reads (shared locks), read-
 * write for writes (an exclusive lock; the file and its schemas are created on first use) — runs, and
 * closes everything, so the CLI, a library session and running jobs take turns on the same files.
 *
 * Locks: DuckDB locks a file for the whole process that opens it (POSIX record locks), so another
 * process finds it busy and retries (LockRetry) up to `lockWaitMillis`, then fails with DatabaseBusy.
 * Inside one process those locks do not separate two instances — and closing either drops the lock of
 * both — so operations of this process take an in-process mutex per file first (FileMutexes).
 *
 * Which files an operation attaches is Attachments' concern; the DuckDB calls are Connection's.
 *
 * Neither `warehouse/` nor a database file (nor its write-ahead log) may be a symbolic link
 * (LocalHome's rule): each is checked, and attached by its real path, before every operation; a link
 * fails the operation with SqlError naming it.
 */
import { mkdir, readdir } from "node:fs/promises"
import { join } from "node:path"
import {
  type CaseCollision,
  type DatabaseBusy,
  Identifier,
  LocalHome,
  LocalLayout,
  SqlError
} from "@runbatch/spec"
import { Effect, Exit, Scope } from "effect"
import { type Access, type Attachment, attach, planAttachments } from "./Attachments.ts"
import { type Connection, messageOf, openDuckDb, sqlString } from "./Connection.ts"
import { takeFileMutexes } from "./FileMutexes.ts"
import { retryWhileLocked } from "./LockRetry.ts"

export interface WarehouseOptions {
  readonly home: string
  /** The current database and schema: unqualified names in users' SQL resolve here. */
  readonly database: string
  readonly schema: string
  /** DuckDB worker threads per operation; DuckDB's default (one per core) when absent. */
  readonly threads?: number
  /** How long to retry a database another process holds locked before DatabaseBusy. */
  readonly lockWaitMillis: number
}

export interface Warehouse {
  readonly options: WarehouseOptions
  /** Names of the databases that have a file, sorted. */
  readonly databases: Effect.Effect<ReadonlyArray<string>, SqlError>
  /** Run `body` with the databases `access` names attached; retries while another process holds them. */
  readonly use: <A, E>(
    access: Access,
    body: (connection: Connection) => Effect.Effect<A, E>
  ) => Effect.Effect<A, E | SqlError | DatabaseBusy | CaseCollision>
  /**
   * The databases `access` names attached until the scope closes — while a query's rows are streamed
   * from them — and what `start` makes of the connection (its own resources, in the same scope, go
   * first); retries while another process holds them. A failed `start` releases everything before its
   * error is returned, so the error may be explained by another operation on the same files.
   */
  readonly open: <S, E>(
    access: Access,
    start: (connection: Connection) => Effect.Effect<S, E, Scope.Scope>
  ) => Effect.Effect<S, E | SqlError | DatabaseBusy | CaseCollision, Scope.Scope>
}

/** DuckDB's settings for every operation's instance. */
const duckDbConfig = (options: WarehouseOptions): Record<string, string> => ({
  autoinstall_known_extensions: "false",
  autoload_known_extensions: "false",
  // Spills of large sorts and joins go under the home folder, not the working directory.
  temp_directory: join(options.home, "tmp", "duckdb"),
  ...(options.threads === undefined ? {} : { threads: String(options.threads) })
})

/** The real path of a warehouse path, or SqlError naming the symbolic link on its way. */
const inHome = (home: string, path: string, statement: string): Effect.Effect<string, SqlError> =>
  Effect.tryPromise({
    try: () => LocalHome.locate(home, path),
    catch: (error) => new SqlError({ statement, reason: messageOf(error) })
  }).pipe(
    Effect.flatMap((placement) =>
      placement._tag === "Real"
        ? Effect.succeed(placement.path)
        : Effect.fail(
            new SqlError({
              statement,
              reason: LocalHome.linkReason(placement),
              // A name too long to keep is the user's to change, as any SQL the database refuses.
              ...(placement._tag === "NameTooLong" ? { refused: true } : {})
            })
          )
    )
  )

/** Names of the databases that have a file under `directory`, sorted. */
const listDatabases = (home: string, directory: string): Effect.Effect<ReadonlyArray<string>, SqlError> =>
  Effect.flatMap(inHome(home, directory, `list ${directory}`), (realDirectory) =>
    Effect.tryPromise({
      try: async () => {
        const names = await readdir(realDirectory).catch((error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT") return [] as Array<string>
          throw error
        })
        return names
          .filter((name) => name.endsWith(".duckdb"))
          .map((name) => LocalLayout.fromSegment(name.slice(0, -".duckdb".length)))
          .sort()
      },
      catch: (error) => new SqlError({ statement: `list ${directory}`, reason: messageOf(error) })
    })
  )

/** Each file by its real path, checked with its write-ahead log just before it is attached. */
const locateFiles = (home: string, attachments: ReadonlyArray<Attachment>) =>
  Effect.forEach(attachments, (attachment) => {
    const { path } = attachment
    if (path === undefined) return Effect.succeed(attachment)
    const statement = `ATTACH ${sqlString(path)}`
    return Effect.map(
      Effect.zip(inHome(home, path, statement), inHome(home, `${path}.wal`, statement)),
      ([real]): Attachment => ({ ...attachment, path: real })
    )
  })

/** Make the current database (and its schema, when it has it) what unqualified names resolve in. */
const useCurrent = (connection: Connection, options: WarehouseOptions) =>
  connection
    .run(`USE ${Identifier.quoteQualified({ database: options.database, name: options.schema })}`)
    .pipe(Effect.catch(() => connection.run(`USE ${Identifier.quote(options.database)}`)))

export const makeWarehouse = (options: WarehouseOptions): Warehouse => {
  const directory = LocalLayout.warehouseDir(options.home)
  const config = duckDbConfig(options)
  const databases = listDatabases(options.home, directory)

  /**
   * One try, in a scope of its own: the in-process mutexes of the files, a fresh instance with every
   * database attached, then `start`. It lasts as long as the caller's scope when it succeeds, and is
   * closed at once when it fails (LockConflict if a database is busy), so a retry starts afresh.
   */
  const attempt = <S, E>(
    access: Access,
    attachments: ReadonlyArray<Attachment>,
    start: (connection: Connection) => Effect.Effect<S, E, Scope.Scope>
  ) =>
    Effect.gen(function* () {
      const scope = yield* Scope.fork(yield* Effect.scope)
      const exit = yield* Effect.exit(
        Scope.provide(scope)(
          Effect.gen(function* () {
            yield* takeFileMutexes(attachments.flatMap((a) => (a.path === undefined ? [] : [a.path])))
            const { raw, connection } = yield* openDuckDb(config)
            for (const attachment of attachments) yield* attach(raw, connection, attachment)
            if (access.userSql !== undefined) yield* useCurrent(connection, options)
            return yield* start(connection)
          })
        )
      )
      if (Exit.isFailure(exit)) yield* Scope.close(scope, exit)
      return yield* exit
    })

  const open = Effect.fn("Warehouse.open")(function* <S, E>(
    access: Access,
    start: (connection: Connection) => Effect.Effect<S, E, Scope.Scope>
  ): Effect.fn.Return<S, E | SqlError | DatabaseBusy | CaseCollision, Scope.Scope> {
    const planned = yield* planAttachments(access, {
      directory,
      existing: yield* databases,
      fileOf: (database) => LocalLayout.databaseFile(options.home, database),
      database: options.database,
      schema: options.schema
    })
    const attachments = yield* locateFiles(options.home, planned)
    if (attachments.some((a) => !a.readOnly && a.path !== undefined)) {
      const realDirectory = yield* inHome(options.home, directory, `create ${directory}`)
      yield* Effect.tryPromise({
        try: () => mkdir(realDirectory, { recursive: true }),
        catch: (error) => new SqlError({ statement: `create ${directory}`, reason: messageOf(error) })
      })
    }
    return yield* retryWhileLocked(attempt(access, attachments, start), options.lockWaitMillis)
  })

  const use = <A, E>(access: Access, body: (connection: Connection) => Effect.Effect<A, E>) =>
    Effect.scoped(Effect.flatMap(open(access, Effect.succeed), body)).pipe(Effect.withSpan("Warehouse.use"))

  return { options, databases, use, open }
}
