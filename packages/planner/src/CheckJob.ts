/**
 * Everything that can be checked without touching storage, in order: the function (by name, or the
 * only one), partitioning, the job name, the output location, the engine and encoders being installed,
 * the column-handling columns (present, holding text), the column mapping and its types, the params,
 * the engine's own plan-time check (`prepare`: the model's files and options), and output names that
 * would collide with passed-through columns. Fails with the first problem found, having written nothing.
 */
import { randomUUID } from "node:crypto"
import { FileReader, PluginLogger } from "@runbatch/plugin-api"
import { type LoadedEngine, makePluginHost, type PluginHostShape } from "@runbatch/plugin-host"
import { resolveVersionFunction } from "@runbatch/registry-client"
import {
  ColumnMatching,
  EnginePrepareError,
  Identifier,
  JobName,
  type Json,
  ModelFunction,
  type OutputSpec,
  Params,
  PartitionNotSupported,
  StageLocation
} from "@runbatch/spec"
import { OutputLayout, StageFileReader, StageStore } from "@runbatch/stage-io"
import { Effect } from "effect"
import { planColumnHandling } from "./ColumnHandlingPlan.ts"
import type { CheckedJob, PlanRequest } from "./PlanRequest.ts"
import { silentLogger } from "./SilentLogger.ts"

/** The job's output folder: the exact one asked for, or the job's own under a base folder. */
const outputFolder = (
  outputSpec: OutputSpec.OutputSpec,
  jobName: Identifier.FullyQualifiedName,
  context: Identifier.NameContext
) =>
  Effect.gen(function* () {
    if (outputSpec.stageLocation !== undefined)
      return yield* StageLocation.parseDirectory(outputSpec.stageLocation, context)
    return yield* JobName.outputFolder(
      yield* StageLocation.parseDirectory(outputSpec.baseStageLocation!, context),
      jobName.name
    )
  })

/** The engine that runs the job (the version's, unless the options name another), if it runs `fn`. */
const engineFor = (host: PluginHostShape, request: PlanRequest, fn: ModelFunction.ModelFunction) =>
  Effect.gen(function* () {
    const named = request.inferenceEngineOptions?.engine ?? request.version.engine
    if (named === "") {
      const { version } = request
      return yield* new EnginePrepareError({
        engine: "(none)",
        reason: `${Identifier.formatQualified(version.model)} version ${version.version} was not logged by runbatch (model_type ${version.modelType}; snowflake-ml-python, say): its user data names no runbatch engine, so no installed engine is known to run it.`,
        fix: "Run it with Snowflake's managed batch inference (ModelVersion.run_batch, EXECUTE INFERENCE JOB SERVICE; runbatch's handoff to it is W2-7), or name an installed engine that can (inference_engine_options.engine)."
      })
    }
    const engine: LoadedEngine = yield* host.engine(named)
    const kinds = engine.record.manifest.kind === "engine" ? engine.record.manifest.handles.functionKinds : []
    if (!kinds.includes(fn.kind)) {
      return yield* new EnginePrepareError({
        engine: engine.record.manifest.id,
        reason: `the function ${fn.name} is a ${fn.kind}, and this engine runs ${kinds.join(", ")} only.`,
        fix: "Run the version with an engine that handles this kind of function (inference_engine_options.engine)."
      })
    }
    return engine
  })

/** All the checks; fails with the first problem found, having written nothing. */
export const check = Effect.fn("JobPlanner.check")(function* (request: PlanRequest) {
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
  const output = yield* outputFolder(request.outputSpec, jobName, store.context)
  const layout = OutputLayout.make(output, JobName.id(jobName))

  // Plugins: the engine and an encoder for every column-handling pair, installed and compatible.
  const host = yield* makePluginHost({ plugins: request.plugins ?? [] })
  const engine = yield* engineFor(host, request, fn)
  const columns = yield* request.input.schema
  const handling = yield* planColumnHandling({
    host,
    engine,
    requested: inputSpec.columnHandling ?? {},
    inputs: fn.signature.inputs,
    columns
  })
  const match = yield* ColumnMatching.match(columns, fn.signature.inputs, {
    effectiveTypes: handling.effectiveTypes
  })
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
    columnHandling: handling.columnHandling,
    columnMapping: match.mappings,
    params,
    engine: { id: engine.record.manifest.id, options: prepared.options ?? options, engineArgsOverride },
    plugins: handling.plugins,
    loaded: { engine, encoders: handling.encoders },
    outputSchema: prepared.outputSchema,
    maxBatchRows: jobSpec.maxBatchRows ?? prepared.capabilities.preferredBatchRows,
    concurrentBatches: prepared.capabilities.concurrentBatches
  }
  return checked
})
