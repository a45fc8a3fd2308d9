/**
 * @runbatch/runbatch — batch inference for TypeScript. Run a model version over a table, a query,
 * parquet files or a folder of files as a job, on the embedded local account (a folder) or, next, on
 * Snowflake; follow it with the jobs API; read its results. Effect programs use `Account.layerLocal`
 * with `runBatch`; everyone else `Session.local()`.
 */
// First: a second copy of a shared library fails here, by name, before any other module uses one.
import "./SharedLibrariesCheck.ts"

// What Effect programs need besides the facade's own: the job planner, model signatures, and reading
// results back.
export { JobPlanner } from "@runbatch/planner"
export { Signature } from "@runbatch/spec"
export { ResultsReader } from "@runbatch/stage-io"
export * as Account from "./Account.ts"
export { type DryRunOptions, type DryRunReport, dryRun } from "./DryRun.ts"
export * as InputSource from "./InputSource.ts"
export { checkModel } from "./ModelCheck.ts"
export {
  Model,
  ModelVersion,
  type ModelVersionRunOptions,
  Registry,
  type RegistryOptions
} from "./Registry.ts"
export { resumeJob } from "./ResumeJob.ts"
export { checkBatch, machineCpus, type RunBatchOptions, runBatch } from "./RunBatch.ts"
export { Session } from "./Session.ts"
