/**
 * The plan of a checked job: what `plan.json` holds. What it takes from the model version (its name,
 * the function and its signature, the files by sha256) is one function, `versionFields`, which resume
 * uses too, so a plan is compared with the version as it is now by the code that planned it.
 */
import { createRequire } from "node:module"
import type { ModelVersionInfo } from "@runbatch/registry-client"
import { JobPlan, JobSpec, type ModelFunction, OutputSpec, StageLocation } from "@runbatch/spec"
import type { CheckedJob } from "./PlanRequest.ts"

const packageVersion = (createRequire(import.meta.url)("../package.json") as { version: string }).version

/** Where each artifact's copy in the job folder is, by name (artifacts staged with the job). */
export type StagedArtifacts = Readonly<Record<string, string>>

/**
 * The parts of a plan that come from the model version and the function it runs; `staged` names the
 * copies written with the job, if any.
 */
export const versionFields = (
  version: ModelVersionInfo,
  fn: ModelFunction.ModelFunction,
  staged: StagedArtifacts = {}
): Pick<JobPlan.JobPlan, "model" | "function" | "signature" | "artifacts"> => ({
  model: { ...version.model, version: version.version },
  function: fn,
  signature: fn.signature,
  artifacts: version.artifacts.map((a) => ({
    name: a.name,
    location: a.location,
    bytes: a.bytes,
    sha256: a.sha256,
    ...(staged[a.name] === undefined ? {} : { staged: staged[a.name]! })
  }))
})

/** The copies a written plan's artifacts have, by name. */
export const stagedOf = (plan: JobPlan.JobPlan): StagedArtifacts =>
  Object.fromEntries(plan.artifacts.flatMap((a) => (a.staged === undefined ? [] : [[a.name, a.staged]])))

/** The plan of a checked job, over its materialised input. */
export const planOf = (
  checked: CheckedJob,
  materialized: { readonly input: JobPlan.JobPlan["input"]; readonly shards: JobPlan.JobPlan["shards"] },
  staged: StagedArtifacts = {}
): JobPlan.JobPlan => {
  const { request } = checked
  const jobSpec = request.jobSpec ?? {}
  return JobPlan.make({
    planVersion: JobPlan.PLAN_VERSION,
    runbatchVersion: packageVersion,
    createdAt: new Date().toISOString(),
    job: checked.jobName,
    ...versionFields(request.version, checked.function, staged),
    inputSchema: checked.columns,
    outputSchema: checked.outputSchema,
    columnMapping: checked.columnMapping,
    columnHandling: checked.columnHandling,
    engine: checked.engine,
    plugins: checked.plugins,
    params: checked.params,
    batch: {
      ...(checked.maxBatchRows === undefined ? {} : { maxBatchRows: checked.maxBatchRows }),
      ...(jobSpec.maxBatchBytes === undefined ? {} : { maxBatchBytes: jobSpec.maxBatchBytes }),
      ...(jobSpec.numWorkers === undefined ? {} : { numWorkers: jobSpec.numWorkers }),
      ...(checked.concurrentBatches === undefined ? {} : { concurrentBatches: checked.concurrentBatches })
    },
    replicas: JobSpec.replicasOf(jobSpec),
    onError: JobSpec.onErrorOf(jobSpec),
    ...(JobSpec.strictNullsOf(jobSpec) ? { strictNulls: true } : {}),
    input: materialized.input,
    shards: materialized.shards,
    output: {
      location: StageLocation.format(checked.layout.output),
      mode: OutputSpec.modeOf(request.outputSpec)
    }
  })
}
