/**
 * Staging a job for runtime tests with the planner the client runs (@runbatch/planner): input rows (or
 * hand-made parquet files of chosen, uneven sizes) and a test model version go through the same
 * `check` and `write` as runBatch — the output claimed, the plugins loaded and recorded, column
 * handling, column mapping, params, the engine's `prepare`, `plan.json` — so the plans runtime tests
 * run are plans the client writes.
 *
 * The model version is built in memory rather than logged into the home's registry: the planner takes
 * the version as a value (runBatch looks it up first), so nothing it checks differs, while logging
 * would cost every staged job registry writes and every job in one home a model name of its own. Its
 * files (`artifacts`) are put on a stage, where `prepare` and the replicas read them.
 */
import { JobPlanner } from "@runbatch/planner"
import type { ModelVersionInfo, VersionArtifact } from "@runbatch/registry-client"
import { type Relation, Sql } from "@runbatch/session"
import { InputSpec, JobSpec, type Json, OutputSpec, type Signature } from "@runbatch/spec"
import { StageStore } from "@runbatch/stage-io"
import { Effect } from "effect"
import * as GivenParquetFiles from "./GivenParquetFiles.ts"
import * as TestEngine from "./TestEngine.ts"

export interface JobFixtureOptions {
  /** Input rows and their column types (materialised through the session, as a job's input is). */
  readonly rows?: ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly columns?: ReadonlyArray<Signature.Feature>
  /** Or: parquet files written as given, with their row-group sizes (uneven files, odd layouts). */
  readonly files?: ReadonlyArray<GivenParquetFiles.GivenFile>
  /** Or: a query over the session's DuckDB, materialised as a job's input is (rows at any scale). */
  readonly query?: string
  /** The signature of the test model's one function, PREDICT. */
  readonly signature: Signature.ModelSignature
  /** The test model's engine (default: the testkit engine) and its options. */
  readonly engine?: string
  readonly engineOptions?: Readonly<Record<string, Json>>
  readonly params?: Readonly<Record<string, unknown>>
  readonly columnHandling?: Readonly<
    Record<string, { readonly inputFormat: string; readonly convertTo: string }>
  >
  readonly onError?: "fail" | "record"
  /** JobSpec `strictNulls`: a NULL feeding a non-nullable feature fails its row. */
  readonly strictNulls?: boolean
  readonly replicas?: number
  readonly numWorkers?: number
  readonly maxBatchRows?: number
  /** JobSpec `maxBatchBytes`: the bytes of stage files a batch may read. */
  readonly maxBatchBytes?: number
  /** How many shards to aim for (default four per replica), whatever the planner would choose. */
  readonly targetShards?: number
  readonly output?: string
  readonly jobName?: string
  /** Model artifacts by name (e.g. `model.onnx`), put on a stage as a registry version's files are. */
  readonly artifacts?: Readonly<Record<string, Uint8Array>>
  /** Plugin packages (default: the testkit engine). */
  readonly plugins?: ReadonlyArray<string>
  /** Copy the artifacts into the job's folder for replicas that mount stages only (PlanRequest). */
  readonly stageArtifacts?: boolean
}

/** A staged job: what the planner's `write` returns. */
export type StagedJob = JobPlanner.PlannedJob

/** The test model's version: ML.PUBLIC.TEST_MODEL V1, one function PREDICT. */
const testVersion = (
  options: JobFixtureOptions,
  artifacts: ReadonlyArray<VersionArtifact>
): ModelVersionInfo => ({
  model: { database: "ML", schema: "PUBLIC", name: "TEST_MODEL" },
  version: "V1",
  engine: options.engine ?? TestEngine.id,
  engineOptions: options.engineOptions ?? {},
  functions: [{ name: "PREDICT", targetMethod: "predict", kind: "FUNCTION", signature: options.signature }],
  artifacts,
  modelType: "runbatch",
  comment: undefined,
  metadata: {},
  createdOn: new Date(0).toISOString(),
  aliases: [],
  isDefault: true
})

/** The model's files on a stage, one folder per job. */
const stageArtifacts = (jobName: string, artifacts: Readonly<Record<string, Uint8Array>>) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const staged: Array<VersionArtifact> = []
    for (const [name, bytes] of Object.entries(artifacts)) {
      const location = `@ML.PUBLIC.MODELS/${jobName}/${name}`
      const written = yield* store.write(location, bytes)
      staged.push({ name, location, bytes: written.bytes, sha256: written.sha256 })
    }
    return staged
  })

/** The fixture, not the planner, decides how finely the input splits: tests count on their shards. */
const withTargetShards = (relation: Relation, targetShards: number): Relation => ({
  ...relation,
  materialize: (target, options) => relation.materialize(target, { ...options, targetShards })
})

/** An object without its undefined fields, as specs are given. */
const given = <A extends object>(fields: A): Partial<A> =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<A>

export const stageJob = Effect.fn("JobFixture.stageJob")(function* (options: JobFixtureOptions) {
  const sql = yield* Sql
  const jobName = options.jobName ?? "ML.PUBLIC.TEST_JOB"
  const replicas = options.replicas ?? 1
  const input =
    options.files !== undefined
      ? yield* GivenParquetFiles.relation(options.files)
      : options.query !== undefined
        ? sql.sql(options.query)
        : yield* sql.createDataFrame(options.rows ?? [], options.columns ?? [])
  const [inputSpec, outputSpec, jobSpec] = yield* Effect.all([
    InputSpec.decode(given({ params: options.params, columnHandling: options.columnHandling })),
    OutputSpec.decode({ stageLocation: options.output ?? "@ML.PUBLIC.RESULTS/out/" }),
    JobSpec.decode(
      given({
        jobName,
        replicas,
        numWorkers: options.numWorkers,
        maxBatchRows: options.maxBatchRows,
        maxBatchBytes: options.maxBatchBytes,
        onError: options.onError,
        strictNulls: options.strictNulls
      })
    )
  ])
  const checked = yield* JobPlanner.check({
    version: testVersion(options, yield* stageArtifacts(jobName, options.artifacts ?? {})),
    input: withTargetShards(input, options.targetShards ?? replicas * 4),
    inputSpec,
    outputSpec,
    jobSpec,
    plugins: options.plugins ?? [TestEngine.packageDir],
    cpusPerReplica: 1,
    ...(options.stageArtifacts === undefined ? {} : { stageArtifacts: options.stageArtifacts })
  })
  return yield* JobPlanner.write(checked)
})
