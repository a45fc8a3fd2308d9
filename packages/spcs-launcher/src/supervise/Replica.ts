/**
 * One replica as the supervisor keeps track of it: its process, how it ended, the error its `failed`
 * line gave, and the last lines of its log a failure message quotes.
 */
import type { ChildProcess } from "node:child_process"

/** Log lines quoted in a failure message. */
export const TAIL_LINES = 10

export interface Replica {
  readonly index: number
  child: ChildProcess | undefined
  spawned: boolean
  exited: boolean
  settled: boolean
  code: number | null
  signal: string | null
  failure: { readonly tag: string; readonly message: string } | undefined
  readonly tail: Array<string>
  logFd: number | undefined
  killTimer: NodeJS.Timeout | undefined
}

export const newReplica = (index: number, logFd: number): Replica => ({
  index,
  child: undefined,
  spawned: false,
  exited: false,
  settled: false,
  code: null,
  signal: null,
  failure: undefined,
  tail: [],
  logFd,
  killTimer: undefined
})

export const how = (replica: Pick<Replica, "code" | "signal">): string =>
  replica.signal !== null
    ? `was killed by ${replica.signal}`
    : `exited with code ${replica.code === null ? "unknown" : replica.code}`

/** Why the job failed, from the replica that ended it. */
export const failureMessage = (
  replica: Pick<Replica, "index" | "code" | "signal" | "failure" | "tail">,
  replicas: number
): string => {
  const error = replica.failure === undefined ? "" : ` ${replica.failure.tag}: ${replica.failure.message}`
  const tail =
    replica.tail.length === 0
      ? ""
      : `\nLast lines of its log (getLogs({ instance: ${replica.index} })):\n${replica.tail.map((l) => `  ${l}`).join("\n")}`
  return `Replica ${replica.index} of ${replicas} ${how(replica)}.${error}${tail}`
}
