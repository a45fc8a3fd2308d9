/**
 * `put`: local files and folders copied onto a stage, write-once, where PutPlan says. Every local path
 * is found and every target checked free before the first byte is copied, so a refused put copies
 * nothing.
 */
import { createReadStream } from "node:fs"
import { LocalFileError, StageFileExists, StageLocation } from "@runbatch/spec"
import { Effect, Stream } from "effect"
import { type LocalStage, parseWritable, parseWritableFile, reasonOf } from "./LocalStage.ts"
import { exists } from "./LocalStageList.ts"
import { READ_CHUNK_BYTES } from "./LocalStageRead.ts"
import { writeTo } from "./LocalStageWrite.ts"
import { planPut } from "./PutPlan.ts"
import type { StageStoreShape } from "./StageStore.ts"

export const put = (stage: LocalStage): StageStoreShape["put"] =>
  Effect.fn("StageStore.put")(function* (localPaths: string | ReadonlyArray<string>, text: string) {
    const paths = typeof localPaths === "string" ? [localPaths] : localPaths
    const given = yield* parseWritable(stage, text, "written")
    const planned = yield* planPut(paths, given)
    for (const { location } of planned) {
      const formatted = StageLocation.format(location)
      yield* parseWritableFile(stage, formatted)
      if (yield* exists(stage)(formatted)) return yield* new StageFileExists({ location: formatted })
    }
    for (const { file, location } of planned) {
      const source = Stream.suspend(() =>
        Stream.fromAsyncIterable(
          createReadStream(file, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Uint8Array>,
          (error) => new LocalFileError({ path: file, reason: reasonOf(error) })
        )
      )
      yield* writeTo(stage, location, source)
    }
    return planned.map(({ location }) => StageLocation.format(location))
  })
