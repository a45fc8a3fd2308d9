/**
 * Reading stage files for plugins: the shape of plugin-api's `FileReader`, implemented over a
 * StageStore (stage-io does not depend on plugin-api; the runtime and the client wrap this in that
 * service). Every failure, a malformed location included, is a StageFileError naming the file.
 */
import { StageFileError } from "@runbatch/spec"
import { Effect, Stream } from "effect"
import type { StageStoreShape } from "./StageStore.ts"

const asFileError = (location: string) => (error: { readonly _tag: string; readonly message: string }) =>
  error._tag === "StageFileError"
    ? (error as StageFileError)
    : new StageFileError({ location, problem: "unreadable", detail: error.message })

export const readerOf = (store: StageStoreShape) => {
  const size = (location: string) => store.size(location).pipe(Effect.mapError(asFileError(location)))
  return {
    read: (location: string, options?: { readonly maxBytes?: number }) =>
      store.readBytes(location, options).pipe(Effect.mapError(asFileError(location))),
    readInto: (location: string, into: Uint8Array, options?: { readonly maxBytes?: number }) =>
      store.readInto(location, into, options).pipe(Effect.mapError(asFileError(location))),
    stream: (location: string, options?: { readonly maxBytes?: number }) =>
      Stream.unwrap(
        Effect.gen(function* () {
          const limit = options?.maxBytes
          if (limit !== undefined && (yield* size(location)) > limit) {
            return yield* new StageFileError({ location, problem: "too_large", limitBytes: limit })
          }
          return store.read(location).pipe(Stream.mapError(asFileError(location)))
        })
      ),
    size
  }
}
