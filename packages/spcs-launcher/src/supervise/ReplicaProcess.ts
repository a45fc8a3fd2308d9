/**
 * Starting one replica: its command as a child process with its environment, its stdout and stderr
 * kept as its log and read as the replica output protocol (progress, its `failed` error, the tail a
 * failure message quotes), and its start, failure to start and exit reported to the run.
 */
import { spawn } from "node:child_process"
import { openSync, writeSync } from "node:fs"
import * as ReplicaOutput from "@runbatch/spec/ReplicaOutput"
import { lineSplitter, tailText } from "../ReplicaLog.ts"
import type { JobRun } from "./JobRun.ts"
import { how, newReplica, type Replica, TAIL_LINES } from "./Replica.ts"
import { replicaEnvironment } from "./ReplicaEnvironment.ts"

/** How long a replica's output may keep arriving after it exited (a grandchild holding stdout). */
const DRAIN_MILLIS = 2000

/** Keep one line of a replica's output: in its log, and as what the protocol says it is. */
const remember = (run: JobRun, replica: Replica, text: string): void => {
  if (replica.logFd !== undefined) writeSync(replica.logFd, `${text}\n`)
  const line = ReplicaOutput.parse(text)
  if (line.type === "progress") run.recordProgress(replica.index, line.progress)
  else if (line.type === "failed") replica.failure = { tag: line.tag, message: line.message }
  else if (line.type === "mismatch") {
    // Nothing a replica of another version says can be trusted to mean the same: stop the job.
    run.note(`replica ${replica.index} writes replica output of version ${line.found}`)
    run.end(
      {
        status: "FAILED",
        message: `ReplicaOutputMismatch: ${ReplicaOutput.mismatchMessage(replica.index, line.found)}`
      },
      `replica ${replica.index} runs another runbatch version`
    )
  }
  const shown = line.type === "failed" ? undefined : tailText(line)
  if (shown !== undefined) {
    replica.tail.push(shown)
    if (replica.tail.length > TAIL_LINES) replica.tail.shift()
  }
}

/** Start replica `index` of the run; `onRunning` once it has started. */
export const startReplica = (run: JobRun, index: number, onRunning: () => void): void => {
  const { paths, record } = run
  const replica = newReplica(index, openSync(paths.log(index), "a"))
  run.replicas.push(replica)
  run.monitor(replica, "starting")
  const child = spawn(record.replicaCommand.command, [...record.replicaCommand.args], {
    cwd: record.cwd,
    env: replicaEnvironment(record, index, paths.monitor),
    stdio: ["ignore", "pipe", "pipe"]
  })
  replica.child = child
  const stdout = lineSplitter((text) => remember(run, replica, text))
  const stderr = lineSplitter((text) => remember(run, replica, text))
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => stdout.push(chunk))
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk))
  child.once("spawn", () => {
    replica.spawned = true
    run.note(`replica ${index} started: pid ${child.pid}`)
    run.monitor(replica, "running")
    onRunning()
  })
  child.once("error", (error) => {
    if (replica.spawned) {
      run.note(`replica ${index}: ${error.message}`)
      return
    }
    // The command could not be started at all: a fault of the launch, not of the job's work.
    replica.exited = true
    run.monitor(replica, "exited")
    run.note(`replica ${index} could not be started: ${error.message}`)
    run.end(
      {
        status: "INTERNAL_ERROR",
        message: `Replica ${index} of ${record.replicas} could not be started: ${error.message} (command ${record.replicaCommand.command}, in ${record.cwd}).`
      },
      `replica ${index} could not be started`
    )
    run.settle(replica)
  })
  child.once("exit", (code, signal) => {
    replica.exited = true
    replica.code = code
    replica.signal = signal
    run.monitor(replica, "exited")
    run.note(`replica ${index} ${how(replica)}`)
    const drained = () => {
      stdout.end()
      stderr.end()
      run.settle(replica)
    }
    const timer = setTimeout(drained, DRAIN_MILLIS)
    child.once("close", () => {
      clearTimeout(timer)
      drained()
    })
  })
}
