/**
 * @runbatch/spcs-launcher — the JobLauncher service and the jobs API (launch, status, wait, logs,
 * cancel, progress, listJobs, getJob, deleteJob). Locally a detached supervisor per job starts its
 * replicas with Snowpark Container Services' environment contract; a Snowflake job-service layer will
 * implement the same shape. It starts the replica command it is given and never imports the runtime.
 */
// First: a second copy of a shared library fails here, by name, before any other module uses one.
import "./SharedLibrariesCheck.ts"

export * from "./JobLauncher.ts"
export * from "./JobProgress.ts"
export * from "./JobStatus.ts"
export * from "./LauncherPromise.ts"
export { type LocalLauncherOptions, supervisorEntry } from "./LocalLauncher.ts"
export * from "./spcs/ExecuteJobService.ts"
export * as JobServiceSpec from "./spcs/JobServiceSpec.ts"
export * as PoolCapacity from "./spcs/PoolCapacity.ts"
