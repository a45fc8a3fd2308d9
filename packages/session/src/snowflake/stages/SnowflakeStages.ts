/**
 * The StageStore on Snowflake's named internal stages, over one logged-in SnowflakeSession: LIST,
 * GET, PUT and REMOVE, each operation in its own module. Files are streamed through private temporary
 * folders (never held whole), never overwritten, and there is no local path: the runtime reads them
 * through `LocalCopy`. Writes leave no temporary files on the stage (they are made locally), so
 * `removeTemporaryFiles` removes none. User stages (`@~`), table stages (`@%T`) and external stages
 * are refused by the stage grammar (InvalidStageLocation) for now.
 */
import { StageStore, type StageStoreShape } from "@runbatch/stage-io"
import { Effect, Layer } from "effect"
import { SnowflakeSession, type SnowflakeSessionShape } from "../SnowflakeSession.ts"
import { parseStage, type SnowflakeStage } from "./SnowflakeStage.ts"
import { exists, list, size } from "./SnowflakeStageList.ts"
import { type Planned, put, putPlanned } from "./SnowflakeStagePut.ts"
import { read, readBytes, readInto } from "./SnowflakeStageRead.ts"
import { remove } from "./SnowflakeStageRemove.ts"
import { write } from "./SnowflakeStageWrite.ts"

/** The StageStore over `session`'s stages; unqualified locations resolve in its current schema. */
export const make = (session: SnowflakeSessionShape): StageStoreShape => {
  const stage: SnowflakeStage = { session, context: session.context }
  return {
    context: stage.context,
    list: list(stage),
    read: read(stage),
    readBytes: readBytes(stage),
    readInto: readInto(stage),
    size: size(stage),
    write: write(stage),
    put: put(stage),
    remove: remove(stage),
    removeTemporaryFiles: (text) => Effect.as(parseStage(stage, text), 0),
    exists: exists(stage),
    localPath: (text) => Effect.as(parseStage(stage, text), undefined)
  }
}

/** `SnowflakeStages.layer`: the StageStore on the session's account. */
export const layer: Layer.Layer<StageStore, never, SnowflakeSession> = Layer.effect(
  StageStore,
  SnowflakeSession.useSync(make)
)

/**
 * Upload files a caller planned itself (local file, target location, its size and modification time
 * when planned), as `put` does after its checks: a file no longer as planned fails the upload and
 * what was already uploaded is removed. Tests use it to change a file between planning and upload.
 */
export const putPlannedFiles = (session: SnowflakeSessionShape, items: ReadonlyArray<Planned>) =>
  putPlanned({ session, context: session.context }, items)

export type { Planned } from "./SnowflakeStagePut.ts"
