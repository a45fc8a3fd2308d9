/**
 * The model registry without Effect: the same operations as Promises, rejecting with the same typed
 * errors (`err instanceof ModelNotFound`, `err._tag`).
 *
 * ```ts
 * await using registry = RegistryPromise.local({ home: "./.runbatch", database: "ML", schema: "PUBLIC" })
 * await registry.logModel({ name: "WINE", version: "V1", engine: "onnx", artifacts: ["model.onnx"], signatures })
 * const version = await registry.getVersion("WINE")          // the default version
 * ```
 */
import { type EffectRunner, LocalAccount, type LocalAccountOptions } from "@runbatch/session"
import type { ModelFunction } from "@runbatch/spec"
import { Layer, ManagedRuntime } from "effect"
import type { LocalRegistryOptions } from "./LocalRegistry.ts"
import { type LogModelOptions, ModelRegistry } from "./ModelRegistry.ts"
import type { FunctionRow, ModelInfo, ModelVersionInfo, VersionRow } from "./ModelVersionInfo.ts"

export class RegistryPromise implements AsyncDisposable {
  readonly #runner: EffectRunner<ModelRegistry>
  readonly #close: () => Promise<void>

  constructor(runner: EffectRunner<ModelRegistry>, close: () => Promise<void> = async () => {}) {
    this.#runner = runner
    this.#close = close
  }

  /** The local account's registry; `database`/`schema` scope it (default: the account's current ones). */
  static local(options: LocalAccountOptions & LocalRegistryOptions = {}): RegistryPromise {
    const runtime = ManagedRuntime.make(
      ModelRegistry.layerLocal(options).pipe(Layer.provide(LocalAccount.layer(options)))
    )
    return new RegistryPromise(runtime, () => runtime.dispose())
  }

  logModel(options: LogModelOptions): Promise<ModelVersionInfo> {
    return this.#runner.runPromise(ModelRegistry.use((r) => r.logModel(options)))
  }

  getModel(name: string): Promise<ModelInfo> {
    return this.#runner.runPromise(ModelRegistry.use((r) => r.getModel(name)))
  }

  getVersion(name: string, version?: string): Promise<ModelVersionInfo> {
    return this.#runner.runPromise(ModelRegistry.use((r) => r.getVersion(name, version)))
  }

  listModels(): Promise<ReadonlyArray<ModelInfo>> {
    return this.#runner.runPromise(ModelRegistry.use((r) => r.listModels))
  }

  showVersions(name: string): Promise<ReadonlyArray<VersionRow>> {
    return this.#runner.runPromise(ModelRegistry.use((r) => r.showVersions(name)))
  }

  showFunctions(name: string, version?: string): Promise<ReadonlyArray<FunctionRow>> {
    return this.#runner.runPromise(ModelRegistry.use((r) => r.showFunctions(name, version)))
  }

  resolveFunction(
    name: string,
    version?: string,
    functionName?: string
  ): Promise<ModelFunction.ModelFunction> {
    return this.#runner.runPromise(ModelRegistry.use((r) => r.resolveFunction(name, version, functionName)))
  }

  setDefaultVersion(name: string, version: string): Promise<void> {
    return this.#runner.runPromise(ModelRegistry.use((r) => r.setDefaultVersion(name, version)))
  }

  deleteVersion(name: string, version: string): Promise<void> {
    return this.#runner.runPromise(ModelRegistry.use((r) => r.deleteVersion(name, version)))
  }

  close(): Promise<void> {
    return this.#close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
