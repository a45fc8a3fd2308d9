/**
 * Replica 0's extra duty: once every shard of the job is committed — by any replica — finish the output
 * (manifest, cleanup, `_SUCCESS`). It never waits forever: each look (a poll on a Schedule) asks the
 * ReplicaMonitor too, and a replica that died, or every other replica having exited with shards still
 * uncommitted, fails the job.
 */
import { type JobPlan, ReplicaLost, ResultsIncomplete, StageLocation } from "@runbatch/spec"
import type { OutputCommitter, OutputManifest } from "@runbatch/stage-io"
import { Duration, Effect, Schedule } from "effect"
import { ReplicaMonitor } from "./ReplicaMonitor.ts"

export interface CoordinatorOptions {
  readonly plan: JobPlan.JobPlan
  readonly committer: OutputCommitter.OutputCommitter
  readonly job: OutputManifest.JobInfo
  /** How often to look again (default 200 ms). */
  readonly pollMillis?: number
}

const DEFAULT_POLL_MILLIS = 200

export const finish = Effect.fn("Coordinator.finish")(function* (options: CoordinatorOptions) {
  const monitor = yield* ReplicaMonitor
  const { plan, committer } = options
  const shards = plan.shards.length
  /** One look: whether every shard is committed yet, or why the job can never be. */
  const allCommitted = Effect.gen(function* () {
    const committed = yield* committer.committed
    if (committed.size >= shards) return true
    const lost = yield* monitor.lost
    if (lost.length > 0) return yield* new ReplicaLost({ replica: lost[0]!.replica, reason: lost[0]!.reason })
    if (yield* monitor.othersExited) {
      // Look once more: the last commit may have landed just before its replica exited.
      const again = yield* committer.committed
      if (again.size >= shards) return true
      const missing = plan.shards.filter((s) => !again.has(s.index)).map((s) => s.index)
      return yield* new ResultsIncomplete({
        location: StageLocation.format(committer.layout.output),
        reason: `every replica has stopped but shard(s) ${missing.slice(0, 10).join(", ")} were never committed.`
      })
    }
    return false
  })
  yield* allCommitted.pipe(
    Effect.repeat({
      schedule: Schedule.spaced(Duration.millis(options.pollMillis ?? DEFAULT_POLL_MILLIS)),
      until: (done) => done
    })
  )
  return yield* committer.finalize(shards, options.job)
})
