/**
 * Whether the other replicas of a job are still alive: the coordinator asks this rather than waiting on
 * commit records alone, so a dead replica fails the job instead of leaving it waiting forever. Locally
 * the job's supervisor answers by writing one status file per replica; in Snowpark Container Services
 * the answer comes from `SHOW SERVICE INSTANCES` (a later layer). A status file is checked on read
 * (spec's ReplicaStatus): one of another version or damaged fails with ReplicaStatusUnreadable.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ReplicaStatus as ReplicaStatusFile, ReplicaStatusUnreadable } from "@runbatch/spec"
import { Context, Effect, Layer } from "effect"

export type ReplicaStatus = ReplicaStatusFile.ReplicaStatus

export interface ReplicaMonitorShape {
  /** Replicas known to have stopped without success (exited non-zero or by a signal). */
  readonly lost: Effect.Effect<
    ReadonlyArray<{ readonly replica: number; readonly reason: string }>,
    ReplicaStatusUnreadable
  >
  /** Whether every replica but the coordinator has exited (successfully or not). */
  readonly othersExited: Effect.Effect<boolean, ReplicaStatusUnreadable>
}

const readText = (file: string): string | undefined => {
  try {
    return readFileSync(file, "utf8")
  } catch {
    // Not written yet (the replica is starting): no news.
    return undefined
  }
}

/** A replica's status, or undefined before its supervisor wrote one. */
const readStatus = (
  folder: string,
  replica: number
): Effect.Effect<ReplicaStatus | undefined, ReplicaStatusUnreadable> =>
  Effect.suspend(() => {
    const file = statusFile(folder, replica)
    const text = readText(file)
    if (text === undefined) return Effect.succeed(undefined)
    // Written whole (renamed into place): a file that does not read is of another version, or damaged.
    const read = ReplicaStatusFile.parse(text)
    return read.ok
      ? Effect.succeed(read.value)
      : Effect.fail(new ReplicaStatusUnreadable({ file, found: read.found, reason: read.reason }))
  })

const statuses = (folder: string, replicas: ReadonlyArray<number>) =>
  Effect.forEach(replicas, (replica) => readStatus(folder, replica))

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
      othersExited: Effect.map(
        statuses(
          folder,
          Array.from({ length: replicas - 1 }, (_, i) => i + 1)
        ),
        (all) => all.every((s) => s?.state === "exited")
      ),
      lost: Effect.map(
        statuses(
          folder,
          Array.from({ length: replicas }, (_, i) => i)
        ),
        (all) => {
          const lost: Array<{ readonly replica: number; readonly reason: string }> = []
          for (const [replica, status] of all.entries()) {
            if (status === undefined || status.state !== "exited") continue
            if (status.signal !== undefined && status.signal !== null) {
              lost.push({ replica, reason: `it was killed by ${status.signal}.` })
            } else if (status.code !== 0) {
              lost.push({ replica, reason: `it exited with code ${String(status.code)}.` })
            }
          }
          return lost
        }
      )
    })
}
