import { JobSpec } from "@runbatch/spec"
import type { CheckedJob } from "./PlanRequest.ts"

/** How a checked job's work spreads: replicas, workers each, and the shards to aim for. */
export const parallelismOf = (checked: CheckedJob) => {
  const jobSpec = checked.request.jobSpec ?? {}
  const replicas = JobSpec.replicasOf(jobSpec)
  const workers = jobSpec.numWorkers ?? Math.max(1, checked.request.cpusPerReplica)
  return {
    replicas,
    workers,
    /** Engine threads per worker: its share of the replica's CPUs. */
    threads: Math.max(1, Math.floor(checked.request.cpusPerReplica / workers)),
    // About four shards per worker: enough to balance uneven shards, few enough to stay cheap.
    targetShards: replicas * workers * 4
  }
}
