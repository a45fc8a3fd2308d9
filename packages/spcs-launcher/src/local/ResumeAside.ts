/**
 * Where a resume puts the stopped attempt while it launches the next one:
 * `.resume-<uid>.<pid>.<boot id>` beside the job folder, named by the resuming process (its pid and
 * the machine's boot) in the same rename that moves it, so there is never an aside without its owner.
 *
 * A resume killed before it finished (between stepping aside and moving the aside into the next
 * attempt's `attempts/`) leaves the job under that name alone, and a lookup would find no job.
 * `recoverAsides` puts such a job back: an aside whose resumer is dead is moved back to the job's name
 * when that is free (the next attempt never started), or into the next attempt's `attempts/` when it
 * started. An aside whose resumer still runs is a resume in progress, and is left to it.
 */
import { mkdirSync, readdirSync, renameSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { LocalLayout } from "@runbatch/spec"
import { files, Records, readRecord } from "../JobFolder.ts"
import { bootId, processAlive } from "../SupervisorLiveness.ts"

const PREFIX = ".resume-"
const NO_BOOT = "unknown"

/** The aside of the attempt `uid` beside the job folder `dir`, named by this process. */
export const asideOf = (dir: string, uid: string): string =>
  join(dirname(dir), `${PREFIX}${uid}.${process.pid}.${bootId() ?? NO_BOOT}`)

/** The resumer an aside's name records, or undefined for a name that is not an aside. */
const resumerOf = (name: string): { readonly pid: number; readonly boot: string } | undefined => {
  const match = /^\.resume-[^.]+\.(\d+)\.(.+)$/.exec(name)
  return match === null ? undefined : { pid: Number(match[1]), boot: match[2]! }
}

/** Whether the process that made the aside `name` is gone (a pid of another boot is). */
const abandoned = (name: string): boolean => {
  const resumer = resumerOf(name)
  if (resumer === undefined) return false
  const boot = bootId()
  if (resumer.boot !== NO_BOOT && boot !== undefined && resumer.boot !== boot) return true
  return !processAlive(resumer.pid)
}

/** Rename, false when the source is gone or the target is taken (someone else got there first). */
const moved = (from: string, to: string): boolean => {
  try {
    renameSync(from, to)
    return true
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === "ENOENT" || code === "ENOTEMPTY" || code === "EEXIST") return false
    throw error
  }
}

/** Put back the job an abandoned aside holds (see the module's comment). */
const recover = (aside: string): void => {
  const record = readRecord(Records.job, files(aside).record)
  if (record === undefined) return
  const dir = join(dirname(aside), basename(LocalLayout.jobDir("/", record)))
  if (moved(aside, dir)) return
  // The next attempt started: the aside is its earlier attempt.
  const next = readRecord(Records.job, files(dir).record)
  if (next?.previous?.includes(record.uid) !== true) return
  mkdirSync(join(dir, "attempts"), { recursive: true })
  moved(aside, join(dir, "attempts", String(record.attempt ?? 1)))
}

/**
 * Put back every job of the schema folder `schemaDir` that a killed resume left aside. Best effort: a
 * lookup answers what it finds whether or not this could write.
 */
export const recoverAsides = (schemaDir: string): void => {
  try {
    for (const name of readdirSync(schemaDir)) {
      if (name.startsWith(PREFIX) && abandoned(name)) recover(join(schemaDir, name))
    }
  } catch {
    // A missing schema folder has nothing aside; a read-only one is read as it is.
  }
}
