/**
 * `RUNBATCH_STAGE_MOUNTS`: where a job service's stage volumes are mounted in the replica's container,
 * as JSON — `{"@ML.PUBLIC.RESULTS": "/stages/0", "@ML.PUBLIC.IMAGES": "/stages/1"}`. The replica then
 * reads and writes only those stages, each at its folder (the local store in object-store mode, as a
 * stage volume allows: no rename, no overwrite). Stages are named fully qualified; folders absolute.
 */
import { isAbsolute } from "node:path"
import { StageLocation } from "@runbatch/spec"
import { Effect, Result } from "effect"

export type StageMountsParse =
  | { readonly mounts: Readonly<Record<string, string>> | undefined }
  | { readonly problem: string }

export const parseStageMounts = (text: string | undefined): StageMountsParse => {
  if (text === undefined || text.trim() === "") return { mounts: undefined }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { problem: `RUNBATCH_STAGE_MOUNTS is not JSON (${(error as Error).message})` }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { problem: 'RUNBATCH_STAGE_MOUNTS must be a JSON object: {"@DB.SCHEMA.STAGE": "/mount/path", …}' }
  const mounts: Record<string, string> = {}
  for (const [stage, folder] of Object.entries(value)) {
    const parsed = Effect.runSync(Effect.result(StageLocation.parse(stage)))
    if (Result.isFailure(parsed))
      return { problem: `RUNBATCH_STAGE_MOUNTS names ${JSON.stringify(stage)}: ${parsed.failure.reason}` }
    if (parsed.success.path !== "")
      return {
        problem: `RUNBATCH_STAGE_MOUNTS names ${JSON.stringify(stage)}: a mount is of a whole stage, not a folder in it`
      }
    if (typeof folder !== "string" || !isAbsolute(folder))
      return {
        problem: `RUNBATCH_STAGE_MOUNTS mounts ${stage} at ${JSON.stringify(folder)}, which is not an absolute path`
      }
    mounts[StageLocation.stageKey(parsed.success)] = folder
  }
  return { mounts }
}
