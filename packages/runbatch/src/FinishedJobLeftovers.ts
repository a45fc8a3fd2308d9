/**
 * The working files a finished job left: the coordinator writes `_SUCCESS` and then removes the job's
 * private folder (`_runbatch/<job>/`: plan, staged input, commit records), so a replica killed between
 * the two leaves a complete output — the job reads DONE — beside files no reader needs. Reading a job
 * never writes; `resume` of such a job is the action that finishes finalize's last step.
 */
import type { JobHandle } from "@runbatch/spcs-launcher"
import { StageLocation } from "@runbatch/spec"
import { OutputLayout, StageStore } from "@runbatch/stage-io"
import { Effect } from "effect"

/** Remove the private folder of `job`, a DONE job; whether anything was left there. */
export const removeFinishedJobLeftovers = (job: JobHandle) =>
  Effect.gen(function* () {
    const output = job.request.outputLocation
    if (output === undefined) return false
    const store = yield* StageStore
    const { database, schema } = job.request.job
    const location = yield* StageLocation.parseDirectory(output, { database, schema })
    const privateFolder = StageLocation.format(OutputLayout.make(location, job.id).job)
    if (!(yield* store.exists(privateFolder))) return false
    yield* store.remove(privateFolder)
    return true
  })
