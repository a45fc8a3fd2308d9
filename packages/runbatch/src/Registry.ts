/**
 * The original's registry objects, for code ported from Python: `new Registry(session, {database,
 * schema})`, `registry.getModel(name)`, `model.version(v)` and `modelVersion.runBatch(X, {…})`, which
 * takes the same arguments as `ModelVersion.run_batch` (camelCase).
 */
import {
  type ModelInfo,
  ModelRegistry,
  type ModelRegistryShape,
  type ModelVersionInfo
} from "@runbatch/registry-client"
import type { JobHandlePromise } from "@runbatch/spcs-launcher"
import { Identifier, type InvalidIdentifier } from "@runbatch/spec"
import { Effect } from "effect"
import type { DryRunOptions, DryRunReport } from "./DryRun.ts"
import type { InputSource } from "./InputSource.ts"
import type { RunBatchOptions } from "./RunBatch.ts"
import type { Session } from "./Session.ts"

export interface RegistryOptions {
  /** Where unqualified model names live; default the session's database and schema. */
  readonly database?: string
  readonly schema?: string
}

/** What `runBatch` takes besides the input: the original's keyword arguments. */
export type ModelVersionRunOptions = Omit<RunBatchOptions, "model" | "version" | "input">

export class ModelVersion {
  readonly #session: Session
  readonly info: ModelVersionInfo
  constructor(session: Session, info: ModelVersionInfo) {
    this.#session = session
    this.info = info
  }
  get modelName(): string {
    return Identifier.formatQualified(this.info.model)
  }
  get versionName(): string {
    return this.info.version
  }
  /**
   * Run this version over `input` as a job; `jobSpec.block` waits for it to end. With `dryRun`,
   * check and sample only: a report comes back and nothing is written.
   */
  runBatch(
    input: InputSource,
    options: ModelVersionRunOptions & { readonly dryRun: true | DryRunOptions }
  ): Promise<DryRunReport>
  runBatch(
    input: InputSource,
    options: ModelVersionRunOptions & { readonly dryRun?: false }
  ): Promise<JobHandlePromise>
  runBatch(
    input: InputSource,
    options: ModelVersionRunOptions & { readonly dryRun?: boolean | DryRunOptions }
  ): Promise<JobHandlePromise | DryRunReport> {
    // The stored name, quoted as needed: runBatch resolves it as a user-written identifier.
    const all = { ...options, model: this.modelName, version: Identifier.format(this.info.version), input }
    return all.dryRun === undefined || all.dryRun === false
      ? this.#session.runBatch({ ...all, dryRun: false })
      : this.#session.runBatch({ ...all, dryRun: all.dryRun })
  }
}

export class Model {
  readonly #session: Session
  readonly info: ModelInfo
  constructor(session: Session, info: ModelInfo) {
    this.#session = session
    this.info = info
  }
  get name(): string {
    return Identifier.formatQualified(this.info)
  }
  /** A version by name or system alias (DEFAULT, FIRST, LAST); the default version without one. */
  async version(name?: string): Promise<ModelVersion> {
    const info = await this.#session.run(ModelRegistry.use((r) => r.getVersion(this.name, name)))
    return new ModelVersion(this.#session, info)
  }
  get versions(): ReadonlyArray<string> {
    return this.info.versions
  }
}

export class Registry {
  readonly #session: Session
  readonly #options: RegistryOptions
  constructor(session: Session, options: RegistryOptions = {}) {
    this.#session = session
    this.#options = options
  }

  /** The session's registry, scoped to the database and schema this Registry was given. */
  #registry = (): Effect.Effect<ModelRegistryShape, InvalidIdentifier, ModelRegistry> => {
    const { database, schema } = this.#options
    return Effect.gen(function* () {
      const registry = yield* ModelRegistry
      if (database === undefined && schema === undefined) return registry
      return registry.forSchema({
        database: database === undefined ? registry.scope.database : yield* Identifier.resolve(database),
        schema: schema === undefined ? registry.scope.schema : yield* Identifier.resolve(schema)
      })
    })
  }

  async getModel(name: string): Promise<Model> {
    const info = await this.#session.run(Effect.flatMap(this.#registry(), (r) => r.getModel(name)))
    return new Model(this.#session, info)
  }

  async models(): Promise<ReadonlyArray<Model>> {
    const infos = await this.#session.run(Effect.flatMap(this.#registry(), (r) => r.listModels))
    return infos.map((info) => new Model(this.#session, info))
  }
}
