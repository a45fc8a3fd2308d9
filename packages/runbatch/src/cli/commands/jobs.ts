import { JobLauncher } from "@runbatch/spcs-launcher"
import { Effect } from "effect"
import { resumeJob } from "../../ResumeJob.ts"
import { type Command, integerOption, positional } from "../Command.ts"
import { none, rows, text } from "../Output.ts"
import { progressLine, waitForJob } from "../WaitForJob.ts"

export const jobsList: Command = {
  words: ["jobs", "ls"],
  summary: "List jobs, newest first",
  usage: "[--limit N]",
  options: {
    limit: { type: "string", value: "N", description: "at most N jobs (default 10; 0 for all)" }
  },
  details: "With the global --database (and --schema), only the jobs of that database (and schema).",
  run: (args, context) =>
    Effect.gen(function* () {
      const launcher = yield* JobLauncher
      const limit = integerOption(args, "limit") ?? 10
      const { database, schema } = context
      const jobs = yield* launcher.listJobs({
        limit: limit === 0 ? -1 : limit,
        ...(database === undefined ? {} : { database }),
        ...(schema === undefined ? {} : { schema })
      })
      return rows(
        [
          "name",
          "status",
          "message",
          "database_name",
          "schema_name",
          "target_instances",
          "created_time",
          "completed_time"
        ],
        jobs.map((j) => ({
          name: j.name,
          status: j.status,
          message: j.message,
          database_name: j.databaseName,
          schema_name: j.schemaName,
          target_instances: j.targetInstances,
          created_time: j.createdTime,
          completed_time: j.completedTime
        }))
      )
    })
}

export const jobsStatus: Command = {
  words: ["jobs", "status"],
  summary: "A job's status, message and progress",
  usage: "JOB",
  options: {},
  run: (args) =>
    Effect.gen(function* () {
      const launcher = yield* JobLauncher
      const handle = yield* launcher.getJob(positional(args, 0, "the job id"))
      const row = yield* handle.describe
      const progress = yield* handle.progress
      return text(
        [
          `${handle.id}: ${row.status}${handle.attempt > 1 ? ` (attempt ${handle.attempt})` : ""}`,
          ...(row.message === "" ? [] : [row.message]),
          progressLine(progress)
        ].join("\n"),
        { ...row, id: handle.id, attempt: handle.attempt, progress }
      )
    })
}

export const jobsWait: Command = {
  words: ["jobs", "wait"],
  summary: "Wait for a job to end (progress on stderr); exit 1 unless it ends DONE",
  usage: "JOB [--timeout SECONDS]",
  options: {
    timeout: { type: "string", value: "S", description: "give up after S seconds (JobTimeout, exit 1)" }
  },
  run: (args, context) =>
    Effect.gen(function* () {
      const launcher = yield* JobLauncher
      const handle = yield* launcher.getJob(positional(args, 0, "the job id"))
      const timeoutSeconds = integerOption(args, "timeout")
      return yield* waitForJob(handle, context, timeoutSeconds === undefined ? {} : { timeoutSeconds })
    })
}

export const jobsLogs: Command = {
  words: ["jobs", "logs"],
  summary: "A replica's log (stdout and stderr)",
  usage: "JOB [--instance N] [--limit N]",
  options: {
    instance: { type: "string", value: "N", description: "which replica (default 0, the head instance)" },
    limit: { type: "string", value: "N", description: "only the last N lines" }
  },
  run: (args) =>
    Effect.gen(function* () {
      const launcher = yield* JobLauncher
      const handle = yield* launcher.getJob(positional(args, 0, "the job id"))
      const instance = integerOption(args, "instance")
      const limit = integerOption(args, "limit")
      const lines = yield* handle.getLogs({
        asList: true,
        ...(instance === undefined ? {} : { instance }),
        ...(limit === undefined ? {} : { limit })
      })
      return text(lines.join("\n"), lines)
    })
}

export const jobsCancel: Command = {
  words: ["jobs", "cancel"],
  summary: "Stop a running job (it ends CANCELLED, never with _SUCCESS)",
  usage: "JOB [--wait]",
  options: { wait: { type: "boolean", description: "return once the job has stopped" } },
  run: (args, context) =>
    Effect.gen(function* () {
      const launcher = yield* JobLauncher
      const handle = yield* launcher.getJob(positional(args, 0, "the job id"))
      yield* handle.cancel
      if (args.values["wait"] !== true)
        return text(`Cancelling ${handle.id}.`, { id: handle.id, status: "CANCELLING" })
      const status = yield* handle.wait()
      context.notice(`Job ${handle.id} ${status}.`)
      return text(status, { id: handle.id, status })
    })
}

export const jobsResume: Command = {
  words: ["jobs", "resume"],
  summary: "Run a FAILED or CANCELLED job again: only its uncommitted shards (refused if anything changed)",
  usage: "JOB [--wait]",
  options: {
    wait: { type: "boolean", description: "wait for it, with a progress bar; exit 1 unless it ends DONE" }
  },
  details:
    "The plan, the plugins, the model version's files and the staged input must be as they were; otherwise\n" +
    "the job is refused (ResumeRefused) and must run again as a new job.",
  run: (args, context) =>
    Effect.gen(function* () {
      const handle = yield* resumeJob(positional(args, 0, "the job id"))
      if (args.values["wait"] !== true) {
        return text(`${handle.id} (attempt ${handle.attempt})`, { id: handle.id, attempt: handle.attempt })
      }
      context.notice(`Job ${handle.id} resumed (attempt ${handle.attempt}).`)
      return yield* waitForJob(handle, context)
    })
}

export const jobsRemove: Command = {
  words: ["jobs", "rm"],
  summary: "Delete a job and its logs (stopping it first); its output is left alone",
  usage: "JOB",
  options: {},
  run: (args) =>
    Effect.gen(function* () {
      const launcher = yield* JobLauncher
      yield* launcher.deleteJob(positional(args, 0, "the job id"))
      return none
    })
}
