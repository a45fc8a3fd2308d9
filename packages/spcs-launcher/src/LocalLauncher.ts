/**
 * The local JobLauncher: jobs on this machine, one folder each under `<home>/jobs/<DB>/<SCHEMA>/<JOB>/`
 * (JobFolder.ts), each watched by a detached supervisor process (JobSupervisor.ts) so it outlives the
 * client. A client never edits what a running supervisor writes: it asks (cancel.json), and writes a
 * status itself only when no supervisor can — before one started, or after one vanished.
 *
 * No folder from the home down to a job folder (`jobs/`, the database, the schema, the job) may be a
 * symbolic link (LocalHome's rule): each is checked, and used as its real path, before a job is
 * launched, found, read, resumed or deleted, and one that is a link is refused with LocalFileError
 * naming it; listings skip links.
 *
 * Each operation is a module of `local/`: launch and reserve (JobLaunch), getJob and listJobs
 * (JobLookup), deleteJob (JobDelete), resume (JobResume), and a job's handle (LocalJobHandle: status,
 * wait, logs, cancel, progress).
 */
import type { JobHandle, JobLauncherShape, LaunchRequest, ListJobsOptions } from "./JobLauncher.ts"
import { deleteJob } from "./local/JobDelete.ts"
import { launch, reserve } from "./local/JobLaunch.ts"
import { find, listJobs } from "./local/JobLookup.ts"
import { resume } from "./local/JobResume.ts"
import { type LocalLauncherOptions, makeContext } from "./local/LocalContext.ts"

export type { LocalLauncherOptions } from "./local/LocalContext.ts"
export { supervisorEntry } from "./SupervisorEntry.ts"

export const make = (options: LocalLauncherOptions = {}): JobLauncherShape => {
  const context = makeContext(options)
  return {
    launch: (request: LaunchRequest) => launch(context, request),
    reserve: (request: LaunchRequest) => reserve(context, request),
    getJob: (id: string) => find(context, id),
    listJobs: (listOptions?: ListJobsOptions) => listJobs(context, listOptions),
    deleteJob: (target: string | JobHandle) => deleteJob(context, target),
    resume: (target: string | JobHandle) => resume(context, target)
  }
}
