/**
 * The Sql service and relations without Effect: the same operations as Promises, rejecting with the
 * same typed errors (`instanceof CaseCollision`, `instanceof DatabaseBusy` work).
 *
 * ```ts
 * await using sql = SqlPromise.local({ home: "./.runbatch", database: "ML" })
 * await sql.createTable("wines", { kind: "csv", path: "wines.csv" })
 * const wines = await sql.table("wines")
 * console.log(await wines.schema(), await wines.count())
 * const input = await wines.materialize("@ML.PUBLIC.JOBS/job-1/input/", { targetShards: 8 })
 * ```
 *
 * `new SqlPromise(runner)` wraps any runner that provides a Sql (the facade's session runtime, say);
 * `SqlPromise.local` and `SqlPromise.snowflake` build their own runtime, and `close()` releases it
 * (and the session's temporary data-frame files, or the Snowflake session).
 */

import type { LocalAccountOptions } from "@runbatch/account"
import type { EffectRunner, Signature } from "@runbatch/spec"
import { StageLocation } from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect, ManagedRuntime, Stream } from "effect"
import type { LocalSqlOptions } from "./LocalSql.ts"
import type { Materialized, MaterializeOptions, Relation } from "./Relation.ts"
import {
  type CreateTableOptions,
  type SessionContext,
  type SnowflakeSqlOptions,
  Sql,
  type TableSource
} from "./Sql.ts"
import type { SnowflakeConnection } from "./snowflake/SnowflakeConnection.ts"

/** A relation with Promise methods; `relation` is the Effect-side value (for `createTable`, jobs). */
export class RelationPromise {
  readonly relation: Relation
  readonly #runner: EffectRunner<Sql>

  constructor(relation: Relation, runner: EffectRunner<Sql>) {
    this.relation = relation
    this.#runner = runner
  }

  get description(): string {
    return this.relation.description
  }

  get sql(): string {
    return this.relation.sql
  }

  schema(): Promise<ReadonlyArray<Signature.Feature>> {
    return this.#runner.runPromise(this.relation.schema)
  }

  count(): Promise<number> {
    return this.#runner.runPromise(this.relation.count)
  }

  collect(options?: { readonly limit?: number }): Promise<Arrow.Table> {
    return this.#runner.runPromise(this.relation.collect(options))
  }

  /** `target` as a stage location (`@DB.SCHEMA.STAGE/folder/`; resolved against the current database and schema). */
  materialize(
    target: string | StageLocation.StageLocation,
    options: MaterializeOptions
  ): Promise<Materialized> {
    const relation = this.relation
    return this.#runner.runPromise(
      Effect.gen(function* () {
        const location =
          typeof target === "string"
            ? yield* StageLocation.parseDirectory(target, (yield* Sql).context)
            : target
        return yield* relation.materialize(location, options)
      })
    )
  }
}

/** Where `createTable` takes rows from; a relation may be given in its Promise form. */
export type TableSourcePromise =
  | Exclude<TableSource, { readonly kind: "relation" }>
  | { readonly kind: "relation"; readonly relation: Relation | RelationPromise }

export class SqlPromise implements AsyncDisposable {
  readonly #runner: EffectRunner<Sql>
  readonly #close: () => Promise<void>

  constructor(runner: EffectRunner<Sql>, close: () => Promise<void> = async () => {}) {
    this.#runner = runner
    this.#close = close
  }

  /** The embedded local account (home, current database and schema, DuckDB threads, lock wait). */
  static local(options: LocalAccountOptions & LocalSqlOptions = {}): SqlPromise {
    const runtime = ManagedRuntime.make(Sql.layerLocalAccount(options))
    return new SqlPromise(runtime, () => runtime.dispose())
  }

  /**
   * A Snowflake account, through snowflake-sdk (installed beside runbatch): a connection from
   * `resolveConnectionPromise` or options given directly. It logs in on first use (a failed login
   * rejects that call with SnowflakeConnectFailed) and logs out on `close()`.
   */
  static snowflake(connection: SnowflakeConnection | SnowflakeSqlOptions): SqlPromise {
    const runtime = ManagedRuntime.make(Sql.layerSnowflake(connection))
    return new SqlPromise(runtime, () => runtime.dispose())
  }

  #wrap(relation: Relation): RelationPromise {
    return new RelationPromise(relation, this.#runner)
  }

  context(): Promise<SessionContext> {
    return this.#runner.runPromise(Sql.use((sql) => Effect.succeed(sql.context)))
  }

  query(sql: string): Promise<Arrow.Table> {
    return this.#runner.runPromise(Sql.use((s) => s.query(sql)))
  }

  /**
   * A query's rows as record batches, computed as they are read (`for await`; `break` stops the
   * query): results of any size in bounded memory. See `Sql.streamQuery`.
   */
  async *streamQuery(sql: string): AsyncGenerator<Arrow.RecordBatch, void, undefined> {
    const service = await this.#runner.runPromise(Sql.use((s) => Effect.succeed(s)))
    yield* Stream.toAsyncIterable(service.streamQuery(sql))
  }

  execute(sql: string): Promise<void> {
    return this.#runner.runPromise(Sql.use((s) => s.execute(sql)))
  }

  async table(name: string): Promise<RelationPromise> {
    return this.#wrap(await this.#runner.runPromise(Sql.use((s) => s.table(name))))
  }

  async sql(query: string): Promise<RelationPromise> {
    return this.#wrap(await this.#runner.runPromise(Sql.use((s) => Effect.succeed(s.sql(query)))))
  }

  async readParquet(location: string, options?: { readonly pattern?: string }): Promise<RelationPromise> {
    return this.#wrap(await this.#runner.runPromise(Sql.use((s) => s.readParquet(location, options))))
  }

  async createDataFrame(
    rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
    schema: ReadonlyArray<Signature.Feature>
  ): Promise<RelationPromise> {
    return this.#wrap(await this.#runner.runPromise(Sql.use((s) => s.createDataFrame(rows, schema))))
  }

  createTable(
    name: string,
    source: TableSourcePromise,
    options?: CreateTableOptions
  ): Promise<{ readonly table: string; readonly rows: number }> {
    const plain: TableSource =
      source.kind === "relation" && source.relation instanceof RelationPromise
        ? { kind: "relation", relation: source.relation.relation }
        : (source as TableSource)
    return this.#runner.runPromise(Sql.use((s) => s.createTable(name, plain, options)))
  }

  listTables(schema?: string): Promise<ReadonlyArray<string>> {
    return this.#runner.runPromise(Sql.use((s) => s.listTables(schema)))
  }

  close(): Promise<void> {
    return this.#close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
