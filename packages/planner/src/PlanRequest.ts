import type { LoadedEncoder, LoadedEngine, PlannedPlugin } from "@runbatch/plugin-host"
import type { ModelVersionInfo } from "@runbatch/registry-client"
import type { Relation } from "@runbatch/session"
import type {
  InferenceEngineOptions,
  InputSpec,
  JobPlan,
  JobSpec,
  ModelFunction,
  OutputSpec,
  Signature
} from "@runbatch/spec"
import type { OutputLayout, SaveMode } from "@runbatch/stage-io"
import type { Effect } from "effect"

/** What to plan: a model version (found by the caller, or built in memory by tests) over an input. */
export interface PlanRequest {
  readonly version: ModelVersionInfo
  readonly input: Relation
  readonly inputSpec?: InputSpec.InputSpec
  readonly outputSpec: OutputSpec.OutputSpec
  readonly jobSpec?: JobSpec.JobSpec
  readonly inferenceEngineOptions?: InferenceEngineOptions.InferenceEngineOptions
  /** Plugin packages to load besides the first-party ones (names or absolute folder paths). */
  readonly plugins?: ReadonlyArray<string>
  /** CPUs each replica may use; workers default to one per CPU. */
  readonly cpusPerReplica: number
  /** Whether the job holding a claim on the output still runs (stale claims are taken over). */
  readonly isActive?: (holder: SaveMode.Claimant) => Effect.Effect<boolean>
  /** For the generated job name; default a random UUID. */
  readonly uuid?: string
  /**
   * Copy the version's files into the job's folder and have replicas read the copies: for replicas
   * that reach stages but not the model registry (Snowpark Container Services mounts stages only).
   */
  readonly stageArtifacts?: boolean
}

/** An encoder the job applies, as the plan records it and as loaded for the checks. */
export interface CheckedEncoder {
  readonly handling: JobPlan.JobPlan["columnHandling"][number]
  readonly loaded: LoadedEncoder
}

/** Everything a plan needs, checked, with nothing written yet. */
export interface CheckedJob {
  readonly request: PlanRequest
  readonly jobName: { readonly database: string; readonly schema: string; readonly name: string }
  readonly layout: OutputLayout.OutputLayout
  readonly function: ModelFunction.ModelFunction
  readonly columns: ReadonlyArray<Signature.Feature>
  readonly columnHandling: JobPlan.JobPlan["columnHandling"]
  readonly columnMapping: JobPlan.JobPlan["columnMapping"]
  readonly params: JobPlan.JobPlan["params"]
  readonly engine: JobPlan.JobPlan["engine"]
  readonly plugins: ReadonlyArray<PlannedPlugin>
  /** The engine and encoders as loaded for the checks (a dry run runs its sample with them). */
  readonly loaded: {
    readonly engine: LoadedEngine
    readonly encoders: ReadonlyArray<CheckedEncoder>
  }
  readonly outputSchema: ReadonlyArray<Signature.Feature>
  readonly maxBatchRows: number | undefined
  /** Batches one engine session takes at once (HTTP engines keep several in flight). */
  readonly concurrentBatches: number | undefined
}

/** A job written and ready to launch: its plan, where the plan is, and its output's layout. */
export interface PlannedJob {
  readonly plan: JobPlan.JobPlan
  readonly planLocation: string
  readonly layout: OutputLayout.OutputLayout
  /** `DB.SCHEMA.NAME`. */
  readonly jobName: string
  readonly rows: number
}
