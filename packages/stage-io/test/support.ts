/** Shared test helpers: a fresh home folder per test and the local StageStore over it. */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { LocalAccount } from "@runbatch/account"
import { LocalLayout, StageFileError } from "@runbatch/spec"
import * as Arrow from "apache-arrow"
import { Effect, Layer, Logger, type Stream } from "effect"
import { onTestFinished } from "vitest"
import { type StageError, StageStore } from "../src/index.ts"

export const DATABASE = "ML"
export const SCHEMA = "PUBLIC"

/** A new empty home folder, removed when the test ends. */
export const tempHome = (): string => {
  const home = mkdtempSync(join(tmpdir(), "runbatch-"))
  onTestFinished(() => rmSync(home, { recursive: true, force: true }))
  return home
}

export const accountLayer = (home: string) => LocalAccount.layer({ home, database: DATABASE, schema: SCHEMA })

export const storeLayer = (home: string, options: { readonly objectStore?: boolean } = {}) =>
  StageStore.layerLocal(options).pipe(Layer.provide(accountLayer(home)))

/**
 * The local store over `home` as a remote store (Snowflake's) behaves: no local path and no recipe, so
 * its files can only be streamed. `readBytes` refuses parquet files, so a test shows they are never
 * read whole; `mapRead` changes what `read` streams (to break or stall it). testkit has the same double
 * for the other packages; stage-io's tests cannot use it, since testkit depends on stage-io.
 */
export const remoteStoreLayer = (
  home: string,
  mapRead: (
    location: string,
    bytes: Stream.Stream<Uint8Array, StageError>
  ) => Stream.Stream<Uint8Array, StageError> = (_, bytes) => bytes
) =>
  Layer.effect(
    StageStore,
    Effect.map(StageStore, ({ recipe: _, ...local }) =>
      StageStore.of({
        ...local,
        localPath: () => Effect.succeed(undefined),
        read: (location) => mapRead(location, local.read(location)),
        readBytes: (location, options) =>
          location.endsWith(".parquet")
            ? Effect.fail(
                new StageFileError({
                  location,
                  problem: "too_large",
                  detail: "a remote parquet file, read whole"
                })
              )
            : local.readBytes(location, options)
      })
    )
  ).pipe(Layer.provide(storeLayer(home)))

/** The folder of `@ML.PUBLIC.<stage>` under `home`. */
export const stageDir = (home: string, stage: string): string =>
  LocalLayout.stageDir(home, { database: DATABASE, schema: SCHEMA, stage })

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
export const text = (data: Uint8Array): string => new TextDecoder().decode(data)

export const modes = [
  { name: "normal mode", objectStore: false },
  { name: "object-store mode", objectStore: true }
] as const

/** Run `effect` against a store over `home`, collecting what it logs. */
export const withLogs = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const messages: Array<string> = []
    const capture = Logger.make((options) => {
      const message = options.message
      messages.push(Array.isArray(message) ? message.map(String).join(" ") : String(message))
    })
    const result = yield* effect.pipe(Effect.provide(Logger.layer([capture])))
    return { result, messages }
  })

/** Rows `from`..`from+n` with an id, a value and a nullable label. */
export const table = (from: number, n: number) =>
  new Arrow.Table({
    id: Arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => from + i),
      new Arrow.Int32()
    ),
    value: Arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => (from + i) / 2),
      new Arrow.Float64()
    ),
    label: Arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => ((from + i) % 3 === 0 ? null : `row-${from + i}`)),
      new Arrow.Utf8()
    )
  })
