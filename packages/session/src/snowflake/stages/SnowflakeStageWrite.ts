/**
 * Writing a Snowflake stage file, write-once: the bytes go to a private temporary folder under the
 * file's own name (PUT keeps base names), hashed as they pass, then `PUT … AUTO_COMPRESS = FALSE
 * OVERWRITE = FALSE` into the file's folder — no SOURCE_COMPRESSION, whose `NONE` crashes
 * snowflake-sdk 3.4.1. An exact-name LIST first refuses a taken name (StageFileExists); a PUT that
 * Snowflake answers `SKIPPED` (another writer got there first), or that the emulator refuses because
 * the name is taken, is StageFileExists too. The temporary folder goes when the write ends, whatever
 * the outcome; a failed data stream fails the write before anything reaches the stage.
 */
import { createHash } from "node:crypto"
import { open } from "node:fs/promises"
import { join } from "node:path"
import { StageFileError, StageFileExists, type StageLocation } from "@runbatch/spec"
import type { StageStoreShape, WriteData, WrittenFile } from "@runbatch/stage-io"
import { Effect, Stream } from "effect"
import { putFile } from "../SnowflakePut.ts"
import {
  baseName,
  display,
  parentFolder,
  parseFile,
  quotedLocation,
  reasonOf,
  type SnowflakeStage,
  statementFailed
} from "./SnowflakeStage.ts"
import { findFile } from "./SnowflakeStageList.ts"
import { privateFolder } from "./SnowflakeStageRead.ts"

/** Copy `data` into `path`, hashing it: what `write` reports. */
const copyInto = <E>(location: string, path: string, data: WriteData<E>) =>
  Effect.gen(function* () {
    const failed = (error: unknown) =>
      new StageFileError({ location, problem: "unwritable", detail: `local copy: ${reasonOf(error)}` })
    const handle = yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => open(path, "wx", 0o600), catch: failed }),
      (handle) => Effect.promise(() => handle.close().catch(() => undefined))
    )
    const hash = createHash("sha256")
    let bytes = 0
    const chunks = data instanceof Uint8Array ? Stream.make(data) : data
    yield* Stream.runForEach(chunks, (chunk) =>
      Effect.tryPromise({
        try: async () => {
          let written = 0
          while (written < chunk.byteLength) written += (await handle.write(chunk, written)).bytesWritten
          hash.update(chunk)
          bytes += chunk.byteLength
        },
        catch: failed
      })
    )
    return { bytes, sha256: hash.digest("hex") } satisfies WrittenFile
  })

/** Fails with StageFileExists when the file is there. */
export const requireFree = (stage: SnowflakeStage, location: StageLocation.StageLocation) =>
  Effect.flatMap(findFile(stage, location), (found) =>
    found === undefined ? Effect.void : Effect.fail(new StageFileExists({ location: display(location) }))
  )

/**
 * Write `data` to a parsed file location; `beforePut` runs once the local copy is whole (a put checks
 * there that its source did not change).
 */
export const writeLocation = <E, E2 = never>(
  stage: SnowflakeStage,
  location: StageLocation.StageLocation,
  data: WriteData<E>,
  beforePut: Effect.Effect<void, E2> = Effect.void
) =>
  Effect.scoped(
    Effect.gen(function* () {
      yield* requireFree(stage, location)
      const folder = yield* privateFolder(display(location))
      const path = join(folder, baseName(location))
      const written = yield* copyInto(display(location), path, data)
      yield* beforePut
      const target = quotedLocation(parentFolder(location))
      const result = yield* putFile(stage.session.client, path, target).pipe(
        Effect.catch((error) =>
          // Refused: a taken name (the emulator's refusal, or a writer that got there first) is StageFileExists.
          Effect.flatMap(findFile(stage, location).pipe(Effect.orElseSucceed(() => undefined)), (found) =>
            Effect.fail(
              found === undefined
                ? statementFailed(location, "unwritable")(error)
                : new StageFileExists({ location: display(location) })
            )
          )
        )
      )
      const statusAt = result.columns.findIndex((column) => column.name.toLowerCase() === "status")
      if (result.rows.some((row) => (row[statusAt] ?? "").toUpperCase() === "SKIPPED"))
        return yield* new StageFileExists({ location: display(location) })
      return written
    })
  )

export const write =
  (stage: SnowflakeStage): StageStoreShape["write"] =>
  (text, data) =>
    Effect.flatMap(parseFile(stage, text, "written"), (location) => writeLocation(stage, location, data))
