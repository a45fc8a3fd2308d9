/**
 * `runbatch run`: a job from flags or a job file, started, waited for or dry-run. What it does, loaded
 * only when it runs; its words, options and help are data in ./index.ts.
 */
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { JobFile } from "@runbatch/spec"
import { Effect } from "effect"
import { dryRun } from "../../DryRun.ts"
import * as InputSource from "../../InputSource.ts"
import { type RunBatchOptions, runBatch } from "../../RunBatch.ts"
import {
  type AccountData,
  type CommandRun,
  integerOption,
  listOption,
  type ParsedArgs,
  stringOption,
  UsageError
} from "../Command.ts"
import { dryRunText } from "../DryRunText.ts"
import { text } from "../Output.ts"
import { waitForJob } from "../WaitForJob.ts"

/** `k=v` pairs; each value is JSON when it parses as JSON (`3`, `true`, `[1,2]`), else text. */
const pairs = (values: ReadonlyArray<string>, flag: string): Record<string, unknown> =>
  Object.fromEntries(
    values.map((pair) => {
      const at = pair.indexOf("=")
      if (at <= 0) throw new UsageError(`${flag} takes KEY=VALUE, got "${pair}"`)
      const raw = pair.slice(at + 1)
      let value: unknown = raw
      try {
        value = JSON.parse(raw)
      } catch {
        // Plain text.
      }
      return [pair.slice(0, at), value]
    })
  )

const SPEC_FLAGS = [
  "model",
  "version",
  "function",
  "table",
  "query",
  "files",
  "parquet",
  "pattern",
  "column",
  "allow-empty",
  "output",
  "base-output",
  "mode",
  "param",
  "column-handling",
  "replicas",
  "workers",
  "max-batch-rows",
  "max-batch-bytes",
  "job-name",
  "job-name-prefix",
  "engine",
  "engine-option",
  "on-error",
  "strict-nulls",
  "compute-pool"
]

/** The job the flags describe (without a job file). */
export const fromFlags = (args: ParsedArgs): Omit<RunBatchOptions, "plugins" | "cpus"> => {
  const model = stringOption(args, "model")
  if (model === undefined) throw new UsageError("--model is required (or -f job.yaml)")
  const sources = (["table", "query", "files", "parquet"] as const).filter(
    (s) => stringOption(args, s) !== undefined
  )
  if (sources.length !== 1)
    throw new UsageError("give exactly one of --table, --query, --files and --parquet")
  const pattern = stringOption(args, "pattern")
  const column = stringOption(args, "column")
  const allowEmpty = args.values["allow-empty"] === true
  const source = sources[0]!
  const value = stringOption(args, source)!
  if ((pattern !== undefined || column !== undefined) && source !== "files" && source !== "parquet") {
    throw new UsageError("--pattern and --column go with --files (and --pattern with --parquet)")
  }
  if (allowEmpty && source !== "files") throw new UsageError("--allow-empty goes with --files")
  const input =
    source === "table"
      ? InputSource.table(value)
      : source === "query"
        ? InputSource.query(value)
        : source === "parquet"
          ? InputSource.parquet(value, pattern === undefined ? {} : { pattern })
          : InputSource.files(value, {
              ...(pattern === undefined ? {} : { pattern }),
              ...(column === undefined ? {} : { column }),
              ...(allowEmpty ? { allowEmpty } : {})
            })
  const columnHandling = Object.fromEntries(
    Object.entries(pairs(listOption(args, "column-handling"), "--column-handling")).map(
      ([col, convertTo]) => [col, { inputFormat: "full_stage_path", convertTo: String(convertTo) }]
    )
  )
  const params = pairs(listOption(args, "param"), "--param")
  const engineOptions = pairs(listOption(args, "engine-option"), "--engine-option")
  const output = stringOption(args, "output")
  const baseOutput = stringOption(args, "base-output")
  const mode = stringOption(args, "mode")
  const optional = <K extends string, V>(key: K, v: V | undefined) => (v === undefined ? {} : { [key]: v })
  const engine = stringOption(args, "engine")
  return {
    model,
    ...optional("version", stringOption(args, "version")),
    input,
    inputSpec: {
      ...(Object.keys(params).length === 0 ? {} : { params }),
      ...(Object.keys(columnHandling).length === 0 ? {} : { columnHandling })
    },
    outputSpec: {
      ...optional("stageLocation", output),
      ...optional("baseStageLocation", baseOutput),
      ...optional("mode", mode)
    },
    jobSpec: {
      ...optional("functionName", stringOption(args, "function")),
      ...optional("replicas", integerOption(args, "replicas")),
      ...optional("numWorkers", integerOption(args, "workers")),
      ...optional("maxBatchRows", integerOption(args, "max-batch-rows")),
      ...optional("maxBatchBytes", integerOption(args, "max-batch-bytes")),
      ...optional("jobName", stringOption(args, "job-name")),
      ...optional("jobNamePrefix", stringOption(args, "job-name-prefix")),
      ...optional("onError", stringOption(args, "on-error")),
      ...optional("strictNulls", args.values["strict-nulls"] === true ? true : undefined)
    } as RunBatchOptions["jobSpec"],
    ...(engine === undefined && Object.keys(engineOptions).length === 0
      ? {}
      : {
          inferenceEngineOptions: {
            ...optional("engine", engine),
            ...(Object.keys(engineOptions).length === 0 ? {} : { options: engineOptions })
          }
        }),
    ...optional("computePool", stringOption(args, "compute-pool"))
  } as Omit<RunBatchOptions, "plugins" | "cpus">
}

const fromFile = (path: string) =>
  Effect.gen(function* () {
    let source: string
    try {
      source = readFileSync(resolve(path), "utf8")
    } catch (error) {
      throw new UsageError(`cannot read the job file ${path}: ${(error as Error).message}`)
    }
    const job = yield* JobFile.parse(source, path)
    return {
      model: job.model,
      ...(job.version === undefined ? {} : { version: job.version }),
      input: InputSource.fromJobSource(job.source),
      inputSpec: job.inputSpec,
      outputSpec: job.outputSpec,
      jobSpec: job.jobSpec,
      ...(job.inferenceEngineOptions === undefined
        ? {}
        : { inferenceEngineOptions: job.inferenceEngineOptions }),
      ...(job.computePool === undefined ? {} : { computePool: job.computePool })
    } as Omit<RunBatchOptions, "plugins" | "cpus">
  })

/** The job the flags or the job file (`-f`, which takes no job flags beside it) describe. */
const jobOptions = (args: ParsedArgs) =>
  Effect.suspend(() => {
    const file = stringOption(args, "file")
    if (file === undefined) return Effect.succeed(fromFlags(args))
    const extra = SPEC_FLAGS.filter((flag) => args.values[flag] !== undefined)
    if (extra.length > 0) {
      throw new UsageError(
        `-f takes the whole job from the file; leave out ${extra.map((f) => `--${f}`).join(", ")}`
      )
    }
    return fromFile(file)
  })

/** `run --dry-run`: the checks and a sample, nothing written; needs only the account's data. */
export const dryRunJob: CommandRun<AccountData> = (args) =>
  Effect.gen(function* () {
    const options = yield* jobOptions(args)
    const sampleRows = integerOption(args, "sample-rows")
    if (args.values["wait"] === true) throw new UsageError("--dry-run starts no job to --wait for")
    const report = yield* dryRun(
      { ...options, plugins: listOption(args, "plugin") },
      sampleRows === undefined ? {} : { sampleRows }
    )
    return dryRunText(report)
  })

const isDryRun = (args: ParsedArgs): boolean => args.values["dry-run"] === true

export const run: CommandRun = (args, context) =>
  Effect.gen(function* () {
    if (isDryRun(args)) return yield* dryRunJob(args, context)
    const options = yield* jobOptions(args)
    const sampleRows = integerOption(args, "sample-rows")
    if (sampleRows !== undefined) throw new UsageError("--sample-rows goes with --dry-run")
    // A job file's `block: true` means what --wait means on the command line: the command ends with the
    // job, and its exit code says whether the job ended DONE. The CLI waits itself, to draw progress.
    const block = args.values["wait"] === true || options.jobSpec?.block === true
    const jobSpec = options.jobSpec === undefined ? undefined : { ...options.jobSpec, block: false }
    const handle = yield* runBatch({
      ...options,
      ...(jobSpec === undefined ? {} : { jobSpec }),
      plugins: listOption(args, "plugin")
    })
    if (!block) return text(handle.id, { id: handle.id, status: "PENDING" })
    context.notice(`Job ${handle.id} started.`)
    return yield* waitForJob(handle, context)
  })
