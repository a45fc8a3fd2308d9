/**
 * A StageStore as a remote one (Snowflake's, later) behaves, over the stages of the StageStore it wraps:
 * no local path and no recipe, so its files can only be streamed, and a replica over it runs its workers
 * as fibers. `readBytes` refuses parquet files (StageFileError "too_large"), so a test shows that input
 * files and result parts are never read whole; `mapRead` changes what `read` streams, to break or stall
 * it.
 */
import { StageFileError } from "@runbatch/spec"
import { type StageError, StageStore } from "@runbatch/stage-io"
import { Effect, Layer, type Stream } from "effect"

export interface Options {
  readonly mapRead?: (
    location: string,
    bytes: Stream.Stream<Uint8Array, StageError>
  ) => Stream.Stream<Uint8Array, StageError>
}

/** Wraps the StageStore it is given: `StoreWithoutLocalPath.layer().pipe(Layer.provide(store))`. */
export const layer = (options: Options = {}): Layer.Layer<StageStore, never, StageStore> =>
  Layer.effect(
    StageStore,
    Effect.map(StageStore, ({ recipe: _, ...store }) =>
      StageStore.of({
        ...store,
        localPath: () => Effect.succeed(undefined),
        read: (location) => options.mapRead?.(location, store.read(location)) ?? store.read(location),
        readBytes: (location, readOptions) =>
          location.endsWith(".parquet")
            ? Effect.fail(
                new StageFileError({
                  location,
                  problem: "too_large",
                  detail: "a parquet file of a store without a local path, read whole"
                })
              )
            : store.readBytes(location, readOptions)
      })
    )
  )
