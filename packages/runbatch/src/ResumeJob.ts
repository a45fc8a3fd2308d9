/**
 * Resuming a stopped job: a job that failed or was cancelled at 90% costs 10% to finish. Before the
 * launcher starts it again, everything the job ran with is checked to be as it was — the plan (its
 * fingerprint: model version, function, params, engine and options, encoders, input, output), the
 * plugins' versions and files, the model version's files, and the staged input (sizes and sha256) —
 * so a resumed job can only produce what an uninterrupted run would have. Anything changed:
 * ResumeRefused, naming it. The replicas then rerun only shards without a commit record, as new
 * attempts (write-once).
 */
import { JobPlanner } from "@runbatch/planner"
import { loadPlan } from "@runbatch/runtime"
import { type JobHandle, JobLauncher, resumeRefusal } from "@runbatch/spcs-launcher"
import { JobName, ResumeRefused, StageLocation } from "@runbatch/spec"
import { OutputLayout, SaveMode, StageStore } from "@runbatch/stage-io"
import { Effect } from "effect"
import { removeFinishedJobLeftovers } from "./FinishedJobLeftovers.ts"
import { stagedInputChange } from "./StagedInputCheck.ts"

const refuse = (job: string, reason: string) => Effect.fail(new ResumeRefused({ job, reason }))

/** Why `job` cannot run again as planned, or undefined when it can. */
const changed = (job: JobHandle) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    // Parsing checks the plan against its own fingerprint: an edited or damaged plan is refused.
    const plan = yield* loadPlan(job.request.planLocation)
    // Its plugins, the model version and its files: what the planner would plan now.
    const replanned = yield* JobPlanner.changedSincePlanned(plan)
    if (replanned !== undefined) return replanned
    // The staged input: every file still there, unchanged (size, and sha256 where the plan has it).
    const inputChange = yield* stagedInputChange(plan)
    if (inputChange !== undefined) return inputChange
    // The output: still claimed by this job, and not finished by anything else.
    const jobName = JobName.id(plan.job)
    const layout = OutputLayout.make(yield* StageLocation.parse(plan.output.location), jobName)
    const holder = yield* SaveMode.currentClaim(layout)
    if (holder !== undefined && holder.job !== jobName)
      return `its output ${plan.output.location} is now claimed by ${holder.job}.`
    if (holder?.instance !== undefined && holder.instance !== job.instance)
      return `its output ${plan.output.location} is now claimed by a later job named ${holder.job}.`
    if (yield* store.exists(StageLocation.format(layout.success))) {
      return `its output ${plan.output.location} already has a _SUCCESS marker.`
    }
    return undefined
  }).pipe(
    // A plan that no longer reads, a plugin or version that changed: all reasons not to resume. A
    // failure to read or write (a busy database, an I/O error) is not: it fails as itself.
    Effect.catch((error) =>
      operational(error)
        ? Effect.fail(error)
        : Effect.succeed(`${(error as { message?: string }).message ?? String(error)}`)
    )
  )

const operational = (error: unknown): boolean => {
  const { _tag, problem } = error as { readonly _tag?: string; readonly problem?: string }
  return (
    _tag === "LocalFileError" ||
    _tag === "DatabaseBusy" ||
    _tag === "SqlError" ||
    (_tag === "StageFileError" && (problem === "unreadable" || problem === "unwritable"))
  )
}

/**
 * Resume a FAILED or CANCELLED job by id; returns the handle of its next attempt. A job whose output
 * was finished but whose working files were left (its replica killed right after `_SUCCESS`) reads
 * DONE: resuming it removes them and answers with the job itself, DONE, instead of a refusal.
 */
export const resumeJob = (id: string | JobHandle) =>
  Effect.gen(function* () {
    const launcher = yield* JobLauncher
    const job = typeof id === "string" ? yield* launcher.getJob(id) : id
    const status = yield* job.status
    if (status === "DONE" && (yield* removeFinishedJobLeftovers(job))) return job
    // Checked here too (the launcher checks again) so a refusal comes before the verification's work.
    const refusal = resumeRefusal(status)
    if (refusal !== undefined) return yield* refuse(job.id, refusal)
    const reason = yield* changed(job)
    if (reason !== undefined) return yield* refuse(job.id, `${reason} Run it again as a new job.`)
    return yield* launcher.resume(job)
  })
