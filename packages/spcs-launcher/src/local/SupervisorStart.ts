/**
 * Starting a job's supervisor: a detached process in its own process group (so its replicas can be
 * stopped together), unreferenced, so it outlives the client that started it. Nothing of the client
 * owns it: a job outlives its client by design.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { hostname } from "node:os"
import { type JobFiles, Records, writeRecord } from "../JobFolder.ts"
import { supervisorEntry } from "../SupervisorEntry.ts"
import { bootId } from "../SupervisorLiveness.ts"
import { reasonOf } from "./LocalContext.ts"

/** Record INTERNAL_ERROR: the supervisor never started, so nothing else will. */
export const recordStartFailure = (paths: JobFiles, reason: string): void => {
  const now = new Date().toISOString()
  writeRecord(Records.status, paths.status, {
    status: "INTERNAL_ERROR",
    message: `The job's supervisor could not be started: ${reason}`,
    updatedTime: now,
    completedTime: now
  })
}

/**
 * Spawn the supervisor of the job in `paths.dir` and record its pid (supervisor.json); the reason it
 * could not be started, or undefined.
 */
export const spawnSupervisor = (paths: JobFiles): string | undefined => {
  let child: ChildProcess
  try {
    child = spawn(process.execPath, [...supervisorEntry.execArgv, supervisorEntry.file, paths.dir], {
      detached: true,
      stdio: "ignore",
      env: process.env
    })
  } catch (error) {
    return reasonOf(error)
  }
  // A failed start is reported through "error" on the next tick; the job records it then.
  child.on("error", (error) => {
    if (child.pid !== undefined) return
    try {
      recordStartFailure(paths, error.message)
    } catch {
      // Deleted meanwhile.
    }
  })
  if (child.pid === undefined) return "the supervisor process could not be started."
  const boot = bootId()
  writeRecord(Records.supervisor, paths.supervisor, {
    pid: child.pid,
    host: hostname(),
    ...(boot === undefined ? {} : { bootId: boot }),
    startedTime: new Date().toISOString()
  })
  child.unref()
  return undefined
}
