/**
 * The model registry without Effect: the same operations as Promises, rejecting with the same typed
 * errors (`err instanceof ModelNotFound`, `err._tag`).
 *
 * ```ts
 * await using registry = RegistryPromise.local({ home: "./.runbatch", database: "ML", schema: "PUBLIC" })
 * await registry.logModel({ name: "WINE", version: "V1", engine: "onnx", artifacts: ["model.onnx"], signatures })
 * const version = await registry.getVersion("WINE")          // the default version
 * const other = registry.forSchema({ database: "ML", schema: "STAGING" })
 * ```
 *
 * `new RegistryPromise(runner)` wraps any runner that provides a ModelRegistry (the facade's session
 * runtime, say); `RegistryPromise.local` builds its own runtime, and `close()` releases it.
 */
import type { LocalAccountOptions } from "@runbatch/account"
import type { EffectRunner, ModelFunction } from "@runbatch/spec"
import { Effect, ManagedRuntime } from "effect"
import type { LocalRegistryOptions } from "./LocalRegistry.ts"
import { type LogModelOptions, ModelRegistry, type ModelRegistryShape } from "./ModelRegistry.ts"
import type {
  FunctionRow,
  ModelInfo,
  ModelVersionInfo,
  RegistryScope,
  VersionRow
} from "./ModelVersionInfo.ts"

export class RegistryPromise implements AsyncDisposable {
  readonly #runner: EffectRunner<ModelRegistry>
  readonly #close: () => Promise<void>
  readonly #scope: RegistryScope | undefined

  constructor(
    runner: EffectRunner<ModelRegistry>,
    close: () => Promise<void> = async () => {},
    scope?: RegistryScope
  ) {
    this.#runner = runner
    this.#close = close
    this.#scope = scope
  }

  /** The local account's registry; `database`/`schema` scope it (default: the account's current ones). */
  static local(options: LocalAccountOptions & LocalRegistryOptions = {}): RegistryPromise {
    const runtime = ManagedRuntime.make(ModelRegistry.layerLocalAccount(options))
    return new RegistryPromise(runtime, () => runtime.dispose())
  }

  #run<A, E>(f: (registry: ModelRegistryShape) => Effect.Effect<A, E>): Promise<A> {
    const scope = this.#scope
    return this.#runner.runPromise(
      ModelRegistry.use((registry) => f(scope === undefined ? registry : registry.forSchema(scope)))
    )
  }

  /** The same registry scoped to another database and schema; closing it is left to this one. */
  forSchema(scope: RegistryScope): RegistryPromise {
    return new RegistryPromise(this.#runner, async () => {}, scope)
  }

  scope(): Promise<RegistryScope> {
    return this.#run((r) => Effect.succeed(r.scope))
  }

  logModel(options: LogModelOptions): Promise<ModelVersionInfo> {
    return this.#run((r) => r.logModel(options))
  }

  getModel(name: string): Promise<ModelInfo> {
    return this.#run((r) => r.getModel(name))
  }

  getVersion(name: string, version?: string): Promise<ModelVersionInfo> {
    return this.#run((r) => r.getVersion(name, version))
  }

  listModels(): Promise<ReadonlyArray<ModelInfo>> {
    return this.#run((r) => r.listModels)
  }

  showVersions(name: string): Promise<ReadonlyArray<VersionRow>> {
    return this.#run((r) => r.showVersions(name))
  }

  showFunctions(name: string, version?: string): Promise<ReadonlyArray<FunctionRow>> {
    return this.#run((r) => r.showFunctions(name, version))
  }

  resolveFunction(
    name: string,
    version?: string,
    functionName?: string
  ): Promise<ModelFunction.ModelFunction> {
    return this.#run((r) => r.resolveFunction(name, version, functionName))
  }

  setDefaultVersion(name: string, version: string): Promise<void> {
    return this.#run((r) => r.setDefaultVersion(name, version))
  }

  deleteVersion(name: string, version: string): Promise<void> {
    return this.#run((r) => r.deleteVersion(name, version))
  }

  deleteModel(name: string): Promise<void> {
    return this.#run((r) => r.deleteModel(name))
  }

  close(): Promise<void> {
    return this.#close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
