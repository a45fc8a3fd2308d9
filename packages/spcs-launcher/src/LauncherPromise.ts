/**
 * The jobs API without Effect: the same operations as Promises, rejecting with the same typed errors
 * (`err instanceof JobNotFound`, `err._tag`).
 *
 * ```ts
 * await using launcher = LauncherPromise.local({ home: "./.runbatch", database: "ML", schema: "PUBLIC" })
 * const job = await launcher.launch({ job, planLocation, replicas: 2, replicaCommand })
 * console.log(await job.wait({ timeoutSeconds: 600 }), await job.progress())
 * for (const row of await launcher.listJobs({ limit: 5 })) console.log(row.name, row.status)
 * ```
 *
 * `new LauncherPromise(runner)` wraps any runner that provides a JobLauncher (the facade's runtime,
 * say); `LauncherPromise.local` builds its own, and `close()` releases it.
 */
import { type Effect, ManagedRuntime } from "effect"
import {
  type JobHandle,
  JobLauncher,
  type JobLauncherShape,
  type JobRow,
  type LaunchRequest,
  type ListJobsOptions,
  type LogOptions,
  type WaitOptions
} from "./JobLauncher.ts"
import type { JobProgress } from "./JobProgress.ts"
import type { JobStatus } from "./JobStatus.ts"
import type { LocalLauncherOptions } from "./LocalLauncher.ts"

/** Anything that runs an effect needing `R` as a Promise, such as a `ManagedRuntime`. */
export interface LauncherRunner<R> {
  readonly runPromise: <A, E>(effect: Effect.Effect<A, E, R>) => Promise<A>
}

/** A job's handle with Promise methods; `handle` is the Effect-side one. */
export class JobHandlePromise {
  readonly handle: JobHandle
  readonly #run: <A, E>(effect: Effect.Effect<A, E>) => Promise<A>

  constructor(handle: JobHandle, run: <A, E>(effect: Effect.Effect<A, E>) => Promise<A>) {
    this.handle = handle
    this.#run = run
  }

  get id(): string {
    return this.handle.id
  }

  get name(): string {
    return this.handle.name
  }

  get targetInstances(): number {
    return this.handle.targetInstances
  }

  /** 1 for the job's first run, one more for each resume. */
  get attempt(): number {
    return this.handle.attempt
  }

  status(): Promise<JobStatus> {
    return this.#run(this.handle.status)
  }

  describe(): Promise<JobRow> {
    return this.#run(this.handle.describe)
  }

  wait(options?: WaitOptions): Promise<JobStatus> {
    return this.#run(this.handle.wait(options))
  }

  getLogs(options?: LogOptions & { readonly asList?: false }): Promise<string>
  getLogs(options: LogOptions & { readonly asList: true }): Promise<ReadonlyArray<string>>
  getLogs(options: LogOptions & { readonly asList?: boolean } = {}): Promise<string | ReadonlyArray<string>> {
    return options.asList === true
      ? this.#run(this.handle.getLogs({ ...options, asList: true }))
      : this.#run(this.handle.getLogs({ ...options, asList: false }))
  }

  cancel(): Promise<void> {
    return this.#run(this.handle.cancel)
  }

  progress(): Promise<JobProgress> {
    return this.#run(this.handle.progress)
  }
}

export class LauncherPromise implements AsyncDisposable {
  readonly #runner: LauncherRunner<JobLauncher>
  readonly #close: () => Promise<void>

  constructor(runner: LauncherRunner<JobLauncher>, close: () => Promise<void> = async () => {}) {
    this.#runner = runner
    this.#close = close
  }

  /** Jobs on this machine, under `home`'s `jobs/` folder. */
  static local(options: LocalLauncherOptions = {}): LauncherPromise {
    const runtime = ManagedRuntime.make(JobLauncher.layerLocal(options))
    return new LauncherPromise(runtime, () => runtime.dispose())
  }

  #run<A, E>(f: (launcher: JobLauncherShape) => Effect.Effect<A, E>): Promise<A> {
    return this.#runner.runPromise(JobLauncher.use(f))
  }

  #wrap(handle: JobHandle): JobHandlePromise {
    return new JobHandlePromise(handle, (effect) => this.#runner.runPromise(effect))
  }

  async launch(request: LaunchRequest): Promise<JobHandlePromise> {
    return this.#wrap(await this.#run((l) => l.launch(request)))
  }

  /** Take a job's name without starting it (see JobLauncherShape.reserve). */
  async reserve(request: LaunchRequest): Promise<{
    readonly job: JobHandlePromise
    readonly start: (totals?: LaunchRequest["totals"]) => Promise<JobHandlePromise>
    readonly abandon: () => Promise<void>
  }> {
    const reservation = await this.#run((l) => l.reserve(request))
    const run = <A, E>(effect: Effect.Effect<A, E>) => this.#runner.runPromise(effect)
    return {
      job: this.#wrap(reservation.job),
      start: async (totals) => this.#wrap(await run(reservation.start(totals))),
      abandon: () => run(reservation.abandon)
    }
  }

  async getJob(id: string): Promise<JobHandlePromise> {
    return this.#wrap(await this.#run((l) => l.getJob(id)))
  }

  listJobs(options?: ListJobsOptions): Promise<ReadonlyArray<JobRow>> {
    return this.#run((l) => l.listJobs(options))
  }

  deleteJob(job: string | JobHandlePromise): Promise<void> {
    return this.#run((l) => l.deleteJob(typeof job === "string" ? job : job.handle))
  }

  /** Start a stopped job again as its next attempt (see JobLauncherShape.resume). */
  async resume(job: string | JobHandlePromise): Promise<JobHandlePromise> {
    return this.#wrap(await this.#run((l) => l.resume(typeof job === "string" ? job : job.handle)))
  }

  close(): Promise<void> {
    return this.#close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
