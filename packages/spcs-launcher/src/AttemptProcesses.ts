/**
 * The processes of a job's attempt still on this machine: its supervisor and its process group (the
 * replicas share it; its id is the supervisor's pid). A supervisor that hangs, or was stopped with
 * SIGSTOP, reads FAILED once its heartbeat is late, yet it and its replicas may wake and write again:
 * a job is resumable only once every one of them is gone, and `cancel` is how they are stopped.
 *
 * Group members are read from /proc, so zombies (exited, not yet reaped by an init that never reaps)
 * do not count; without /proc only the supervisor's own pid can be seen.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { hostname } from "node:os"
import { files, Records, readRecord } from "./JobFolder.ts"
import { bootId, processAlive } from "./SupervisorLiveness.ts"

/** The live (not zombie) processes of process group `group`; undefined where there is no /proc. */
const groupMembers = (group: number): Array<number> | undefined => {
  if (!existsSync("/proc/self/stat")) return undefined
  const members: Array<number> = []
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8")
      // After the command (in parentheses, possibly holding spaces): state, ppid, pgrp, …
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      if (fields[0] !== "Z" && Number(fields[2]) === group) members.push(Number(entry))
    } catch {
      // It exited while the list was read.
    }
  }
  return members
}

/** Whether process `pid` is the supervisor of the job folder `dir`: its command line names the folder. */
const supervises = (pid: number, dir: string): boolean => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(dir)
  } catch {
    return false
  }
}

/**
 * The pids of the attempt in `dir` still alive on this machine, lowest first; none when its supervisor
 * runs on another machine (it cannot be seen from here), the machine restarted since, or it never
 * started.
 */
export const attemptProcesses = (dir: string): ReadonlyArray<number> => {
  const supervisor = readRecord(Records.supervisor, files(dir).supervisor)
  if (supervisor === undefined || supervisor.host !== hostname()) return []
  const boot = bootId()
  if (supervisor.bootId !== undefined && boot !== undefined && supervisor.bootId !== boot) return []
  const members = groupMembers(supervisor.pid)
  if (members === undefined) return processAlive(supervisor.pid) ? [supervisor.pid] : []
  // A pid is reused as a group's id only once no process is left in the old group: a live leader
  // that is not this job's supervisor means the job's group is empty.
  if (members.includes(supervisor.pid) && !supervises(supervisor.pid, dir)) return []
  return members.sort((a, b) => a - b)
}

/**
 * Kill what is left of the attempt in `dir` (its process group, with SIGKILL, which also ends stopped
 * processes); the pids it found.
 */
export const stopAttempt = (dir: string): ReadonlyArray<number> => {
  const pids = attemptProcesses(dir)
  if (pids.length === 0) return pids
  const supervisor = readRecord(Records.supervisor, files(dir).supervisor)
  if (supervisor === undefined) return []
  try {
    process.kill(-supervisor.pid, "SIGKILL")
  } catch {
    // Gone meanwhile.
  }
  return pids
}
