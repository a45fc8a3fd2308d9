/**
 * Whether a job's supervisor is still there, as a client sees it: a job whose supervisor vanished
 * (killed, the machine restarted) must read FAILED, never RUNNING forever. On the supervisor's own
 * host:
 *
 * - the machine restarted since it started (Linux's boot id changed): gone, whatever holds its pid now;
 * - its pid is gone (`kill(pid, 0)` fails, or the process is a zombie): gone.
 *
 * And anywhere, its heartbeat (the modification time of supervisor.json, refreshed every second) older
 * than the timeout makes it "silent": a hung supervisor, a pid reused after a restart where there is no
 * boot id, a job folder shared with another machine. Silence is confirmed by looking again a moment
 * later, because a machine waking from sleep wakes its client and its supervisor together, and the
 * client may look first.
 */
import { readFileSync, statfsSync, statSync } from "node:fs"
import { hostname } from "node:os"
import { type ClientRecord, files, type JobFiles, type JobRecord, Records, readRecord } from "./JobFolder.ts"

/** A launched job whose supervisor has not announced itself by then is taken as never started. */
/** The last `fatal:` line a supervisor noted before it died, if it could write one. */
const lastFatal = (log: string): string | undefined => {
  try {
    const lines = readFileSync(log, "utf8").trimEnd().split("\n")
    const line = lines.findLast((l) => / fatal: /.test(l))
    return line?.slice(line.indexOf(" fatal: ") + " fatal: ".length)
  } catch {
    return undefined
  }
}

/** Whether the filesystem holding `dir` has no space left for an unprivileged writer. */
const diskFull = (dir: string): boolean => {
  try {
    return statfsSync(dir).bavail === 0
  } catch {
    return false
  }
}

/** Why a supervisor whose process is gone died, as far as the job folder can tell. */
const deathOf = (paths: JobFiles, pid: number): string => {
  const fatal = lastFatal(paths.supervisorLog)
  if (fatal !== undefined) return `its process ${pid} stopped on an error: ${fatal}`
  if (diskFull(paths.dir))
    return `its process ${pid} is gone, and the disk holding the job folder is full (it cannot write its records): free space, then resume`
  return `its process ${pid} is gone (killed, or the machine restarted)`
}

export const START_TIMEOUT_MILLIS = 60_000

export type Liveness =
  | { readonly state: "alive" }
  | { readonly state: "starting" }
  /** Reserved: its client is staging the input and has not started it yet. */
  | { readonly state: "staging" }
  | { readonly state: "silent"; readonly reason: string }
  | {
      readonly state: "gone"
      readonly reason: string
      /** Set when the supervisor's process is known to be gone on this host: its group may be stopped. */
      readonly deadPid?: number
      /** The job never started: the client staging it stopped first. */
      readonly neverStarted?: true
    }

const readBootId = (): string | undefined => {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()
  } catch {
    return undefined
  }
}

let boot: { readonly id: string | undefined } | undefined

/**
 * This boot of the machine (Linux), to tell a pid from before a restart; undefined elsewhere. Read once:
 * it cannot change while this process lives, and every status read asks for it.
 */
export const bootId = (): string | undefined => {
  boot ??= { id: readBootId() }
  return boot.id
}

/** Whether a process exists (a zombie does not count: it has exited, its parent just has not reaped it). */
export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z"
  } catch {
    // No /proc (not Linux), or it exited this instant: kill(0) said it exists.
    return true
  }
}

export const liveness = (
  dir: string,
  record: JobRecord,
  heartbeatTimeoutMillis: number,
  now: number = Date.now()
): Liveness => {
  const paths = files(dir)
  let modified: number
  try {
    modified = statSync(paths.supervisor).mtimeMs
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error
    const client = readRecord(Records.client, paths.client)
    if (client !== undefined) return clientLiveness(client)
    return now - Date.parse(record.createdTime) > START_TIMEOUT_MILLIS
      ? { state: "gone", reason: "it never started" }
      : { state: "starting" }
  }
  const supervisor = readRecord(Records.supervisor, paths.supervisor)
  if (supervisor !== undefined && supervisor.host === hostname()) {
    const boot = bootId()
    if (supervisor.bootId !== undefined && boot !== undefined && supervisor.bootId !== boot)
      return { state: "gone", reason: "the machine restarted since it started" }
    if (!processAlive(supervisor.pid)) {
      return { state: "gone", reason: deathOf(paths, supervisor.pid), deadPid: supervisor.pid }
    }
  }
  const silent = now - modified
  if (silent > heartbeatTimeoutMillis) {
    return {
      state: "silent",
      reason: `it has not sent a heartbeat for ${Math.round(silent / 1000)} s (it hangs, or it runs on another machine that stopped)`
    }
  }
  return { state: "alive" }
}

/**
 * A reserved job's client, staging its input: alive while its process is (on its own host; a client on
 * another machine cannot be seen, and counts as alive, so its claim is never taken from it).
 */
const clientLiveness = (client: ClientRecord): Liveness => {
  if (client.host !== hostname()) return { state: "staging" }
  const boot = bootId()
  const restarted = client.bootId !== undefined && boot !== undefined && client.bootId !== boot
  if (!restarted && processAlive(client.pid)) return { state: "staging" }
  return {
    state: "gone",
    reason: `the client that was staging its input (process ${client.pid}) stopped before starting it`,
    neverStarted: true
  }
}

/**
 * Stop what is left of a vanished supervisor's job: its replicas share its process group, whose id is
 * the supervisor's pid. Called only once that pid is known to be gone, so the group can hold nothing
 * but the job's own orphaned replicas.
 */
export const stopOrphans = (deadPid: number): void => {
  try {
    process.kill(-deadPid, "SIGKILL")
  } catch {
    // No such group: the replicas are gone too.
  }
}
