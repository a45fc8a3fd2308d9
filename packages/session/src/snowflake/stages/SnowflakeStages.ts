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
import * as ModelFiles from "./SnowflakeModelFiles.ts"
import { parseStage, type SnowflakeStage } from "./SnowflakeStage.ts"
import { exists, list, size } from "./SnowflakeStageList.ts"
import { type Planned, put, putPlanned } from "./SnowflakeStagePut.ts"
import { fillBuffer, read, readBytes, readInto } from "./SnowflakeStageRead.ts"
import { remove } from "./SnowflakeStageRemove.ts"
import { write } from "./SnowflakeStageWrite.ts"

/** The StageStore over `session`'s stages; unqualified locations resolve in its current schema. */
export const make = (session: SnowflakeSessionShape): StageStoreShape => {
  const stage: SnowflakeStage = { session, context: session.context }
  const stages: StageStoreShape = {
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
  return withModelFiles(session, stages)
}

/** Model version files (`snow://model/…`) are read through the registry's LIST and GET, never changed. */
const withModelFiles = (session: SnowflakeSessionShape, stages: StageStoreShape): StageStoreShape => {
  const isModel = ModelFiles.isModelFile
  return {
    ...stages,
    list: (text, options) =>
      isModel(text) ? ModelFiles.list(session, text, options) : stages.list(text, options),
    read: (text) => (isModel(text) ? ModelFiles.read(session, text) : stages.read(text)),
    readBytes: (text, options) =>
      isModel(text) ? ModelFiles.readBytes(session, text, options) : stages.readBytes(text, options),
    readInto: (text, into, options) =>
      isModel(text)
        ? Effect.map(ModelFiles.readBytes(session, text, options), (bytes) => fillBuffer(bytes, into))
        : stages.readInto(text, into, options),
    size: (text) => (isModel(text) ? ModelFiles.size(session, text) : stages.size(text)),
    exists: (text) => (isModel(text) ? ModelFiles.exists(session, text) : stages.exists(text)),
    write: (text, data) => (isModel(text) ? ModelFiles.refuseChange(text) : stages.write(text, data)),
    put: (local, text) => (isModel(text) ? ModelFiles.refuseChange(text) : stages.put(local, text)),
    remove: (text) => (isModel(text) ? ModelFiles.refuseChange(text) : stages.remove(text)),
    localPath: (text) => (isModel(text) ? Effect.succeed(undefined) : stages.localPath(text))
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
