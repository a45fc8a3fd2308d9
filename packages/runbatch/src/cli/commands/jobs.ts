/**
 * The `runbatch jobs …` commands: list, follow, stop, resume and delete jobs. What they do, loaded
 * only when one of them runs; their words, options and help are data in ./index.ts.
 */
import { JobLauncher } from "@runbatch/spcs-launcher"
import { Effect } from "effect"
import { resumeJob } from "../../ResumeJob.ts"
import { type CommandRun, integerOption, positional } from "../Command.ts"
import * as LogLines from "../LogLines.ts"
import { none, rows, text } from "../Output.ts"
import { speak } from "../Vocabulary.ts"
import { doneSummary, progressLine, waitForJob } from "../WaitForJob.ts"

export const jobsList: CommandRun = (args, context) =>
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
        "id",
        "name",
        "status",
        "message",
        "database_name",
        "schema_name",
        "target_instances",
        "created_time",
        "completed_time"
      ],
      jobs.map((j) => {
        // The qualified name `jobs status` and the other commands take from any --database/--schema.
        const id = `${j.databaseName}.${j.schemaName}.${j.name}`
        return {
          id,
          name: j.name,
          status: j.status,
          // In the CLI's words, as `jobs status` gives it.
          message: j.message === "" ? "" : speak(j.message, { vocabulary: "jobFile", job: id }),
          database_name: j.databaseName,
          schema_name: j.schemaName,
          target_instances: j.targetInstances,
          created_time: j.createdTime,
          completed_time: j.completedTime
        }
      })
    )
  })

export const jobsStatus: CommandRun = (args) =>
  Effect.gen(function* () {
    const launcher = yield* JobLauncher
    const handle = yield* launcher.getJob(positional(args, 0, "the job id"))
    const row = yield* handle.describe
    const progress = yield* handle.progress
    return text(
      [
        `${handle.id}: ${row.status}${handle.attempt > 1 ? ` (attempt ${handle.attempt})` : ""}`,
        ...(row.message === "" ? [] : [speak(row.message, { vocabulary: "jobFile", job: handle.id })]),
        progressLine(progress),
        ...(row.status === "DONE" ? [doneSummary(handle.id, row, progress)] : [])
      ].join("\n"),
      { ...row, id: handle.id, attempt: handle.attempt, progress }
    )
  })

export const jobsWait: CommandRun = (args, context) =>
  Effect.gen(function* () {
    const launcher = yield* JobLauncher
    const handle = yield* launcher.getJob(positional(args, 0, "the job id"))
    const timeoutSeconds = integerOption(args, "timeout")
    return yield* waitForJob(handle, context, timeoutSeconds === undefined ? {} : { timeoutSeconds })
  })

export const jobsLogs: CommandRun = (args) =>
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
    const records = lines.filter((line) => line.trim() !== "").map(LogLines.record)
    return text(records.map(LogLines.readable).join("\n"), records)
  })

export const jobsCancel: CommandRun = (args, context) =>
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

export const jobsResume: CommandRun = (args, context) =>
  Effect.gen(function* () {
    const handle = yield* resumeJob(positional(args, 0, "the job id"))
    if (args.values["wait"] !== true) {
      return text(`${handle.id} (attempt ${handle.attempt})`, { id: handle.id, attempt: handle.attempt })
    }
    context.notice(`Job ${handle.id} resumed (attempt ${handle.attempt}).`)
    return yield* waitForJob(handle, context)
  })

export const jobsRemove: CommandRun = (args) =>
  Effect.gen(function* () {
    const launcher = yield* JobLauncher
    yield* launcher.deleteJob(positional(args, 0, "the job id"))
    return none
  })
