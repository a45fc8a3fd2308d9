/**
 * `runBatch`: a model version over an input, as a job — `ModelVersion.run_batch` of the original.
 * Specs are decoded (every problem at once), the version is looked up, the job is checked and written
 * (the planner, @runbatch/planner) and launched; with `block` it returns only when the job has ended.
 */
import { availableParallelism } from "node:os"
import { JobPlanner } from "@runbatch/planner"
import { ModelRegistry } from "@runbatch/registry-client"
import { ReplicaCommand } from "@runbatch/runtime"
import { JobLauncher } from "@runbatch/spcs-launcher"
import {
  InferenceEngineOptions,
  InputSpec,
  JobExists,
  JobName,
  JobSpec,
  OutputSpec,
  StageLocation
} from "@runbatch/spec"
import { Effect, Option } from "effect"
import * as ClaimHolder from "./ClaimHolder.ts"
import { type InputSource, refine, relationOf } from "./InputSource.ts"

export interface RunBatchOptions {
  /** `MODEL`, `SCHEMA.MODEL` or `DB.SCHEMA.MODEL`, as written in SQL. */
  readonly model: string
  /** Default: the model's default version. */
  readonly version?: string
  readonly input: InputSource
  /** As `InputSpec` takes it: `{params, columnHandling, partitionColumn}`. */
  readonly inputSpec?: InputSpec.InputSpecInput
  readonly outputSpec: OutputSpec.OutputSpecInput
  readonly jobSpec?: JobSpec.JobSpecInput
  /** `{engine, options, engineArgsOverride}`; `engine` defaults to the version's own. */
  readonly inferenceEngineOptions?: Partial<InferenceEngineOptions.InferenceEngineOptionsInput>
  /** The Snowflake compute pool; recorded locally. */
  readonly computePool?: string
  /** Plugin packages besides the first-party ones: names, or paths to package folders. */
  readonly plugins?: ReadonlyArray<string>
  /** CPUs the whole job may use; default RUNBATCH_CPUS or every core. */
  readonly cpus?: number
}

/** CPUs jobs may use on this machine: RUNBATCH_CPUS, else every core. */
export const machineCpus = (): number => {
  const set = Number(process.env["RUNBATCH_CPUS"])
  return Number.isInteger(set) && set > 0 ? set : availableParallelism()
}

/**
 * Everything `runBatch` does before its first write: specs decoded, the version found, every check
 * of the planner passed, the job name free. A dry run stops here. On an account without a job
 * launcher (Snowflake until jobs run there) the name and the output's claimant cannot be asked about:
 * those two checks are left to the launch.
 */
export const checkBatch = (options: RunBatchOptions) =>
  Effect.gen(function* () {
    const [inputSpec, outputSpec, jobSpec] = yield* Effect.all([
      InputSpec.decode(options.inputSpec ?? {}),
      OutputSpec.decode(options.outputSpec),
      JobSpec.decode(options.jobSpec ?? {})
    ])
    const registry = yield* ModelRegistry
    const launcher = Option.getOrUndefined(yield* Effect.serviceOption(JobLauncher))
    const version = yield* registry.getVersion(options.model, options.version)
    // Options alone override the version's engine options; `engine` defaults to the version's. A
    // version another tool logged names none: the planner says where it can run.
    const engineOptions = yield* InferenceEngineOptions.decode({
      ...(version.engine === "" ? {} : { engine: version.engine }),
      ...options.inferenceEngineOptions
    })
    const input = yield* relationOf(options.input)
    const cpus = options.cpus ?? machineCpus()
    const replicas = JobSpec.replicasOf(jobSpec)
    const checked = yield* JobPlanner.check({
      version,
      input,
      inputSpec,
      outputSpec,
      jobSpec,
      inferenceEngineOptions: engineOptions,
      // A plugin given by path is recorded in the plan by its absolute folder, for the replicas.
      plugins: options.plugins ?? [],
      cpusPerReplica: Math.max(1, Math.floor(cpus / replicas)),
      ...(launcher === undefined ? {} : { isActive: ClaimHolder.isActive(launcher) })
    }).pipe(Effect.mapError((error) => refine(options.input, error)))
    if (launcher !== undefined) {
      // The name must be free before anything is written (the launcher checks again, atomically).
      const id = JobName.id(checked.jobName)
      const taken = yield* launcher.getJob(id).pipe(
        Effect.as(true),
        Effect.catchTag("JobNotFound", () => Effect.succeed(false))
      )
      if (taken) return yield* new JobExists({ job: id })
    }
    return { checked, jobSpec, replicas, cpus }
  })

export const runBatch = (options: RunBatchOptions) =>
  Effect.gen(function* () {
    const launcher = yield* JobLauncher
    const { checked, jobSpec, replicas, cpus } = yield* checkBatch(options)
    // The job exists from its first write on: its name is reserved before it claims the output, so
    // another job looking at that claim sees a job still running (PENDING), never an unknown one.
    const reservation = yield* launcher.reserve({
      job: checked.jobName,
      planLocation: StageLocation.format(checked.layout.plan),
      replicas,
      replicaCommand: ReplicaCommand.command(),
      env: ReplicaCommand.environment(),
      cpus,
      ...(options.computePool === undefined ? {} : { computePool: options.computePool }),
      outputLocation: StageLocation.format(checked.layout.output)
    })
    const planned = yield* JobPlanner.write(checked, reservation.job.instance).pipe(
      Effect.onError(() => reservation.abandon)
    )
    const handle = yield* reservation
      .start({ rows: planned.rows, shards: planned.plan.shards.length })
      .pipe(Effect.onError(() => JobPlanner.discard(checked)))
    if (jobSpec.block === true) yield* handle.wait()
    return handle
  })
