/**
 * The StageStore without Effect: the same operations as Promises and async iterables, rejecting with
 * the same typed errors (`instanceof StageFileExists` works).
 *
 * ```ts
 * await using stages = StageStorePromise.local({ home: "./.runbatch" })
 * await stages.write("@ML.PUBLIC.DATA/hello.txt", new TextEncoder().encode("hi"))
 * for (const entry of await stages.list("@ML.PUBLIC.DATA/", { pattern: ".*\\.txt" })) console.log(entry.location)
 * for await (const chunk of stages.read("@ML.PUBLIC.DATA/hello.txt")) process.stdout.write(chunk)
 * ```
 *
 * `new StageStorePromise(runtime)` wraps any runner that provides a StageStore (the facade's session
 * runtime, say); `StageStorePromise.local` builds its own runtime and `close()` releases it.
 */
import { LocalAccount, type LocalAccountOptions } from "@runbatch/account"
import type { EffectRunner } from "@runbatch/spec"
import type * as Arrow from "apache-arrow"
import { Effect, Layer, ManagedRuntime, Stream } from "effect"
import type { LocalStageStoreOptions } from "./LocalStageStore.ts"
import type { OutputManifest, PartInfo, SchemaField } from "./OutputManifest.ts"
import * as ParquetCodec from "./ParquetCodec.ts"
import * as ResultsReader from "./ResultsReader.ts"
import {
  type ListOptions,
  type ReadBytesOptions,
  type StageEntry,
  StageStore,
  type WrittenFile
} from "./StageStore.ts"

/** A job's results, read through the Promise face. */
export interface ResultsPromise {
  readonly location: string
  readonly complete: boolean
  readonly manifest: OutputManifest | undefined
  readonly parts: ReadonlyArray<PartInfo>
  readonly schema: ReadonlyArray<SchemaField>
  readonly rows: number
  /** Record batches, part by part; each part is verified before its batches are yielded. */
  readonly batches: () => AsyncIterable<Arrow.RecordBatch>
  /** Every row as one table (small results). */
  readonly toTable: () => Promise<Arrow.Table>
}

export class StageStorePromise implements AsyncDisposable {
  readonly #runner: EffectRunner<StageStore>
  readonly #close: () => Promise<void>

  constructor(runner: EffectRunner<StageStore>, close: () => Promise<void> = async () => {}) {
    this.#runner = runner
    this.#close = close
  }

  /** Stages of the embedded local account (home, current database and schema as LocalAccount takes them). */
  static local(options: LocalAccountOptions & LocalStageStoreOptions = {}): StageStorePromise {
    const { objectStore, ...account } = options
    const runtime = ManagedRuntime.make(
      StageStore.layerLocal(objectStore === undefined ? {} : { objectStore }).pipe(
        Layer.provide(LocalAccount.layer(account))
      )
    )
    return new StageStorePromise(runtime, () => runtime.dispose())
  }

  list(location: string, options?: ListOptions): Promise<ReadonlyArray<StageEntry>> {
    return this.#runner.runPromise(StageStore.use((store) => store.list(location, options)))
  }

  /** The file in chunks; breaking out of the loop closes it. */
  async *read(location: string): AsyncGenerator<Uint8Array, void, undefined> {
    const store = await this.#runner.runPromise(StageStore)
    yield* Stream.toAsyncIterable(store.read(location))
  }

  readBytes(location: string, options?: ReadBytesOptions): Promise<Uint8Array> {
    return this.#runner.runPromise(StageStore.use((store) => store.readBytes(location, options)))
  }

  /** A whole file into `into`, sized to it beforehand; the file's size (see `StageStore.readInto`). */
  readInto(location: string, into: Uint8Array, options?: ReadBytesOptions): Promise<number> {
    return this.#runner.runPromise(StageStore.use((store) => store.readInto(location, into, options)))
  }

  /** Write a new file from bytes or chunks; rejects with StageFileExists if the name is taken. */
  write(location: string, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<WrittenFile> {
    const source =
      data instanceof Uint8Array
        ? data
        : Stream.suspend(() => Stream.fromAsyncIterable(data, (error: unknown) => error))
    return this.#runner.runPromise(StageStore.use((store) => store.write(location, source)))
  }

  /** Local files and folders onto the stage, as `StageStore.put`; the locations written. */
  put(localPaths: string | ReadonlyArray<string>, location: string): Promise<ReadonlyArray<string>> {
    return this.#runner.runPromise(StageStore.use((store) => store.put(localPaths, location)))
  }

  remove(location: string): Promise<number> {
    return this.#runner.runPromise(StageStore.use((store) => store.remove(location)))
  }

  /** A file's size in bytes, without reading it. */
  size(location: string): Promise<number> {
    return this.#runner.runPromise(StageStore.use((store) => store.size(location)))
  }

  exists(location: string): Promise<boolean> {
    return this.#runner.runPromise(StageStore.use((store) => store.exists(location)))
  }

  localPath(location: string): Promise<string | undefined> {
    return this.#runner.runPromise(StageStore.use((store) => store.localPath(location)))
  }

  /**
   * A finished job's results: the manifest, and the rows as Arrow record batches (verified part by part
   * against the manifest) or as one table. Rejects with ResultsIncomplete when `_SUCCESS` is missing
   * unless `allowIncomplete` is set (then with NoResultsCommitted when no part was committed).
   */
  async readResults(location: string, options?: ResultsReader.ReadResultsOptions): Promise<ResultsPromise> {
    const results = await this.#runner.runPromise(ResultsReader.readResults(location, options))
    const runner = this.#runner
    return {
      location: results.location,
      complete: results.complete,
      manifest: results.manifest,
      parts: results.parts,
      schema: results.schema,
      rows: results.rows,
      batches: async function* () {
        const store = await runner.runPromise(StageStore)
        yield* Stream.toAsyncIterable(Stream.provideService(results.batches, StageStore, store))
      },
      toTable: () =>
        runner.runPromise(
          Effect.map(Stream.runCollect(results.batches), (batches) => ParquetCodec.tableOf(batches))
        )
    }
  }

  close(): Promise<void> {
    return this.#close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
