/**
 * The embedded account's databases: one DuckDB file per Snowflake database under `<home>/warehouse/`,
 * opened per operation. Each operation creates a DuckDB instance (an in-memory main database), attaches
 * the database files it needs under their Snowflake names — read-only for reads (shared locks), read-
 * write for writes (an exclusive lock; the file and its schemas are created on first use) — runs, and
 * closes everything, so the CLI, a library session and running jobs take turns on the same files.
 *
 * Locks: DuckDB locks a file for the whole process that opens it (POSIX record locks), so another
 * process finds it busy and retries here with jittered backoff up to `lockWaitMillis`, then fails with
 * DatabaseBusy. Inside one process those locks do not separate two instances — and closing either
 * drops the lock of both — so operations of this process take an in-process mutex per file first.
 *
 * Neither `warehouse/` nor a database file (nor its write-ahead log) may be a symbolic link
 * (LocalHome's rule): each is checked, and attached by its real path, before every operation; a link
 * fails the operation with SqlError naming it.
 */
import { randomUUID } from "node:crypto"
import { mkdir, readdir } from "node:fs/promises"
import { join } from "node:path"
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBResultReader,
  type DuckDBType,
  type DuckDBValue
} from "@duckdb/node-api"
import { CaseCollision, DatabaseBusy, Identifier, LocalHome, LocalLayout, SqlError } from "@runbatch/spec"
import { Data, Effect, Semaphore } from "effect"

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

export interface WriteTarget {
  readonly database: string
  /** Schemas the operation writes to; created on first use. */
  readonly schemas: ReadonlyArray<string>
}

/** Which databases an operation attaches. */
export interface Access {
  /** Attached read-only when their files exist (names match case-insensitively, as DuckDB's do). */
  readonly read?: ReadonlyArray<string>
  /** Attached read-write; the file and the schemas are created on first use. */
  readonly write?: ReadonlyArray<WriteTarget>
  /**
   * Users' SQL: attach the current database (an empty stand-in if it has no file yet, so unqualified
   * names give DuckDB's own "does not exist" errors) and make it current, and attach every existing
   * database the text names as `DB.` — read-write when `writable`.
   */
  readonly userSql?: { readonly sql: string; readonly writable: boolean }
}

export interface Column {
  readonly name: string
  readonly type: DuckDBType
}

/** What an operation runs its statements with; every failure becomes a SqlError naming the statement. */
export interface Connection {
  /** Run `sql` (one or more statements) for its effect. */
  readonly run: (sql: string) => Effect.Effect<void, SqlError>
  /** Run a query and read all its rows. */
  readonly all: (
    sql: string,
    params?: ReadonlyArray<DuckDBValue>
  ) => Effect.Effect<DuckDBResultReader, SqlError>
  /** Run a query and read at least `rows` rows of it (or all, if fewer), without computing the rest. */
  readonly first: (sql: string, rows: number) => Effect.Effect<DuckDBResultReader, SqlError>
  /** A query's columns, as written (no renaming of colliding names), without running it. */
  readonly columns: (sql: string) => Effect.Effect<ReadonlyArray<Column>, SqlError>
}

/** Catalog names DuckDB keeps for itself (`memory` is each instance's in-memory main database). */
const RESERVED = new Set(["TEMP", "SYSTEM", "MEMORY"])
const LOCK_CONFLICT = "Could not set lock on file"

class LockConflict extends Data.TaggedError("LockConflict")<{ readonly database: string }> {}

interface Attachment {
  readonly name: string
  /** `undefined`: an empty in-memory stand-in for a current database that has no file yet. */
  readonly path: string | undefined
  readonly readOnly: boolean
  readonly schemas: ReadonlyArray<string>
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** DuckDB's own kinds of error for a statement it refused before running it (its message's prefix). */
const REFUSED = /^(Parser|Binder|Catalog) Error/

/** A statement DuckDB failed, marked `refused` when the statement itself was at fault. */
const sqlError = (statement: string, error: unknown): SqlError => {
  const reason = messageOf(error)
  return new SqlError({ statement, reason, refused: REFUSED.test(reason) })
}

export const sqlString = (text: string): string => `'${text.replace(/'/g, "''")}'`

// One mutex per database file for the whole process (see the module comment).
const fileMutexes = new Map<string, Semaphore.Semaphore>()
const mutexFor = (path: string): Semaphore.Semaphore => {
  let mutex = fileMutexes.get(path)
  if (mutex === undefined) {
    mutex = Semaphore.makeUnsafe(1)
    fileMutexes.set(path, mutex)
  }
  return mutex
}

/** Hold the mutexes of `paths` (in sorted order, so two operations never wait on each other) around `effect`. */
const withFileMutexes = <A, E, R>(
  paths: ReadonlyArray<string>,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  [...new Set(paths)]
    .sort()
    .reverse()
    .reduce((inner, path) => mutexFor(path).withPermits(1)(inner), effect)

/**
 * A DuckDB call as an Effect. Interrupting it interrupts the query and waits for DuckDB to stop, so
 * the connection is never closed (and its file lock never released) under a running statement.
 */
const call = <A>(
  connection: DuckDBConnection,
  statement: string,
  run: () => Promise<A>
): Effect.Effect<A, SqlError> =>
  Effect.callback<A, SqlError>((resume) => {
    const pending = run()
    pending.then(
      (value) => resume(Effect.succeed(value)),
      (error) => resume(Effect.fail(sqlError(statement, error)))
    )
    return Effect.promise(() => {
      connection.interrupt()
      return pending.then(
        () => undefined,
        () => undefined
      )
    })
  })

const connectionOf = (connection: DuckDBConnection): Connection => ({
  run: (sql) => call(connection, sql, () => connection.run(sql)).pipe(Effect.asVoid),
  all: (sql, params) =>
    call(connection, sql, () =>
      params === undefined ? connection.runAndReadAll(sql) : connection.runAndReadAll(sql, [...params])
    ),
  first: (sql, rows) => call(connection, sql, () => connection.streamAndReadUntil(sql, rows)),
  columns: (sql) =>
    call(connection, sql, async () => {
      const prepared = await connection.prepare(sql)
      try {
        return Array.from({ length: prepared.columnCount }, (_, i) => ({
          name: prepared.columnName(i),
          type: prepared.columnType(i)
        }))
      } finally {
        prepared.destroySync()
      }
    })
})

/** Sleep on the real clock: lock waits are about other processes, never about a test's virtual time. */
const sleepMillis = (millis: number): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), millis)
    return Effect.sync(() => clearTimeout(timer))
  })

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** Whether `sql` names the database `name` as a qualifier (`name.`, `"name".`), ignoring case as DuckDB does. */
export const mentionsDatabase = (sql: string, name: string): boolean => {
  const quoted = new RegExp(`"${escapeRegExp(name.replace(/"/g, '""'))}"\\s*\\.`, "i")
  if (quoted.test(sql)) return true
  return (
    /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) &&
    new RegExp(`(?<![A-Za-z0-9_$"])${escapeRegExp(name)}\\s*\\.`, "i").test(sql)
  )
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
}

export const makeWarehouse = (options: WarehouseOptions): Warehouse => {
  const directory = LocalLayout.warehouseDir(options.home)
  const fileOf = (database: string) => LocalLayout.databaseFile(options.home, database)
  const config: Record<string, string> = {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    // Spills of large sorts and joins go under the home folder, not the working directory.
    temp_directory: join(options.home, "tmp", "duckdb"),
    ...(options.threads === undefined ? {} : { threads: String(options.threads) })
  }

  /** The real path of a warehouse path, or SqlError naming the symbolic link on its way. */
  const inHome = (path: string, statement: string): Effect.Effect<string, SqlError> =>
    Effect.tryPromise({
      try: () => LocalHome.locate(options.home, path),
      catch: (error) => new SqlError({ statement, reason: messageOf(error) })
    }).pipe(
      Effect.flatMap((placement) =>
        placement._tag === "Real"
          ? Effect.succeed(placement.path)
          : Effect.fail(new SqlError({ statement, reason: LocalHome.linkReason(placement) }))
      )
    )

  const databases = Effect.flatMap(inHome(directory, `list ${directory}`), (realDirectory) =>
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

  const reserved = (name: string): Effect.Effect<void, SqlError> =>
    RESERVED.has(name.toUpperCase())
      ? Effect.fail(
          new SqlError({
            statement: `ATTACH AS ${Identifier.quote(name)}`,
            reason: `DuckDB reserves the database name ${name}, so the embedded account cannot use it. Choose another database name.`,
            refused: true
          })
        )
      : Effect.void

  const plan = (access: Access): Effect.Effect<ReadonlyArray<Attachment>, SqlError | CaseCollision> =>
    Effect.gen(function* () {
      const existing = yield* databases
      const byKey = new Map<string, Array<string>>()
      for (const name of existing)
        byKey.set(name.toUpperCase(), [...(byKey.get(name.toUpperCase()) ?? []), name])
      const source = `The warehouse ${directory}`
      // The file a name stands for: DuckDB attaches catalogs case-insensitively, so two files whose
      // names differ only by case cannot both be used, and a new database cannot shadow an old one.
      const stored = (name: string, creating: boolean): Effect.Effect<string | undefined, CaseCollision> => {
        const matches = byKey.get(name.toUpperCase()) ?? []
        if (matches.length > 1)
          return Effect.fail(new CaseCollision({ what: "database", names: matches, source }))
        const [match] = matches
        if (creating && match !== undefined && match !== name) {
          return Effect.fail(new CaseCollision({ what: "database", names: [match, name], source }))
        }
        return Effect.succeed(match)
      }
      const attachments = new Map<string, Attachment>()
      const add = (attachment: Attachment) => {
        const key = attachment.name.toUpperCase()
        const previous = attachments.get(key)
        if (previous === undefined) attachments.set(key, attachment)
        else if (previous.readOnly && !attachment.readOnly) attachments.set(key, attachment)
        else if (!previous.readOnly && !attachment.readOnly) {
          attachments.set(key, { ...previous, schemas: [...previous.schemas, ...attachment.schemas] })
        }
      }
      const current =
        access.userSql === undefined ? [] : [{ database: options.database, schemas: [options.schema] }]
      for (const target of [...(access.write ?? []), ...(access.userSql?.writable === true ? current : [])]) {
        yield* reserved(target.database)
        yield* stored(target.database, true)
        add({
          name: target.database,
          path: fileOf(target.database),
          readOnly: false,
          schemas: target.schemas
        })
      }
      if (access.userSql !== undefined) {
        const { sql, writable } = access.userSql
        for (const name of existing) {
          if (!RESERVED.has(name.toUpperCase()) && mentionsDatabase(sql, name)) {
            add({ name, path: fileOf(name), readOnly: !writable, schemas: [] })
          }
        }
      }
      for (const name of [
        ...(access.read ?? []),
        ...(access.userSql === undefined ? [] : [options.database])
      ]) {
        const file = yield* stored(name, false)
        if (file !== undefined) add({ name: file, path: fileOf(file), readOnly: true, schemas: [] })
      }
      if (access.userSql !== undefined && !attachments.has(options.database.toUpperCase())) {
        yield* reserved(options.database)
        add({ name: options.database, path: undefined, readOnly: false, schemas: [options.schema] })
      }
      return [...attachments.values()]
    })

  const ensureSchemas = (connection: Connection, attachment: Attachment) =>
    Effect.gen(function* () {
      if (attachment.schemas.length === 0) return
      const reader = yield* connection.all(
        "SELECT schema_name FROM duckdb_schemas() WHERE database_name = $1",
        [attachment.name]
      )
      const present = reader.getRowsJS().map((row) => String(row[0]))
      for (const schema of new Set(attachment.schemas)) {
        const matches = present.filter((name) => name.toUpperCase() === schema.toUpperCase())
        if (matches.includes(schema)) continue
        if (matches.length > 0) {
          return yield* new CaseCollision({
            what: "schema",
            names: [...matches, schema],
            source: `The database ${Identifier.format(attachment.name)}`
          })
        }
        yield* connection.run(
          `CREATE SCHEMA IF NOT EXISTS ${Identifier.quoteQualified({ database: attachment.name, name: schema })}`
        )
      }
    })

  /** Attach one database; a lock another process holds comes back as a LockConflict value to retry on. */
  const attach = (
    raw: DuckDBConnection,
    connection: Connection,
    attachment: Attachment
  ): Effect.Effect<LockConflict | undefined, SqlError | CaseCollision> => {
    const statement =
      attachment.path === undefined
        ? `ATTACH ':memory:' AS ${Identifier.quote(attachment.name)}`
        : `ATTACH ${sqlString(attachment.path)} AS ${Identifier.quote(attachment.name)}${attachment.readOnly ? " (READ_ONLY)" : ""}`
    return call(raw, statement, () => raw.run(statement)).pipe(
      Effect.andThen(ensureSchemas(connection, attachment)),
      Effect.as(undefined),
      Effect.catchTag(
        "SqlError",
        (error): Effect.Effect<LockConflict, SqlError> =>
          error.reason.includes(LOCK_CONFLICT)
            ? Effect.succeed(new LockConflict({ database: attachment.name }))
            : Effect.fail(error)
      )
    )
  }

  const useCurrent = (connection: Connection) =>
    connection
      .run(`USE ${Identifier.quoteQualified({ database: options.database, name: options.schema })}`)
      .pipe(Effect.catch(() => connection.run(`USE ${Identifier.quote(options.database)}`)))

  const open = Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const instance = await DuckDBInstance.create(":memory:", config)
        try {
          return { instance, connection: await instance.connect() }
        } catch (error) {
          instance.closeSync()
          throw error
        }
      },
      catch: (error) => new SqlError({ statement: "open DuckDB", reason: messageOf(error) })
    }),
    ({ instance, connection }) =>
      Effect.sync(() => {
        connection.closeSync()
        instance.closeSync()
      })
  )

  const use = <A, E>(
    access: Access,
    body: (connection: Connection) => Effect.Effect<A, E>
  ): Effect.Effect<A, E | SqlError | DatabaseBusy | CaseCollision> =>
    Effect.gen(function* () {
      // Each file by its real path, checked with its write-ahead log just before it is attached.
      const attachments = yield* Effect.forEach(yield* plan(access), (attachment) => {
        const { path } = attachment
        if (path === undefined) return Effect.succeed(attachment)
        const statement = `ATTACH ${sqlString(path)}`
        return Effect.map(
          Effect.zip(inHome(path, statement), inHome(`${path}.wal`, statement)),
          ([real]) => ({ ...attachment, path: real })
        )
      })
      if (attachments.some((a) => !a.readOnly && a.path !== undefined)) {
        const realDirectory = yield* inHome(directory, `create ${directory}`)
        yield* Effect.tryPromise({
          try: () => mkdir(realDirectory, { recursive: true }),
          catch: (error) => new SqlError({ statement: `create ${directory}`, reason: messageOf(error) })
        })
      }
      const once = Effect.scoped(
        Effect.gen(function* () {
          const { connection: raw } = yield* open
          const connection = connectionOf(raw)
          for (const attachment of attachments) {
            const conflict = yield* attach(raw, connection, attachment)
            if (conflict !== undefined) return { done: false as const, conflict }
          }
          if (access.userSql !== undefined) yield* useCurrent(connection)
          return { done: true as const, value: yield* body(connection) }
        })
      )
      const paths = attachments.flatMap((a) => (a.path === undefined ? [] : [a.path]))
      const started = Date.now()
      for (let attempt = 0; ; attempt++) {
        const outcome = yield* withFileMutexes(paths, once)
        if (outcome.done) return outcome.value
        const waited = Date.now() - started
        if (waited >= options.lockWaitMillis) {
          return yield* new DatabaseBusy({ database: outcome.conflict.database, waitedMillis: waited })
        }
        const backoff = Math.min(1000, 20 * 1.5 ** attempt) * (0.5 + Math.random())
        yield* sleepMillis(Math.min(backoff, options.lockWaitMillis - waited + 1))
      }
    })

  return { options, databases, use }
}

/** A name no user relation or temporary table uses. */
export const uniqueName = (prefix: string): string => `${prefix}_${randomUUID().replace(/-/g, "")}`
