/**
 * The first writes of a job, once every check has passed: claim the output (save mode), materialise
 * the input once as parquet shards in the job's private folder, and write `plan.json` beside them.
 */
import { Identifier, InvalidModelVersion, JobName, JobPlan, OutputSpec, StageLocation } from "@runbatch/spec"
import { SaveMode, StageStore } from "@runbatch/stage-io"
import { Effect } from "effect"
import { check } from "./CheckJob.ts"
import { parallelismOf } from "./Parallelism.ts"
import { planOf } from "./PlanOf.ts"
import type { CheckedJob, PlannedJob, PlanRequest } from "./PlanRequest.ts"

/**
 * Undo `write`: remove the job's private folder. Its claim on the output stays (claims are never
 * removed, see SaveMode); the job never ran, so the next job takes the folder over.
 */
export const discard = Effect.fn("JobPlanner.discard")(function* (checked: CheckedJob) {
  const store = yield* StageStore
  yield* store.remove(StageLocation.format(checked.layout.job)).pipe(Effect.ignore)
})

/**
 * Copy the version's files into the job's `model/` folder, streamed, each checked against the sha256
 * the registry recorded for it (a file changed or damaged since it was logged fails the plan).
 */
const stageArtifacts = (checked: CheckedJob) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const { version } = checked.request
    const staged: Record<string, string> = {}
    for (const artifact of version.artifacts) {
      const copy = StageLocation.format(yield* StageLocation.child(checked.layout.model, artifact.name))
      const written = yield* store.write(copy, store.read(artifact.location))
      if (written.sha256 !== artifact.sha256)
        return yield* new InvalidModelVersion({
          model: Identifier.formatQualified(version.model),
          version: version.version,
          reason: `its file ${artifact.name} (${artifact.location}) is not the file that was logged: its sha256 is ${written.sha256}, the registry recorded ${artifact.sha256}. Log the version again.`
        })
      staged[artifact.name] = copy
    }
    return staged
  })

const writeJob = Effect.fn("JobPlanner.writeJob")(function* (
  checked: CheckedJob,
  instance: string | undefined
) {
  const store = yield* StageStore
  const { request, layout, jobName } = checked
  const qualified = JobName.id(jobName)
  yield* SaveMode.prepare({
    layout,
    mode: OutputSpec.modeOf(request.outputSpec),
    job: qualified,
    ...(instance === undefined ? {} : { instance }),
    ...(request.isActive === undefined ? {} : { isActive: request.isActive })
  })
  const materialized = yield* request.input.materialize(layout.input, {
    targetShards: parallelismOf(checked).targetShards
  })
  const staged = request.stageArtifacts === true ? yield* stageArtifacts(checked) : {}
  const plan = planOf(
    checked,
    {
      input: { location: StageLocation.format(layout.input), files: [...materialized.files] },
      shards: [...materialized.shards]
    },
    staged
  )
  const planLocation = StageLocation.format(layout.plan)
  yield* store.write(planLocation, new TextEncoder().encode(JobPlan.toJson(plan)))
  const planned: PlannedJob = {
    plan,
    planLocation,
    layout,
    jobName: qualified,
    rows: materialized.shards.reduce((sum, shard) => sum + shard.rows, 0)
  }
  return planned
})

/**
 * Claim the output, materialise the input and write the plan: the first writes of a job, `instance`
 * being which job of its name it is (the launcher's reservation says). If any of it fails, the job's
 * private folder is removed again, so the output folder is as it was (save mode `overwrite` has by
 * then cleared it, as asked).
 */
export const write = (checked: CheckedJob, instance?: string) =>
  writeJob(checked, instance).pipe(Effect.onError(() => discard(checked)))

/** Check, then write: a job ready to launch. */
export const planJob = (request: PlanRequest) => Effect.flatMap(check(request), (checked) => write(checked))
