/**
 * Finding local jobs: one by its id (`getJob`), every one under the home (`listJobs`), and the
 * JobNotFound that names the closest ids when a job is not there. Listings follow no symbolic link.
 * Each lookup first puts back a job a killed resume left aside (ResumeAside).
 */
import { readdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { closestNames, Identifier, JobNotFound, LocalLayout } from "@runbatch/spec"
import { Effect } from "effect"
import { files, Records, readRecord } from "../JobFolder.ts"
import type { JobName, ListJobsOptions } from "../JobLauncher.ts"
import { rowOf, stateOf } from "./JobState.ts"
import { idOf, inHome, io, jobDir, type LocalContext } from "./LocalContext.ts"
import { makeHandle } from "./LocalJobHandle.ts"
import { recoverAsides } from "./ResumeAside.ts"

/** Subfolders of `dir` that are job or schema folders (not temporary or deleted ones). */
const subfolders = (dir: string): Array<string> => {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
      .map((entry) => entry.name)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return []
    throw error
  }
}

/** Every job folder under `root` (the real `jobs/` folder), as names; links are not followed. */
const allJobs = (root: string): Array<JobName> =>
  subfolders(root).flatMap((db) =>
    subfolders(join(root, db)).flatMap((schema) => {
      recoverAsides(join(root, db, schema))
      return subfolders(join(root, db, schema)).map((name) => ({
        database: LocalLayout.fromSegment(db),
        schema: LocalLayout.fromSegment(schema),
        name: LocalLayout.fromSegment(name)
      }))
    })
  )

/** JobNotFound for `job`, naming the closest ids of the jobs there are. */
export const notFound = Effect.fn("LocalLauncher.notFound")(function* (context: LocalContext, job: JobName) {
  const root = yield* inHome(context, LocalLayout.jobsDir(context.home))
  const closest = yield* io(root, () => closestNames(idOf(job), allJobs(root).map(idOf)))
  return yield* new JobNotFound({ job: idOf(job), closest })
})

/** The handle of the job `text` names (resolved against the launcher's database and schema). */
export const find = Effect.fn("LocalLauncher.getJob")(function* (context: LocalContext, text: string) {
  const job = yield* Identifier.parseFullyQualified(text, context.names)
  const dir = yield* inHome(context, jobDir(context, job))
  yield* Effect.sync(() => recoverAsides(dirname(dir)))
  const record = yield* io(dir, () => readRecord(Records.job, files(dir).record))
  if (record === undefined) return yield* notFound(context, job)
  return makeHandle(context, record, dir)
})

/** The rows of the jobs under the home, newest first. */
export const listJobs = Effect.fn("LocalLauncher.listJobs")(function* (
  context: LocalContext,
  options: ListJobsOptions = {}
) {
  const database = options.database === undefined ? undefined : yield* Identifier.resolve(options.database)
  const schema = options.schema === undefined ? undefined : yield* Identifier.resolve(options.schema)
  const limit = options.limit ?? 10
  const root = yield* inHome(context, LocalLayout.jobsDir(context.home))
  const jobs = (yield* io(root, () => allJobs(root))).filter(
    (job) =>
      (database === undefined || job.database === database) && (schema === undefined || job.schema === schema)
  )
  // Read through the real jobs/ folder its listing came from (home's real path is its parent).
  const states = yield* Effect.forEach(
    jobs,
    (job) => stateOf(context, LocalLayout.jobDir(dirname(root), job)),
    {
      concurrency: "unbounded"
    }
  )
  const rows = states.flatMap((state) => (state === undefined ? [] : [rowOf(state)]))
  rows.sort((a, b) => b.createdTime.getTime() - a.createdTime.getTime() || a.name.localeCompare(b.name))
  return limit >= 0 ? rows.slice(0, limit) : rows
})
