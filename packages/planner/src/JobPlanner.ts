/**
 * The client's half of a job (design.md §1): check everything that can be checked without touching
 * storage (`check`), then claim the output, materialise the input once as parquet shards and write the
 * plan the replicas run (`write`). Nothing is written until every check has passed, so a job refused
 * here leaves no trace. `changedSincePlanned` asks whether a written plan is still what would be
 * planned now (resume). runBatch, dry runs, resume and testkit's job stager all plan through here.
 */
export { changedSincePlanned } from "./ChangedSincePlanned.ts"
export { check } from "./CheckJob.ts"
export { parallelismOf } from "./Parallelism.ts"
export { planOf } from "./PlanOf.ts"
export type { CheckedEncoder, CheckedJob, PlannedJob, PlanRequest } from "./PlanRequest.ts"
export { silentLogger } from "./SilentLogger.ts"
export { discard, planJob, write } from "./WriteJob.ts"
