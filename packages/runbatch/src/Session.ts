/**
 * The Promise face of runbatch for programs that do not use Effect: a session on an account, its SQL,
 * stages, model registry and jobs, and `runBatch`. Every method rejects with the same typed errors the
 * Effect API fails with (`error._tag`, `instanceof`). `Session.local` is the embedded local account;
 * `Session.snowflake` a Snowflake account, where this version runs SQL and tables, stages, results,
 * the model registry and dry runs, and jobs reject with NotOnSnowflakeYet.
 *
 * ```ts
 * await using session = Session.local({ home: "./.runbatch", database: "ML" })
 * const registry = new Registry(session)
 * const version = await (await registry.getModel("churn")).version("v1")
 * const job = await version.runBatch(session.table("customers"), {
 *   outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/churn/" },
 *   jobSpec: { block: true }
 * })
 * console.log(await job.status(), (await session.readResults("@ML.PUBLIC.RESULTS/churn/")).numRows)
 * ```
 */
import { type LogModelOptions, type ModelRegistry, RegistryPromise } from "@runbatch/registry-client"
import { type Sql, SqlPromise } from "@runbatch/session"
import { JobHandlePromise, LauncherPromise } from "@runbatch/spcs-launcher"
import { type EffectRunner, NotOnSnowflakeYet, type Signature } from "@runbatch/spec"
import { ResultsReader, type StageStore, StageStorePromise } from "@runbatch/stage-io"
import type * as Arrow from "apache-arrow"
import { type Effect, ManagedRuntime, Stream } from "effect"
import { type LocalOptions, layerLocal, type Services } from "./Account.ts"
import { type DryRunOptions, type DryRunReport, dryRun } from "./DryRun.ts"
import * as InputSource from "./InputSource.ts"
import { checkModel } from "./ModelCheck.ts"
import { resumeJob } from "./ResumeJob.ts"
import { type RunBatchOptions, runBatch } from "./RunBatch.ts"
import { connectionName, layerSnowflakeData, type SnowflakeOptions } from "./SnowflakeAccount.ts"

/** The account a session is on: the local one with every service, or a Snowflake one with its data. */
type Backend =
  | { readonly kind: "local"; readonly runtime: ManagedRuntime.ManagedRuntime<Services, never> }
  | {
      readonly kind: "snowflake"
      readonly connection: string
      readonly runtime: ManagedRuntime.ManagedRuntime<Sql | StageStore | ModelRegistry, unknown>
    }

export class Session implements AsyncDisposable {
  readonly #backend: Backend
  /** SQL on the account: queries, statements, tables. */
  readonly sql: SqlPromise
  /** Stage files: list, read, write once, put, remove. */
  readonly stages: StageStorePromise
  /** The model registry: log, list and look up models and versions. */
  readonly registry: RegistryPromise
  /** The jobs API: listJobs, getJob, deleteJob. */
  readonly jobs: LauncherPromise

  private constructor(backend: Backend) {
    this.#backend = backend
    this.sql = new SqlPromise(backend.runtime)
    this.stages = new StageStorePromise(backend.runtime)
    this.registry = new RegistryPromise(backend.runtime)
    this.jobs = new LauncherPromise(this.#account("the jobs API"))
  }

  /** A session on the embedded local account: `home` (default `$RUNBATCH_HOME` or `./.runbatch`). */
  static local(options: LocalOptions = {}): Session {
    return new Session({ kind: "local", runtime: ManagedRuntime.make(layerLocal(options)) })
  }

  /**
   * A session on a Snowflake account through snowflake-sdk (an optional peer dependency: install it
   * beside runbatch). The connection is found as Snowflake's tools find it (see SnowflakeOptions);
   * it is resolved and logged in on the first call, which rejects with the typed error when that
   * fails (ConnectionNotFound, SnowflakeConnectFailed, …), and logged out by `close()`. This version
   * runs SQL and tables (`session.sql`), stages (`session.stages`), results, the model registry
   * (`session.registry`) and `runBatch({dryRun: true, …})` there; jobs reject with NotOnSnowflakeYet.
   */
  static snowflake(options: SnowflakeOptions = {}): Session {
    return new Session({
      kind: "snowflake",
      connection: connectionName(options),
      runtime: ManagedRuntime.make(layerSnowflakeData(options))
    })
  }

  /** The account's services for `feature`: a Snowflake session's runner rejects with NotOnSnowflakeYet. */
  #account(feature: string): EffectRunner<Services> {
    const backend = this.#backend
    if (backend.kind === "local") return backend.runtime
    return {
      runPromise: () => Promise.reject(new NotOnSnowflakeYet({ feature, connection: backend.connection }))
    }
  }

  /** Run an Effect program against this session's services. */
  run<A, E>(effect: Effect.Effect<A, E, Services>): Promise<A> {
    return this.#account("Session.run").runPromise(effect)
  }

  /** Every row of a table (checked when a job is planned). */
  table(name: string): InputSource.InputSource {
    return InputSource.table(name)
  }

  /** The rows of a query. */
  query(sql: string): InputSource.InputSource {
    return InputSource.query(sql)
  }

  /** Parquet files on a stage. */
  readParquet(location: string, options: { readonly pattern?: string } = {}): InputSource.InputSource {
    return InputSource.parquet(location, options)
  }

  /** Rows given in memory, typed by `schema`. */
  createDataFrame(
    rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
    schema: ReadonlyArray<Signature.Feature>
  ): InputSource.InputSource {
    return InputSource.rows(rows, schema)
  }

  /** One row per file under a stage location, its full stage path in `columnName` (default FILE_PATH). */
  listStageFiles(
    location: string,
    options: { readonly pattern?: string; readonly columnName?: string } = {}
  ): InputSource.InputSource {
    return InputSource.files(location, {
      ...(options.pattern === undefined ? {} : { pattern: options.pattern }),
      ...(options.columnName === undefined ? {} : { column: options.columnName })
    })
  }

  /**
   * Run a model version over an input as a job; see RunBatchOptions. With `dryRun` nothing is
   * written: every check runs, a sample goes through the engine here, and a report comes back.
   */
  runBatch(options: RunBatchOptions & { readonly dryRun: true | DryRunOptions }): Promise<DryRunReport>
  runBatch(options: RunBatchOptions & { readonly dryRun?: false }): Promise<JobHandlePromise>
  async runBatch(
    options: RunBatchOptions & { readonly dryRun?: boolean | DryRunOptions }
  ): Promise<JobHandlePromise | DryRunReport> {
    const { dryRun: dry, ...rest } = options
    if (dry !== undefined && dry !== false) {
      // A dry run needs the account's data alone, so it runs on Snowflake too.
      return this.#backend.runtime.runPromise(dryRun(rest, dry === true ? {} : dry))
    }
    const account = this.#account("runBatch")
    const handle = await account.runPromise(runBatch(rest))
    return new JobHandlePromise(handle, (effect) => account.runPromise(effect))
  }

  /** Resume a FAILED or CANCELLED job: only its uncommitted shards run again (see ResumeJob). */
  async resumeJob(job: string | JobHandlePromise): Promise<JobHandlePromise> {
    const account = this.#account("resumeJob")
    const handle = await account.runPromise(resumeJob(typeof job === "string" ? job : job.handle))
    return new JobHandlePromise(handle, (effect) => account.runPromise(effect))
  }

  /**
   * Check a model version before logging it (`registry.logModel` writes without asking its engine):
   * its engine's plan-time check on each function's signature, options and local files (see
   * ModelCheck). The CLI's `model log` runs it first.
   */
  checkModel(options: LogModelOptions, plugins: ReadonlyArray<string> = []): Promise<void> {
    return this.#account("checkModel").runPromise(checkModel(options, plugins))
  }

  /** A finished job's results as one Arrow table, checked against its manifest (see ResultsReader). */
  readResults(location: string, options: ResultsReader.ReadResultsOptions = {}): Promise<Arrow.Table> {
    return this.#backend.runtime.runPromise(ResultsReader.readTable(location, options))
  }

  /**
   * A finished job's results as Arrow record batches of at most a row group each, read as they are
   * iterated: any size of results in bounded memory. The checks of `readResults` run when iteration
   * starts; each part is verified before any of its rows is yielded, so a damaged part throws
   * ResultsCorrupt after the batches of the parts before it. Breaking out of the loop stops reading.
   */
  async *streamResults(
    location: string,
    options: ResultsReader.ReadResultsOptions = {}
  ): AsyncGenerator<Arrow.RecordBatch, void, undefined> {
    const context = await this.#backend.runtime.context()
    yield* Stream.toAsyncIterableWith(ResultsReader.streamResults(location, options), context)
  }

  close(): Promise<void> {
    return this.#backend.runtime.dispose()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
