/**
 * `put` on Snowflake: local files and folders onto a stage, write-once, placed as every store places
 * them (stage-io's PutPlan). Every local file is found and every target
 * checked free before the first upload, so a refused put uploads nothing. Each file's size and
 * modification time are taken when it is found and checked again around its copy: a file that changed
 * meanwhile fails the put (LocalFileError), and the files this put already uploaded are removed, so
 * nothing half-written is left behind.
 */
import { createReadStream } from "node:fs"
import { stat } from "node:fs/promises"
import { LocalFileError, StageFileExists, StageLocation } from "@runbatch/spec"
import { type PlannedFile, planPut, type StageStoreShape } from "@runbatch/stage-io"
import { Effect, Stream } from "effect"
import { display, parseFile, parseStage, reasonOf, type SnowflakeStage } from "./SnowflakeStage.ts"
import { listLocation } from "./SnowflakeStageList.ts"
import { removeExactly } from "./SnowflakeStageRemove.ts"
import { writeLocation } from "./SnowflakeStageWrite.ts"

const localError = (path: string) => (error: unknown) =>
  new LocalFileError({
    path,
    reason: (error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist." : reasonOf(error)
  })

export interface Planned {
  readonly file: string
  readonly location: StageLocation.StageLocation
  readonly size: number
  readonly modified: number
}

const statOf = (path: string) => Effect.tryPromise({ try: () => stat(path), catch: localError(path) })

/** A planned file with its size and modification time as found. */
const withStats = ({ file, location }: PlannedFile) =>
  Effect.map(
    statOf(file),
    (stats): Planned => ({ file, location, size: stats.size, modified: stats.mtimeMs })
  )

/** Fails unless the file is as it was when the put found it. */
const unchanged = (item: Planned) =>
  Effect.flatMap(statOf(item.file), (now) =>
    now.size === item.size && now.mtimeMs === item.modified
      ? Effect.void
      : Effect.fail(
          new LocalFileError({
            path: item.file,
            reason: `it changed while it was being put (${item.size} bytes when found, ${now.size} now); nothing of this put was kept. Put it again once it is no longer being written.`
          })
        )
  )

/**
 * Upload planned files in order, each checked unchanged since it was planned; on any failure the files
 * already uploaded are removed again. Returns the locations written.
 */
export const putPlanned = (stage: SnowflakeStage, items: ReadonlyArray<Planned>) =>
  Effect.gen(function* () {
    const done: Array<StageLocation.StageLocation> = []
    yield* Effect.forEach(
      items,
      (item) =>
        Effect.gen(function* () {
          yield* unchanged(item)
          const source = Stream.fromAsyncIterable(
            createReadStream(item.file) as AsyncIterable<Uint8Array>,
            localError(item.file)
          )
          yield* writeLocation(stage, item.location, source, unchanged(item))
          done.push(item.location)
        }),
      { discard: true }
    ).pipe(
      Effect.onError(() =>
        Effect.forEach(done, (location) => Effect.ignore(removeExactly(stage, location)), {
          discard: true
        })
      )
    )
    return items.map((item) => display(item.location))
  })

export const put =
  (stage: SnowflakeStage): StageStoreShape["put"] =>
  (localPaths, text) =>
    Effect.gen(function* () {
      const paths = typeof localPaths === "string" ? [localPaths] : localPaths
      const given = yield* parseStage(stage, text)
      const target = paths.length > 1 ? StageLocation.asDirectory(given) : given
      const plannedFiles = yield* planPut(paths, given)
      for (const { location } of plannedFiles) yield* parseFile(stage, display(location), "written")
      const items = yield* Effect.forEach(plannedFiles, withStats)
      // One LIST of the target finds every name already taken.
      const taken = new Set(
        (yield* listLocation(stage, target, { withoutMd5: true })).map((entry) => entry.path)
      )
      for (const item of items)
        if (taken.has(item.location.path))
          return yield* new StageFileExists({ location: display(item.location) })
      return yield* putPlanned(stage, items)
    })
