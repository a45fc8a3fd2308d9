/**
 * The client's half of a job (design.md §1): check everything that can be checked without touching
 * storage, then claim the output, materialise the input once as parquet shards, and write the plan the
 * replicas run. Nothing is written until every check has passed, so a job refused here leaves no trace.
 *
 * Checks, in order: the function (by name, or the only one), partitioning, the job name, the output
 * location, the engine and encoders being installed, the column-handling columns (present, holding
 * text), the column mapping and its types, output names that would collide with passed-through
 * columns, the params, and the engine's own plan-time check (`prepare`: the model's files and options).
 */
import { randomUUID } from "node:crypto"
import { createRequire } from "node:module"
import { FileReader, PluginLogger } from "@runbatch/plugin-api"
import {
  type LoadedEncoder,
  type LoadedEngine,
  makePluginHost,
  type PlannedPlugin,
  type RequiredHandling,
  requiredColumnHandling
} from "@runbatch/plugin-host"
import { type ModelVersionInfo, resolveVersionFunction } from "@runbatch/registry-client"
import type { Relation } from "@runbatch/session"
import {
  ColumnMatching,
  EnginePrepareError,
  IncompatibleColumnType,
  type InferenceEngineOptions,
  type InputSpec,
  JobName,
  JobPlan,
  JobSpec,
  type Json,
  ModelFunction,
  OutputSpec,
  Params,
  PartitionNotSupported,
  Signature,
  StageLocation
} from "@runbatch/spec"
import { OutputLayout, SaveMode, StageFileReader, StageStore } from "@runbatch/stage-io"
import { Effect } from "effect"

const packageVersion = (createRequire(import.meta.url)("../package.json") as { version: string }).version

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
}

export interface PlannedJob {
  readonly plan: JobPlan.JobPlan
  readonly planLocation: string
  readonly layout: OutputLayout.OutputLayout
  /** `DB.SCHEMA.NAME`. */
  readonly jobName: string
  readonly plugins: ReadonlyArray<string>
  readonly rows: number
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
    readonly encoders: ReadonlyArray<{
      readonly handling: JobPlan.JobPlan["columnHandling"][number]
      readonly loaded: LoadedEncoder
    }>
  }
  readonly outputSchema: ReadonlyArray<Signature.Feature>
  readonly maxBatchRows: number | undefined
  /** Batches one engine session takes at once (HTTP engines keep several in flight). */
  readonly concurrentBatches: number | undefined
}

/** Plugins stay quiet while a job is checked. */
export const silentLogger = PluginLogger.of({
  debug: () => Effect.void,
  info: () => Effect.void,
  warn: () => Effect.void
})

/** All the checks; fails with the first problem found, having written nothing. */
export const check = (request: PlanRequest) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const { version } = request
    const inputSpec = request.inputSpec ?? {}
    const jobSpec = request.jobSpec ?? {}
    const fn = yield* resolveVersionFunction(version, jobSpec.functionName)
    yield* ModelFunction.checkPartitioning(fn, inputSpec.partitionColumn)
    if (inputSpec.partitionColumn !== undefined) {
      // A table function may be partitioned, but no engine runbatch ships runs table functions yet.
      return yield* new PartitionNotSupported({
        reason: `partition_column is set, but the engine "${version.engine}" does not run partitioned table functions. Remove partition_column from the InputSpec.`
      })
    }

    const jobName = yield* JobName.resolve(
      jobSpec,
      { database: version.model.database, schema: version.model.schema },
      request.uuid ?? randomUUID()
    )
    const qualified = JobName.id(jobName)
    const output =
      request.outputSpec.stageLocation !== undefined
        ? yield* StageLocation.parseDirectory(request.outputSpec.stageLocation, store.context)
        : yield* JobName.outputFolder(
            yield* StageLocation.parseDirectory(request.outputSpec.baseStageLocation!, store.context),
            jobName.name
          )
    const layout = OutputLayout.make(output, qualified)

    // Plugins: the engine and an encoder for every column-handling pair, installed and compatible.
    const host = yield* makePluginHost({ plugins: request.plugins ?? [] })
    const engineId = request.inferenceEngineOptions?.engine ?? version.engine
    const engine = yield* host.engine(engineId)
    const kinds = engine.record.manifest.kind === "engine" ? engine.record.manifest.handles.functionKinds : []
    if (!kinds.includes(fn.kind)) {
      return yield* new EnginePrepareError({
        engine: engine.record.manifest.id,
        reason: `the function ${fn.name} is a ${fn.kind}, and this engine runs ${kinds.join(", ")} only.`,
        fix: "Run the version with an engine that handles this kind of function (inference_engine_options.engine)."
      })
    }
    const plugins: Array<PlannedPlugin> = [yield* host.plan(engine.record)]
    const encoders: Array<CheckedJob["loaded"]["encoders"][number]> = []
    const columns = yield* request.input.schema
    const columnHandling: Array<JobPlan.JobPlan["columnHandling"][number]> = []
    const effectiveTypes = new Map<string, Signature.Feature>()
    /** Apply an encoder to a column: the plan records it, the column takes its output type. */
    const addEncoder = (added: RequiredHandling) =>
      Effect.gen(function* () {
        columnHandling.push(added.handling)
        encoders.push({ handling: added.handling, loaded: added.loaded })
        effectiveTypes.set(added.handling.column, added.effectiveType)
        if (!plugins.some((p) => p.packageName === added.loaded.record.packageName))
          plugins.push(yield* host.plan(added.loaded.record))
      })
    for (const [name, pair] of Object.entries(inputSpec.columnHandling ?? {})) {
      const column = yield* ColumnMatching.resolveNamedColumn(columns, name, "column_handling")
      if ("specs" in column || column.dtype !== "STRING" || column.shape !== undefined) {
        return yield* new IncompatibleColumnType({
          column: column.name,
          columnType: Signature.describeType(column),
          feature: `column_handling (${pair.inputFormat} → ${pair.convertTo})`,
          featureType: "STRING",
          fix: "Column handling reads stage files named by full stage paths (@DB.SCHEMA.STAGE/path), so the column must hold text; list the files with listStageFiles or select the path column."
        })
      }
      const encoder = yield* host.encoder(pair.inputFormat, pair.convertTo)
      yield* addEncoder({
        handling: {
          column: column.name,
          inputFormat: pair.inputFormat,
          convertTo: pair.convertTo,
          encoder: encoder.record.manifest.id
        },
        loaded: encoder,
        effectiveType: Signature.feature(
          column.name,
          encoder.handle.outputType as Signature.FeatureSpec["dtype"]
        )
      })
    }
    const handled = columnHandling.map((h) => h.column)
    for (const required of yield* requiredColumnHandling(host, engine, fn.signature.inputs, columns, handled))
      yield* addEncoder(required)
    const match = yield* ColumnMatching.match(columns, fn.signature.inputs, { effectiveTypes })
    const params = yield* Params.resolve(inputSpec.params, fn.signature.params)

    // The engine's own plan-time check, reading the version's files the way replicas will.
    const options: Record<string, Json> = {
      ...version.engineOptions,
      ...((request.inferenceEngineOptions?.options ?? {}) as Record<string, Json>)
    }
    const engineArgsOverride = request.inferenceEngineOptions?.engineArgsOverride ?? []
    const prepared = yield* engine.engine
      .prepare({
        function: fn,
        signature: fn.signature,
        options,
        params,
        artifacts: version.artifacts.map((a) => ({ name: a.name, location: a.location, bytes: a.bytes })),
        engineArgsOverride
      })
      .pipe(
        Effect.provideService(FileReader, FileReader.of(StageFileReader.readerOf(store))),
        Effect.provideService(PluginLogger, silentLogger)
      )
    yield* ColumnMatching.checkOutputNames(columns, prepared.outputSchema)

    const checked: CheckedJob = {
      request,
      jobName,
      layout,
      function: fn,
      columns,
      columnHandling,
      columnMapping: match.mappings,
      params,
      engine: { id: engine.record.manifest.id, options: prepared.options ?? options, engineArgsOverride },
      plugins,
      loaded: { engine, encoders },
      outputSchema: prepared.outputSchema,
      maxBatchRows: jobSpec.maxBatchRows ?? prepared.capabilities.preferredBatchRows,
      concurrentBatches: prepared.capabilities.concurrentBatches
    }
    return checked
  })

/**
 * Claim the output, materialise the input and write the plan: the first writes of a job, `instance`
 * being which job of its name it is (the launcher's reservation says). If any of it fails, the job's
 * private folder is removed again, so the output folder is as it was (save mode `overwrite` has by
 * then cleared it, as asked).
 */
export const write = (checked: CheckedJob, instance?: string) =>
  writeJob(checked, instance).pipe(Effect.onError(() => discard(checked)))

/**
 * Undo `write`: remove the job's private folder. Its claim on the output stays (claims are never
 * removed, see SaveMode); the job never ran, so the next job takes the folder over.
 */
export const discard = (checked: CheckedJob) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    yield* store.remove(StageLocation.format(checked.layout.job))
  }).pipe(Effect.ignore)

/** How a checked job's work spreads: replicas, workers each, and the shards to aim for. */
export const parallelismOf = (checked: CheckedJob) => {
  const jobSpec = checked.request.jobSpec ?? {}
  const replicas = JobSpec.replicasOf(jobSpec)
  const workers = jobSpec.numWorkers ?? Math.max(1, checked.request.cpusPerReplica)
  return {
    replicas,
    workers,
    /** Engine threads per worker: its share of the replica's CPUs. */
    threads: Math.max(1, Math.floor(checked.request.cpusPerReplica / workers)),
    // About four shards per worker: enough to balance uneven shards, few enough to stay cheap.
    targetShards: replicas * workers * 4
  }
}

const writeJob = (checked: CheckedJob, instance: string | undefined) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const { request, layout, jobName } = checked
    const qualified = JobName.id(jobName)
    yield* SaveMode.prepare({
      layout,
      mode: OutputSpec.modeOf(request.outputSpec),
      job: qualified,
      ...(instance === undefined ? {} : { instance }),
      ...(request.isActive === undefined ? {} : { isActive: request.isActive })
    })
    const materialized = yield* request.input.materialize(layout.input, {
      targetShards: parallelismOf(checked).targetShards
    })
    const plan = planOf(checked, {
      input: { location: StageLocation.format(layout.input), files: [...materialized.files] },
      shards: [...materialized.shards]
    })
    const planLocation = StageLocation.format(layout.plan)
    yield* store.write(planLocation, new TextEncoder().encode(JobPlan.toJson(plan)))
    return {
      plan,
      planLocation,
      layout,
      jobName: qualified,
      plugins: request.plugins ?? [],
      rows: materialized.shards.reduce((sum, shard) => sum + shard.rows, 0)
    } satisfies PlannedJob
  })

/** The plan of a checked job, over its materialised input. */
export const planOf = (
  checked: CheckedJob,
  materialized: { readonly input: JobPlan.JobPlan["input"]; readonly shards: JobPlan.JobPlan["shards"] }
): JobPlan.JobPlan => {
  const { request } = checked
  const { version } = request
  const jobSpec = request.jobSpec ?? {}
  return JobPlan.make({
    planVersion: JobPlan.PLAN_VERSION,
    runbatchVersion: packageVersion,
    createdAt: new Date().toISOString(),
    job: checked.jobName,
    model: { ...version.model, version: version.version },
    function: checked.function,
    signature: checked.function.signature,
    inputSchema: checked.columns,
    outputSchema: checked.outputSchema,
    columnMapping: checked.columnMapping,
    columnHandling: checked.columnHandling,
    engine: checked.engine,
    plugins: checked.plugins,
    params: checked.params,
    batch: {
      ...(checked.maxBatchRows === undefined ? {} : { maxBatchRows: checked.maxBatchRows }),
      ...(jobSpec.numWorkers === undefined ? {} : { numWorkers: jobSpec.numWorkers }),
      ...(checked.concurrentBatches === undefined ? {} : { concurrentBatches: checked.concurrentBatches })
    },
    replicas: JobSpec.replicasOf(jobSpec),
    onError: JobSpec.onErrorOf(jobSpec),
    input: materialized.input,
    shards: materialized.shards,
    output: {
      location: StageLocation.format(checked.layout.output),
      mode: OutputSpec.modeOf(request.outputSpec)
    },
    artifacts: version.artifacts.map((a) => ({
      name: a.name,
      location: a.location,
      bytes: a.bytes,
      sha256: a.sha256
    }))
  })
}

/** Check, then write: a job ready to launch. */
export const planJob = (request: PlanRequest) => Effect.flatMap(check(request), write)
