/**
 * Whether the other replicas of a job are still alive: the coordinator asks this rather than waiting on
 * commit records alone, so a dead replica fails the job instead of leaving it waiting forever. Locally
 * the job's supervisor answers by writing one status file per replica; in Snowpark Container Services
 * the answer comes from `SHOW SERVICE INSTANCES` (a later layer).
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ReplicaStatus as ReplicaStatusFile } from "@runbatch/spec"
import { Context, Effect, Layer } from "effect"

export type ReplicaStatus = ReplicaStatusFile.ReplicaStatus

export interface ReplicaMonitorShape {
  /** Replicas known to have stopped without success (exited non-zero or by a signal). */
  readonly lost: Effect.Effect<ReadonlyArray<{ readonly replica: number; readonly reason: string }>>
  /** Whether every replica but the coordinator has exited (successfully or not). */
  readonly othersExited: Effect.Effect<boolean>
}

const readStatus = (folder: string, replica: number): ReplicaStatus | undefined => {
  try {
    return JSON.parse(readFileSync(statusFile(folder, replica), "utf8")) as ReplicaStatus
  } catch {
    // Not written yet (the replica is starting), or being replaced this instant: no news.
    return undefined
  }
}

/** The status file the supervisor writes for a replica. */
export const statusFile = (folder: string, replica: number): string =>
  join(folder, ReplicaStatusFile.fileName(replica))

export class ReplicaMonitor extends Context.Service<ReplicaMonitor, ReplicaMonitorShape>()(
  "@runbatch/runtime/ReplicaMonitor"
) {
  /** No supervisor to ask (a single replica, tests): every replica counts as alive. */
  static readonly layerAssumeAlive: Layer.Layer<ReplicaMonitor> = Layer.succeed(ReplicaMonitor, {
    lost: Effect.succeed([]),
    othersExited: Effect.succeed(false)
  })

  /**
   * Status files `replica-<i>.json` in `folder`, written by the local supervisor as it sees its
   * children start and exit.
   */
  static readonly layerStatusFolder = (folder: string, replicas: number): Layer.Layer<ReplicaMonitor> =>
    Layer.succeed(ReplicaMonitor, {
      othersExited: Effect.sync(() =>
        Array.from({ length: replicas - 1 }, (_, i) => readStatus(folder, i + 1)).every(
          (s) => s?.state === "exited"
        )
      ),
      lost: Effect.sync(() => {
        const lost: Array<{ readonly replica: number; readonly reason: string }> = []
        for (let replica = 0; replica < replicas; replica++) {
          const status = readStatus(folder, replica)
          if (status === undefined || status.state !== "exited") continue
          if (status.signal !== undefined && status.signal !== null) {
            lost.push({ replica, reason: `it was killed by ${status.signal}.` })
          } else if (status.code !== 0) {
            lost.push({ replica, reason: `it exited with code ${String(status.code)}.` })
          }
        }
        return lost
      })
    })
}
